// RUN: loom-opt %s -split-input-file --moe-select-strategy | FileCheck %s
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512" | FileCheck %s --check-prefix=LEARNED
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx2" | FileCheck %s --check-prefix=NO-MODEL
// RUN: loom-opt %s -split-input-file --moe-select-strategy="strategy=padded" | FileCheck %s --check-prefix=PADDED
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512 strategy=padded" | FileCheck %s --check-prefix=PADDED
// RUN: loom-opt %s -split-input-file --loom-decide="cost-model=roofline isa=avx512" --moe-select-strategy | FileCheck %s --check-prefix=DECIDE
// RUN: not loom-opt %s -split-input-file --moe-select-strategy="strategy=dense" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DENSE
// RUN: not loom-opt %s -split-input-file --moe-select-strategy="strategy=sparse" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-STRATEGY
// RUN: not loom-opt %s -split-input-file --moe-select-strategy="cost-model=oracle" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-MODEL
// RUN: not loom-opt %s -split-input-file --moe-select-strategy="isa=sse9" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-ISA

// DENSE: error: moe-select-strategy: strategy=dense cannot compute this layer exactly
// BAD-STRATEGY: error: moe-select-strategy: strategy must be grouped, padded or dense, got 'sparse'
// BAD-MODEL: error: moe-select-strategy: cost-model must be auto, roofline or a directory of models, got 'oracle'
// BAD-ISA: error: moe-select-strategy: unknown isa 'sse9'

// By default the analytical model decides and records only the strategy.
// CHECK-LABEL: func.func @capacity
// CHECK-NOT: loom.decision
// CHECK: strategy = #moe.strategy<grouped,

// The learned model (shipped for x86_64-avx512) records its decision next
// to the strategy, which follows it.
// LEARNED-LABEL: func.func @capacity
// LEARNED: loom.decision = #loom.decision<"moe.dispatch", {strategy = "[[S:[a-z]+]]", tile_rows = [[R:[0-9]+]] : i64, tile_weight_rows = [[W:[0-9]+]] : i64}, source = "learned", model = "x86_64-avx512/moe.dispatch@{{[0-9a-f]+}}">
// LEARNED-SAME: strategy = #moe.strategy<[[S]], tile = <rows = [[R]], weight_rows = [[W]]>>

// No model for avx2's class: the analytical model.
// NO-MODEL-LABEL: func.func @capacity
// NO-MODEL-NOT: loom.decision
// NO-MODEL: strategy = #moe.strategy<grouped,

// A fixed strategy holds under either model; only the tile is chosen.
// PADDED-LABEL: func.func @capacity
// PADDED: strategy = #moe.strategy<padded,

// loom-decide makes the decision on its own (by the roofline feature here);
// moe-select-strategy then takes it.
// DECIDE-LABEL: func.func @capacity
// DECIDE: loom.decision = #loom.decision<"moe.dispatch", {strategy = "[[S:[a-z]+]]", tile_rows = [[R:[0-9]+]] : i64, tile_weight_rows = [[W:[0-9]+]] : i64}, source = "roofline", model = "roofline">
// DECIDE-SAME: strategy = #moe.strategy<[[S]], tile = <rows = [[R]], weight_rows = [[W]]>>
func.func @capacity(%x: tensor<64x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<64x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 1.25>, ffn = #moe.ffn<swiglu>} : (tensor<64x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// A decision written by hand pins strategy and tile under every model.
// CHECK-LABEL: func.func @pinned
// CHECK: strategy = #moe.strategy<padded, tile = <rows = 2, weight_rows = 8>>
// LEARNED-LABEL: func.func @pinned
// LEARNED: source = "user"
// LEARNED-SAME: strategy = #moe.strategy<padded, tile = <rows = 2, weight_rows = 8>>
func.func @pinned(%x: tensor<?x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<?x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, loom.decision = #loom.decision<"moe.dispatch", {strategy = "padded", tile_rows = 2 : i64, tile_weight_rows = 8 : i64}, source = "user", model = "hand">} : (tensor<?x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// The learned model judges a dynamic T at each bucket; every specialized
// copy carries its own decision.
// LEARNED-LABEL: func.func @dynamic
// LEARNED: source = "learned"
func.func @dynamic(%x: tensor<?x256xf32>, %wr: tensor<16x256xf32>, %w1: tensor<16x512x256xf32>, %w2: tensor<16x256x256xf32>) -> tensor<?x256xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x256xf32>, tensor<16x256xf32>, tensor<16x512x256xf32>, tensor<16x256x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
