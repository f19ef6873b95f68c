// moe-select-strategy's dump-decisions records what every layer runs (one
// strategy for a static T, one per T bucket for a dynamic T) and
// load-decisions replays it over another model; a pin the layer cannot run
// is refused at the layer.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --moe-select-strategy="cost-model=auto isa=avx512 dump-decisions=%t/a.json" -o %t/a.mlir
// RUN: FileCheck %s --check-prefix=DUMP < %t/a.json
// RUN: loom-opt %s --moe-select-strategy="load-decisions=%t/a.json dump-decisions=%t/b.json" -o %t/b.mlir
// RUN: cmp %t/a.json %t/b.json
// RUN: grep -o "#moe.strategy<[^>]*>>" %t/a.mlir > %t/a.strategies
// RUN: grep -o "#moe.strategy<[^>]*>>" %t/b.mlir > %t/b.strategies
// RUN: cmp %t/a.strategies %t/b.strategies

// DUMP:      "moe-select-strategy": [
// DUMP-NEXT:   {
// DUMP-NEXT:     "attribute": "#moe.strategy<{{[a-z]+}}, tile = <rows = {{[0-9]+}}, weight_rows = {{[0-9]+}}>>",
// DUMP-NEXT:     "decision": "moe.dispatch",
// DUMP-NEXT:     "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:     "function": "capacity",
// DUMP-NEXT:     "ordinal": 0
// DUMP:          "attribute": "[#moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>, #moe.strategy<{{.*}}>>]",
// DUMP-NEXT:     "decision": "moe.dispatch",
// DUMP-NEXT:     "fingerprint": "{{[0-9a-f]+}}",
// DUMP-NEXT:     "function": "alternating",
// DUMP-NEXT:     "ordinal": 0

// One strategy pinned on a dynamic T holds for every T: one copy.
// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][1]['attribute'] = '#moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>'; json.dump(d, open('%t/one.json', 'w'))"
// RUN: loom-opt %s --moe-select-strategy="load-decisions=%t/one.json report=true" 2>&1 | FileCheck %s --check-prefix=ONE
// ONE: remark: any T: grouped, tile 2x8
// ONE-LABEL: func.func @alternating
// ONE-NOT: scf.index_switch
// ONE: strategy = #moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>

// A file without the section pins nothing.
// RUN: echo '{"loom-decide": []}' > %t/other.json
// RUN: loom-opt %s --moe-select-strategy="load-decisions=%t/other.json report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OTHER
// OTHER: remark: T = 64: grouped

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][0]['attribute'] = '#moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>'; json.dump(d, open('%t/dense.json', 'w'))"
// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/dense.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DENSE
// DENSE: :[[@LINE+8]]:8: error: moe-select-strategy: the decision file's dense cannot compute this layer exactly (it drops tokens or scales rows before the FFN)

// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/a.json strategy=padded" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONTRADICTS
// CONTRADICTS: error: moe-select-strategy: the decision file's grouped contradicts the layer's strategy option

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][0]['attribute'] = d['moe-select-strategy'][1]['attribute']; json.dump(d, open('%t/array.json', 'w'))"
// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/array.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ARRAY
func.func @capacity(%x: tensor<64x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<64x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 1.25>, ffn = #moe.ffn<swiglu>} : (tensor<64x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
// ARRAY: error: moe-select-strategy: expected a #moe.strategy, or for a dynamic T an array of one per T bucket (6), got [#moe.strategy<

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][1]['attribute'] = '[#moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>]'; json.dump(d, open('%t/short.json', 'w'))"
// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/short.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SHORT
// SHORT: :[[@LINE+6]]:8: error: moe-select-strategy: expected a #moe.strategy, or for a dynamic T an array of one per T bucket (6), got [#moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>]

// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][1]['fingerprint'] = '0123456789abcdef'; json.dump(d, open('%t/stale.json', 'w'))"
// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/stale.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STALE
// STALE: :[[@LINE+2]]:8: error: moe-select-strategy: the decision recorded in {{.*}}stale.json for this op (moe.dispatch #0 in @alternating) is for a different op: fingerprint 0123456789abcdef, this op's {{[0-9a-f]+}}
func.func @alternating(%x: tensor<?x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x512x128xf32>, %w2: tensor<8x128x256xf32>) -> tensor<?x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x128xf32>, tensor<8x128xf32>, tensor<8x512x128xf32>, tensor<8x128x256xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/missing.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: moe-select-strategy: reading {{.*}}missing.json: {{[Nn]}}o such file or directory
// RUN: echo '[]' > %t/old.json
// RUN: not loom-opt %s --moe-select-strategy="load-decisions=%t/old.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOT-OBJECT
// NOT-OBJECT: error: moe-select-strategy: {{.*}}old.json: expected a JSON object of sections, one per deciding pass
// RUN: not loom-opt %s --pass-pipeline="builtin.module(func.func(moe-select-strategy{dump-decisions=%t/c.json}))" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ON-FUNC
// ON-FUNC: error: moe-select-strategy: dump-decisions needs the pass to run on a module

// A pinned strategy replaces the decision a layer carries.
// RUN: %python -c "import json; d = json.load(open('%t/a.json')); d['moe-select-strategy'][2]['attribute'] = '#moe.strategy<padded, tile = <rows = 1, weight_rows = 16>>'; json.dump(d, open('%t/carried.json', 'w'))"
// RUN: loom-opt %s --moe-select-strategy="load-decisions=%t/carried.json" | FileCheck %s --check-prefix=CARRIED
// CARRIED-LABEL: func.func @carried
// CARRIED-NOT: loom.decision
// CARRIED: strategy = #moe.strategy<padded, tile = <rows = 1, weight_rows = 16>>
// CARRIED-NOT: loom.decision
// CARRIED: return
func.func @carried(%x: tensor<16x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<16x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, loom.decision = #loom.decision<"moe.dispatch", {strategy = "grouped", tile_rows = 4 : i64, tile_weight_rows = 6 : i64}, source = "user", model = "hand">} : (tensor<16x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<16x128xf32>
  return %y : tensor<16x128xf32>
}
