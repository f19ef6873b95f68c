// RUN: loom-opt %s -split-input-file | FileCheck %s
// RUN: loom-opt %s -split-input-file --mlir-print-op-generic | loom-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @layer
// CHECK: moe.layer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {aux_loss, capacity = #moe.capacity<factor = 1.250000e+00>, ffn = #moe.ffn<swiglu>, routing = #moe.routing<k = 2, renormalize>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x256x64xf32>, tensor<8x64x128xf32>) -> (tensor<?x64xf32>, tensor<f32>)
func.func @layer(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w13: tensor<8x256x64xf32>, %w2: tensor<8x64x128xf32>) -> (tensor<?x64xf32>, tensor<f32>) {
  %y, %aux = moe.layer %x, %wr, %w13, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 1.25>, ffn = #moe.ffn<swiglu>, aux_loss} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x256x64xf32>, tensor<8x64x128xf32>) -> (tensor<?x64xf32>, tensor<f32>)
  return %y, %aux : tensor<?x64xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func @layer_deepseek
// CHECK: moe.layer {{.*}} select_bias %{{.*}} bias_in %{{.*}} bias_out %{{.*}} shared(%{{.*}}, %{{.*}}) shared_gate %{{.*}} {capacity = #moe.capacity<factor = -1.250000e+00, align = 4>, ffn = #moe.ffn<gelu, bias_in, bias_out>, layout = #moe.layout<padded>, routing = #moe.routing<k = 8, scoring = sigmoid, scale = 2.500000e+00, groups = 8, group_topk = 4, group_score = top2_sum, prioritized>, score_at = #moe.score_at<pre>}
func.func @layer_deepseek(%x: tensor<?x32xbf16>, %wr: tensor<64x32xbf16>, %w1: tensor<64x16x32xbf16>, %w2: tensor<64x32x16xbf16>, %b: tensor<64xf32>, %b1: tensor<64x16xbf16>, %b2: tensor<64x32xbf16>, %s1: tensor<48x32xbf16>, %s2: tensor<32x48xbf16>, %g: tensor<32xbf16>) -> tensor<?x32xbf16> {
  %y = moe.layer %x, %wr, %w1, %w2 select_bias %b bias_in %b1 bias_out %b2 shared(%s1, %s2) shared_gate %g {routing = #moe.routing<k = 8, scoring = sigmoid, scale = 2.5, groups = 8, group_topk = 4, group_score = top2_sum, prioritized>, capacity = #moe.capacity<factor = -1.25, align = 4>, ffn = #moe.ffn<gelu, bias_in, bias_out>, layout = #moe.layout<padded>, score_at = #moe.score_at<pre>} : (tensor<?x32xbf16>, tensor<64x32xbf16>, tensor<64x16x32xbf16>, tensor<64x32x16xbf16>, tensor<64xf32>, tensor<64x16xbf16>, tensor<64x32xbf16>, tensor<48x32xbf16>, tensor<32x48xbf16>, tensor<32xbf16>) -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// CHECK-LABEL: func @pieces
// CHECK: moe.gate %{{.*}}, %{{.*}} {scoring = #moe.scoring<sigmoid>} : tensor<?x64xf32>, tensor<8x64xf32> -> tensor<?x8xf32>
// CHECK: moe.topk %{{.*}} select_bias %{{.*}} {k = 2 : i64, renormalize} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
// CHECK: moe.aux_loss %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
// CHECK: moe.assign %{{.*}} priority %{{.*}} {capacity = #moe.capacity<factor = 0.000000e+00>, layout = #moe.layout<grouped, row_align = 16>, num_experts = 8 : i64}
// CHECK: moe.dispatch %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} scale %{{.*}} :
// CHECK: moe.grouped_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {epilogue = #moe.activation<swiglu>}
// CHECK: moe.grouped_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} row_scale %{{.*}} :
// CHECK: moe.combine %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} init %{{.*}} {score_at = #moe.score_at<pre>}
func.func @pieces(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %sb: tensor<8xf32>, %prio: tensor<?xf32>, %w13: tensor<8x256x64xf32>, %b13: tensor<8x256xf32>, %w2: tensor<8x64x128xf32>, %init: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %p = moe.gate %x, %wr {scoring = #moe.scoring<sigmoid>} : tensor<?x64xf32>, tensor<8x64xf32> -> tensor<?x8xf32>
  %ids, %w = moe.topk %p select_bias %sb {k = 2 : i64, renormalize} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  %l = moe.aux_loss %p, %ids : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  %loc, %cnt, %off, %rows, %c = moe.assign %ids priority %prio {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped, row_align = 16>} : (tensor<?x2xi32>, tensor<?xf32>) -> (tensor<?x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
  %xb = moe.dispatch %x, %ids, %loc, %off scale %w : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  %h = moe.grouped_matmul %xb, %w13, %off, %cnt bias %b13 {epilogue = #moe.activation<swiglu>} : (tensor<?x64xf32>, tensor<8x256x64xf32>, tensor<9xi32>, tensor<8xi32>, tensor<8x256xf32>) -> tensor<?x128xf32>
  %rs = tensor.empty(%c) : tensor<?xf32>
  %yb = moe.grouped_matmul %h, %w2, %off, %cnt row_scale %rs : (tensor<?x128xf32>, tensor<8x64x128xf32>, tensor<9xi32>, tensor<8xi32>, tensor<?xf32>) -> tensor<?x64xf32>
  %y = moe.combine %yb, %ids, %loc, %off init %init {score_at = #moe.score_at<pre>} : (tensor<?x64xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func @strategy_and_tile
// CHECK: moe.layer {{.*}}strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>
// CHECK: moe.grouped_matmul {{.*}}{tile = #moe.tile<rows = 1, weight_rows = 16>}
func.func @strategy_and_tile(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x128x64xf32>, %w2: tensor<8x64x128xf32>, %off: tensor<9xi32>, %cnt: tensor<8xi32>) -> (tensor<?x64xf32>, tensor<?x128xf32>) {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x128x64xf32>, tensor<8x64x128xf32>) -> tensor<?x64xf32>
  %h = moe.grouped_matmul %x, %w1, %off, %cnt {tile = #moe.tile<rows = 1, weight_rows = 16>} : (tensor<?x64xf32>, tensor<8x128x64xf32>, tensor<9xi32>, tensor<8xi32>) -> tensor<?x128xf32>
  return %y, %h : tensor<?x64xf32>, tensor<?x128xf32>
}
