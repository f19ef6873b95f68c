// RUN: loom-opt %s -split-input-file --moe-fuse | FileCheck %s

// The decomposed post-score layer: the first GEMM reads x through the row
// map's tokens, the second scales its rows by the combine weights and adds
// them into their tokens; dispatch and combine are gone.
// CHECK-LABEL: func @post_score
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[IDS:.*]]: tensor<?x2xi32>, %[[W:.*]]: tensor<?x2xf32>, %[[W1:.*]]: tensor<8x32x64xf32>, %[[W2:.*]]: tensor<8x64x16xf32>)
// CHECK: %[[LOC:.*]], %[[CNT:.*]], %[[OFF:.*]], %[[ROWS:.*]], %{{.*}} = moe.assign %[[IDS]]
// CHECK-NOT: moe.dispatch
// CHECK: %[[TOK1:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>)
// CHECK:   arith.divsi %{{.*}}, %c2_i32
// CHECK: %[[H:.*]] = moe.grouped_matmul %[[X]], %[[W1]], %[[OFF]], %[[CNT]] gather %[[TOK1]] {epilogue = #moe.activation<swiglu>}
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[RW:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>)
// CHECK:   tensor.extract %[[W]]
// CHECK: %[[TOK2:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>)
// CHECK: %[[Y:.*]] = moe.grouped_matmul %[[H]], %[[W2]], %[[OFF]], %[[CNT]] row_scale %[[RW]] scatter %[[TOK2]] into %[[ZERO]] :
// CHECK-NOT: moe.combine
// CHECK: return %[[Y]]
func.func @post_score(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>, %w: tensor<?x2xf32>, %w1: tensor<8x32x64xf32>, %w2: tensor<8x64x16xf32>) -> tensor<?x64xf32> {
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
  %xb = moe.dispatch %x, %ids, %loc, %off : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>) -> tensor<?x64xf32>
  %h = moe.grouped_matmul %xb, %w1, %off, %cnt {epilogue = #moe.activation<swiglu>} : (tensor<?x64xf32>, tensor<8x32x64xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x16xf32>
  %yb = moe.grouped_matmul %h, %w2, %off, %cnt : (tensor<?x16xf32>, tensor<8x64x16xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x64xf32>
  %y = moe.combine %yb, %ids, %loc, %off weights %w : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Pre-score: the dispatch scales rows before the FFN and stays; the combine
// takes no weights, so the scatter has no row scale, and adds into the
// shared expert's output (init).
// CHECK-LABEL: func @pre_score_with_init
// CHECK: %[[XB:.*]] = moe.dispatch
// CHECK: %[[H:.*]] = moe.grouped_matmul %[[XB]], {{.*}} {epilogue = #moe.activation<relu>} :
// CHECK: moe.grouped_matmul %[[H]], %{{.*}}, %{{.*}}, %{{.*}} scatter %{{.*}} into %arg3 :
// CHECK-NOT: moe.combine
func.func @pre_score_with_init(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>, %w: tensor<?x2xf32>, %init: tensor<?x64xf32>, %w1: tensor<8x16x64xf32>, %w2: tensor<8x64x16xf32>) -> tensor<?x64xf32> {
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64, capacity = #moe.capacity<factor = 1.0>, layout = #moe.layout<padded>} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
  %xb = moe.dispatch %x, %ids, %loc, %off scale %w : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  %h = moe.grouped_matmul %xb, %w1, %off, %cnt {epilogue = #moe.activation<relu>} : (tensor<?x64xf32>, tensor<8x16x64xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x16xf32>
  %yb = moe.grouped_matmul %h, %w2, %off, %cnt : (tensor<?x16xf32>, tensor<8x64x16xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x64xf32>
  %y = moe.combine %yb, %ids, %loc, %off init %init {score_at = #moe.score_at<pre>} : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Row moves that do not follow a moe.assign plan, and GEMM rows that are
// used twice, stay as they are.
// CHECK-LABEL: func @not_a_plan
// CHECK: moe.dispatch
// CHECK: %[[YB:.*]] = moe.grouped_matmul
// CHECK: moe.combine %[[YB]]
// CHECK: return %{{.*}}, %[[YB]]
func.func @not_a_plan(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>, %loc: tensor<?x2xi32>, %off: tensor<9xi32>, %cnt: tensor<8xi32>, %w: tensor<?x2xf32>, %w2: tensor<8x64x64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %xb = moe.dispatch %x, %ids, %loc, %off : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>) -> tensor<?x64xf32>
  %yb = moe.grouped_matmul %xb, %w2, %off, %cnt : (tensor<?x64xf32>, tensor<8x64x64xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x64xf32>
  %y = moe.combine %yb, %ids, %loc, %off weights %w : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  return %y, %yb : tensor<?x64xf32>, tensor<?x64xf32>
}
