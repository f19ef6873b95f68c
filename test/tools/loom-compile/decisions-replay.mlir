// loom-compile --dump-decisions writes the cost model's choices, a section
// per deciding pass (the MoE layers' strategies per T bucket, the lut
// GEMMs' schedules, the contractions' tiles), and --load-decisions replays
// them: the same library, byte for byte, also with MLIR's threading off;
// an edited decision is pinned; a file whose op changed is refused at that
// op. The target is fixed (Zen 4, the learned models of the x86_64-avx512
// class) so that the decisions are the same on any host.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -mcpu=znver4 -o %t/liba.so --dump-decisions=%t/a.json
// RUN: FileCheck %s --check-prefix=DUMP < %t/a.json
// RUN: loom-compile %s -mcpu=znver4 -o %t/libb.so --load-decisions=%t/a.json --dump-decisions=%t/b.json
// RUN: cmp %t/a.json %t/b.json
// RUN: cmp %t/liba.so %t/libb.so
// RUN: loom-compile %s -mcpu=znver4 -o %t/libc.so --mlir-disable-threading
// RUN: cmp %t/liba.so %t/libc.so
// The file holds every choice: a replay under the roofline model builds the
// learned model's library.
// RUN: loom-compile %s -mcpu=znver4 -o %t/libr.so --cost-model=roofline --load-decisions=%t/a.json
// RUN: cmp %t/liba.so %t/libr.so

// DUMP:      "loom-decide": [
// DUMP:        "decision": "lut.gemm",
// DUMP-NEXT:   "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:   "function": "gemm",
// DUMP-NEXT:   "ordinal": 0
// DUMP:        "function": "gemm",
// DUMP-NEXT:   "ordinal": 1
// DUMP:        "decision": "linalg.tile",
// DUMP-NEXT:   "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:   "function": "matmul",
// DUMP-NEXT:   "ordinal": 0
// DUMP:      "loom-tile-linalg": [
// DUMP-NEXT:   {
// DUMP-NEXT:     "attribute": "#loom.decision<\"linalg.tile\", {tile_k = {{.*}}, source = \"learned\"
// DUMP-NEXT:     "decision": "linalg.tile",
// DUMP-NEXT:     "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:     "function": "matmul",
// DUMP:      "moe-select-strategy": [
// DUMP-NEXT:   {
// DUMP-NEXT:     "attribute": "[#moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>]",
// DUMP-NEXT:     "decision": "moe.dispatch",
// DUMP-NEXT:     "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:     "function": "moe",

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['loom-decide'][1]['attribute'] = '#loom.decision<\"lut.gemm\", {column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = \"user\", model = \"hand\">'; d['moe-select-strategy'][0]['attribute'] = '#moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>'; json.dump(d, open('%t/pinned.json', 'w'))"
// RUN: loom-compile %s -mcpu=znver4 -o %t/libd.so --load-decisions=%t/pinned.json --dump-decisions=%t/d.json
// RUN: FileCheck %s --check-prefix=PINNED < %t/d.json
// PINNED: column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = \"user\", model = \"hand\">",
// PINNED-NEXT: "decision": "lut.gemm",
// PINNED-NEXT: "fingerprint"
// PINNED-NEXT: "function": "gemm",
// PINNED-NEXT: "ordinal": 1
// PINNED: "moe-select-strategy": [
// PINNED-NEXT: {
// PINNED-NEXT: "attribute": "#moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>",

// A file replayed onto a compile of fewer deciding passes keeps the
// sections they do not write; a compile that does not replay starts anew.
// RUN: loom-compile %s -mcpu=znver4 -o %t/libh.so --cost-model=none --load-decisions=%t/a.json --dump-decisions=%t/a.json
// RUN: FileCheck %s --check-prefix=KEPT < %t/a.json
// KEPT: "loom-decide": [
// RUN: loom-compile %s -mcpu=znver4 -o %t/libh.so --cost-model=none --dump-decisions=%t/d.json
// RUN: FileCheck %s --check-prefix=FRESH < %t/d.json
// FRESH-NOT: "loom-decide"

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['loom-decide'][0]['fingerprint'] = '0123456789abcdef'; json.dump(d, open('%t/stale.json', 'w'))"
// RUN: not loom-compile %s -mcpu=znver4 -o %t/libe.so --load-decisions=%t/stale.json 2>&1 | FileCheck %s --check-prefix=STALE
// STALE: error: loom-decide: the decision recorded in {{.*}}stale.json for this op (lut.gemm #0 in @gemm) is for a different op: fingerprint 0123456789abcdef, this op's {{[0-9a-f]+}}

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['loom-decide'][1]['ordinal'] = 7; json.dump(d, open('%t/missing.json', 'w'))"
// RUN: not loom-compile %s -mcpu=znver4 -o %t/libf.so --load-decisions=%t/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: loom-decide: {{.*}}missing.json: no lut.gemm op #7 in @gemm

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['loom-tile-linalg'][0]['attribute'] = '#loom.decision<\"linalg.tile\", {tile_k = 1 : i64, tile_m = 3 : i64, tile_n = 16 : i64, vector_dim = \"n\"}, source = \"user\", model = \"hand\">'; json.dump(d, open('%t/knob.json', 'w'))"
// RUN: not loom-compile %s -mcpu=znver4 -o %t/libg.so --load-decisions=%t/knob.json 2>&1 | FileCheck %s --check-prefix=KNOB
// KNOB: error: knob 'tile_m' = 3 : i64 is not one of its options

// RUN: not loom-compile %s -mcpu=znver4 -o %t/libg.so --pipeline=reference --dump-decisions=%t/g.json 2>&1 | FileCheck %s --check-prefix=REF
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

func.func @matmul(%a: tensor<24x64xf32>, %b: tensor<64x48xf32>) -> tensor<24x48xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<24x48xf32>
  %c = linalg.fill ins(%zero : f32) outs(%init : tensor<24x48xf32>) -> tensor<24x48xf32>
  %d = linalg.matmul ins(%a, %b : tensor<24x64xf32>, tensor<64x48xf32>) outs(%c : tensor<24x48xf32>) -> tensor<24x48xf32>
  return %d : tensor<24x48xf32>
}

func.func @moe(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x256x64xf32>, %w2: tensor<8x64x128xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x256x64xf32>, tensor<8x64x128xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
