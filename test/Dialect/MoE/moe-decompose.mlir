// RUN: loom-opt %s -split-input-file --moe-decompose | FileCheck %s

// CHECK-LABEL: func @swiglu_top2
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[WR:.*]]: tensor<8x64xf32>, %[[W1:.*]]: tensor<8x256x64xf32>, %[[W2:.*]]: tensor<8x64x128xf32>)
// CHECK: %[[P:.*]] = moe.gate %[[X]], %[[WR]] : tensor<?x64xf32>, tensor<8x64xf32> -> tensor<?x8xf32>
// CHECK: %[[IDS:.*]], %[[W:.*]] = moe.topk %[[P]] {k = 2 : i64, renormalize} : tensor<?x8xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
// CHECK: %[[AUX:.*]] = moe.aux_loss %[[P]], %[[IDS]]
// CHECK: %[[LOC:.*]], %[[CNT:.*]], %[[OFF:.*]], %{{.*}}, %{{.*}} = moe.assign %[[IDS]] {capacity = #moe.capacity<factor = 1.250000e+00>, layout = #moe.layout<grouped>, num_experts = 8 : i64}
// CHECK: %[[XB:.*]] = moe.dispatch %[[X]], %[[IDS]], %[[LOC]], %[[OFF]] :
// CHECK: %[[H:.*]] = moe.grouped_matmul %[[XB]], %[[W1]], %[[OFF]], %[[CNT]] {epilogue = #moe.activation<swiglu>} : {{.*}} -> tensor<?x128xf32>
// CHECK: %[[YB:.*]] = moe.grouped_matmul %[[H]], %[[W2]], %[[OFF]], %[[CNT]] : {{.*}} -> tensor<?x64xf32>
// CHECK: %[[Y:.*]] = moe.combine %[[YB]], %[[IDS]], %[[LOC]], %[[OFF]] weights %[[W]] :
// CHECK: return %[[Y]], %[[AUX]]
func.func @swiglu_top2(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w13: tensor<8x256x64xf32>, %w2: tensor<8x64x128xf32>) -> (tensor<?x64xf32>, tensor<f32>) {
  %y, %aux = moe.layer %x, %wr, %w13, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 1.25>, ffn = #moe.ffn<swiglu>, aux_loss} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x256x64xf32>, tensor<8x64x128xf32>) -> (tensor<?x64xf32>, tensor<f32>)
  return %y, %aux : tensor<?x64xf32>, tensor<f32>
}

// -----

