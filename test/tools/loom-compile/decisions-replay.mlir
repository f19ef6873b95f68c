// loom-compile --dump-decisions writes the cost model's choices, and
// --load-decisions replays them: the same library, byte for byte, also
// with MLIR's threading off; an edited decision is pinned; a file whose op
// changed is refused at that op.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/liba.so --dump-decisions=%t/a.json
// RUN: FileCheck %s --check-prefix=DUMP < %t/a.json
// RUN: loom-compile %s -o %t/libb.so --load-decisions=%t/a.json --dump-decisions=%t/b.json
// RUN: cmp %t/a.json %t/b.json
// RUN: cmp %t/liba.so %t/libb.so
// RUN: loom-compile %s -o %t/libc.so --mlir-disable-threading
// RUN: cmp %t/liba.so %t/libc.so

// DUMP: "decision": "lut.gemm",
// DUMP-NEXT: "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT: "function": "gemm",
// DUMP-NEXT: "ordinal": 0
// DUMP: "function": "gemm",
// DUMP-NEXT: "ordinal": 1

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d[1]['attribute'] = '#loom.decision<\"lut.gemm\", {column_tile = 1 : i64, prefetch = 0 : i64}, source = \"user\", model = \"hand\">'; json.dump(d, open('%t/pinned.json', 'w'))"
// RUN: loom-compile %s -o %t/libd.so --load-decisions=%t/pinned.json --dump-decisions=%t/d.json
// RUN: FileCheck %s --check-prefix=PINNED < %t/d.json
// PINNED: column_tile = 1 : i64, prefetch = 0 : i64}, source = \"user\", model = \"hand\">",
// PINNED-NEXT: "decision": "lut.gemm",
// PINNED-NEXT: "fingerprint"
// PINNED-NEXT: "function": "gemm",
// PINNED-NEXT: "ordinal": 1

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d[0]['fingerprint'] = '0123456789abcdef'; json.dump(d, open('%t/stale.json', 'w'))"
// RUN: not loom-compile %s -o %t/libe.so --load-decisions=%t/stale.json 2>&1 | FileCheck %s --check-prefix=STALE
// STALE: error: loom-decide: the decision recorded in {{.*}}stale.json for this op (lut.gemm #0 in @gemm) is for a different op: fingerprint 0123456789abcdef, this op's {{[0-9a-f]+}}

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d[1]['ordinal'] = 7; json.dump(d, open('%t/missing.json', 'w'))"
// RUN: not loom-compile %s -o %t/libf.so --load-decisions=%t/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: loom-decide: {{.*}}missing.json: no lut.gemm op #7 in @gemm

// RUN: not loom-compile %s -o %t/libg.so --pipeline=reference --dump-decisions=%t/g.json 2>&1 | FileCheck %s --check-prefix=REF
// REF: loom-compile: error: only the cpu pipeline dumps and loads decisions

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemm(%x: tensor<?x64xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>) {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  %z = lut.mpgemm %x, %w {accuracy = #lut.accuracy<table_i8>} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y, %z : tensor<?x128xf32>, tensor<?x128xf32>
}