// Batch-prioritized routing orders tokens by max_e P[t, e]; pre-score
// dispatch scales rows and the combine takes no weights; the gated shared
// expert is a one-expert grouped GEMM pair whose sigmoid gate is the second
// GEMM's row scale, and its output initializes the combine.
// CHECK-LABEL: func @shared_prioritized_prescore
// CHECK: %[[P:.*]] = moe.gate
// CHECK: %[[IDS:.*]], %[[W:.*]] = moe.topk %[[P]]
// CHECK: %[[PRIO:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?x8xf32>)
// CHECK: arith.maximumf
// CHECK: moe.assign %[[IDS]] priority %[[PRIO]] {capacity = #moe.capacity<factor = -1.000000e+00>, layout = #moe.layout<padded>
// CHECK: moe.dispatch {{.*}} scale %[[W]]
// CHECK: moe.grouped_matmul {{.*}} {epilogue = #moe.activation<relu>}
// CHECK: %[[SIN:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [1, 32, 64] : tensor<32x64xf32> into tensor<1x32x64xf32>
// CHECK: %[[SH:.*]] = moe.grouped_matmul %{{.*}}, %[[SIN]], %{{.*}}, %{{.*}} {epilogue = #moe.activation<relu>} : (tensor<?x64xf32>, tensor<1x32x64xf32>, tensor<2xi32>, tensor<1xi32>) -> tensor<?x32xf32>
// CHECK: %[[INIT:.*]] = moe.grouped_matmul %[[SH]], %{{.*}}, %{{.*}}, %{{.*}} row_scale %{{.*}} :
// CHECK: moe.combine {{.*}} init %[[INIT]] {score_at = #moe.score_at<pre>}
func.func @shared_prioritized_prescore(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x16x64xf32>, %w2: tensor<8x64x16xf32>, %s1: tensor<32x64xf32>, %s2: tensor<64x32xf32>, %g: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 shared(%s1, %s2) shared_gate %g {routing = #moe.routing<k = 2, prioritized>, capacity = #moe.capacity<factor = -1.0>, ffn = #moe.ffn<relu>, layout = #moe.layout<padded>, score_at = #moe.score_at<pre>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x16x64xf32>, tensor<8x64x16xf32>, tensor<32x64xf32>, tensor<64x32xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A strategy's tile goes to both expert GEMMs, and `padded` sets assign's
// layout.
// CHECK-LABEL: func @padded_strategy
// CHECK: moe.assign {{.*}}layout = #moe.layout<padded>
// CHECK: moe.grouped_matmul {{.*}}{epilogue = #moe.activation<relu>, tile = #moe.tile<rows = 3, weight_rows = 4>}
// CHECK: moe.grouped_matmul {{.*}}{tile = #moe.tile<rows = 3, weight_rows = 4>}
// CHECK: moe.combine
func.func @padded_strategy(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x16x64xf32>, %w2: tensor<8x64x16xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 1.0>, ffn = #moe.ffn<relu>, strategy = #moe.strategy<padded, tile = <rows = 3, weight_rows = 4>>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x16x64xf32>, tensor<8x64x16xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// `dense`: no assign, dispatch or combine. Each expert's FFN runs over all
// tokens as a one-expert GEMM pair on its weight and bias slices; the second
// GEMM's row scale is the token's combine weight for that expert (0 if not
// chosen), and the outputs add up in expert order.
// CHECK-LABEL: func @dense_strategy
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %{{.*}}: tensor<2x64xf32>, %[[W1:.*]]: tensor<2x32x64xf32>, %[[W2:.*]]: tensor<2x64x16xf32>, %[[B1:.*]]: tensor<2x32xf32>, %[[B2:.*]]: tensor<2x64xf32>)
// CHECK-NOT: moe.assign
// CHECK: %[[IDS:.*]], %[[W:.*]] = moe.topk
// CHECK: tensor.extract_slice %[[W1]][0, 0, 0] [1, 32, 64] [1, 1, 1] : tensor<2x32x64xf32> to tensor<32x64xf32>
// CHECK: %[[H0:.*]] = moe.grouped_matmul %[[X]], {{.*}} bias {{.*}} {epilogue = #moe.activation<swiglu>, tile = #moe.tile<rows = 4, weight_rows = 2>}
// CHECK: %[[S0:.*]] = linalg.generic {{.*}} ins(%[[IDS]], %[[W]] : tensor<?x1xi32>, tensor<?x1xf32>)
// CHECK:   arith.cmpi eq, %{{.*}}, %c0_i32
// CHECK: %[[Y0:.*]] = moe.grouped_matmul %[[H0]], {{.*}} bias {{.*}} row_scale %[[S0]]
// CHECK: tensor.extract_slice %[[W1]][1, 0, 0]
// CHECK: %[[H1:.*]] = moe.grouped_matmul %[[X]]
// CHECK: %[[S1:.*]] = linalg.generic
// CHECK:   arith.cmpi eq, %{{.*}}, %c1_i32
// CHECK: %[[Y1:.*]] = moe.grouped_matmul %[[H1]], {{.*}} row_scale %[[S1]]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[Y0]], %[[Y1]] : tensor<?x64xf32>, tensor<?x64xf32>)
// CHECK:   arith.addf
// CHECK-NOT: moe.combine
// CHECK: return %[[SUM]]
func.func @dense_strategy(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %w1: tensor<2x32x64xf32>, %w2: tensor<2x64x16xf32>, %b1: tensor<2x32xf32>, %b2: tensor<2x64xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 bias_in %b1 bias_out %b2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu, bias_in, bias_out>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 2>>} : (tensor<?x64xf32>, tensor<2x64xf32>, tensor<2x32x64xf32>, tensor<2x64x16xf32>, tensor<2x32xf32>, tensor<2x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Low-bit experts: per expert, its rows' tokens (the row map / k) gather x
// for a lut.mpgemm of its w_in, the SwiGLU epilogue (gate columns first)
// feeds a lut.mpgemm of its w_out, and the result fills the expert's rows
// [offsets[e], offsets[e+1]) of the buffer moe.combine reads.
// CHECK-LABEL: func @lowbit_swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %{{.*}}: tensor<2x64xf32>, %[[A1:[^:]*]]: !lut.packed<64x64{{.*}}, %[[B1:[^:]*]]: !lut.packed<64x64{{.*}}, %[[A2:[^:]*]]: !lut.packed<64x32{{.*}}, %[[B2:[^:]*]]: !lut.packed<64x32
// CHECK: %{{.*}}, %{{.*}}, %[[OFF:.*]], %[[ROWS:.*]], %{{.*}} = moe.assign
// CHECK: %[[TOK:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>)
// CHECK: arith.divsi
// CHECK: %[[BUF:.*]] = tensor.empty
// CHECK: %[[T0:.*]] = tensor.extract_slice %[[TOK]]
// CHECK: %[[X0:.*]] = lut.gather_rows %[[X]][%[[T0]]]
// CHECK: %[[Z0:.*]] = lut.mpgemm %[[X0]], %[[A1]] : tensor<?x64xf32>, {{.*}} -> tensor<?x64xf32>
// CHECK: tensor.extract_slice %[[Z0]][0, 0] [%{{.*}}, 32]
// CHECK: tensor.extract_slice %[[Z0]][0, 32] [%{{.*}}, 32]
// CHECK: %[[H0:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: %[[Y0:.*]] = lut.mpgemm %[[H0]], %[[A2]] : tensor<?x32xf32>
// CHECK: %[[BUF0:.*]] = tensor.insert_slice %[[Y0]] into %[[BUF]]
// CHECK: lut.mpgemm %{{.*}}, %[[B1]]
// CHECK: %[[Y1:.*]] = lut.mpgemm %{{.*}}, %[[B2]]
// CHECK: %[[BUF1:.*]] = tensor.insert_slice %[[Y1]] into %[[BUF0]]
// CHECK: moe.combine %[[BUF1]], %{{.*}}, %{{.*}}, %[[OFF]] weights
!w1 = !lut.packed<64x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
!w2 = !lut.packed<64x32, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @lowbit_swiglu(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %a1: !w1, %b1: !w1, %a2: !w2, %b2: !w2) -> tensor<?x64xf32> {
  %w1 = lut.stack %a1, %b1 : !lut.stacked<2, !w1>
  %w2 = lut.stack %a2, %b2 : !lut.stacked<2, !w2>
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}
     : (tensor<?x64xf32>, tensor<2x64xf32>, !lut.stacked<2, !w1>, !lut.stacked<2, !w2>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Pre-score: the first GEMM's rows are scaled by their slot's weight
// (read through the row map, as moe-fuse's row scale) before the
// activation; combine then has no weights.
// CHECK-LABEL: func @lowbit_prescore
// CHECK: %{{.*}}, %[[W:.*]] = moe.topk
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %[[ROWS:.*]], %{{.*}} = moe.assign
// CHECK: %[[RW:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK: tensor.extract %[[W]]
// CHECK: %[[Z:.*]] = lut.mpgemm
// CHECK: %[[S:.*]] = tensor.extract_slice %[[RW]]
// CHECK: linalg.generic {{.*}} ins(%[[Z]], %[[S]] : tensor<?x32xf32>, tensor<?xf32>)
// CHECK: arith.mulf
// CHECK: moe.combine
// CHECK-NOT: weights
// CHECK-SAME: score_at = #moe.score_at<pre>
!w1 = !lut.packed<32x64, #lut.quant<ternary, group = 32>, #lut.layout<bitplane>>
!w2 = !lut.packed<64x32, #lut.quant<ternary, group = 32>, #lut.layout<bitplane>>
func.func @lowbit_prescore(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %w1: !lut.stacked<2, !w1>, %w2: !lut.stacked<2, !w2>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<gelu>, score_at = #moe.score_at<pre>}
     : (tensor<?x64xf32>, tensor<2x64xf32>, !lut.stacked<2, !w1>, !lut.stacked<2, !w2>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
