// RUN: loom-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{routing needs k >= 1, got 0}}
func.func @routing_k() attributes {r = #moe.routing<k = 0>} { return }

// -----

// expected-error @+1 {{routing scale must be finite and positive, got}}
func.func @routing_scale() attributes {r = #moe.routing<k = 2, scale = -1.0>} { return }

// -----

// expected-error @+1 {{routing needs 1 <= group_topk <= groups, got 5 of 4}}
func.func @routing_groups() attributes {r = #moe.routing<k = 2, groups = 4, group_topk = 5>} { return }

// -----

// expected-error @+1 {{unknown #moe.routing parameter 'topk'}}
func.func @routing_key() attributes {r = #moe.routing<topk = 2>} { return }

// -----

// expected-error @+1 {{#moe.routing needs 'k'}}
func.func @routing_no_k() attributes {r = #moe.routing<renormalize>} { return }

// -----

// expected-error @+1 {{capacity factor must be finite}}
func.func @capacity_inf() attributes {c = #moe.capacity<factor = 0x7FF0000000000000>} { return }

// -----

// expected-error @+1 {{capacity align must be >= 1, got 0}}
func.func @capacity_align() attributes {c = #moe.capacity<factor = 1.0, align = 0>} { return }

// -----

// expected-error @+1 {{row_align must be >= 1, got 0}}
func.func @row_align() attributes {l = #moe.layout<grouped, row_align = 0>} { return }

// -----

// expected-error @+1 {{the padded layout takes no row_align}}
func.func @padded_row_align() attributes {l = #moe.layout<padded, row_align = 4>} { return }

// -----

// expected-error @+1 {{an expert FFN needs an activation}}
func.func @ffn_none() attributes {f = #moe.ffn<none>} { return }

// -----

// expected-error @+1 {{expected 'bias_in' or 'bias_out'}}
func.func @ffn_flag() attributes {f = #moe.ffn<relu, bias>} { return }

// -----

func.func @gate_rank(%x: tensor<4x2x8xf32>, %wr: tensor<4x8xf32>) {
  // expected-error @+1 {{x must be [T, d] and the router [E, d]}}
  %p = moe.gate %x, %wr : tensor<4x2x8xf32>, tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @gate_dynamic_router(%x: tensor<4x8xf32>, %wr: tensor<?x8xf32>) {
  // expected-error @+1 {{the router shape [E, d] must be static}}
  %p = moe.gate %x, %wr : tensor<4x8xf32>, tensor<?x8xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @gate_d(%x: tensor<4x6xf32>, %wr: tensor<4x8xf32>) {
  // expected-error @+1 {{x must have shape ?x8, got 'tensor<4x6xf32>'}}
  %p = moe.gate %x, %wr : tensor<4x6xf32>, tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @gate_scores(%x: tensor<4x8xf32>, %wr: tensor<4x8xf32>) {
  // expected-error @+1 {{scores must have shape 4x4, got 'tensor<4x5xf32>'}}
  %p = moe.gate %x, %wr : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @topk_dynamic_e(%p: tensor<4x?xf32>) {
  // expected-error @+1 {{scores must be [T, E] with a static E}}
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<4x?xf32> -> tensor<4x2xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @topk_k_zero(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{routing needs k >= 1, got 0}}
  %ids, %w = moe.topk %p {k = 0 : i64} : tensor<4x8xf32> -> tensor<4x0xi32>, tensor<4x0xf32>
  return
}

// -----

func.func @topk_k_too_big(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{k = 9 exceeds the 8 experts}}
  %ids, %w = moe.topk %p {k = 9 : i64} : tensor<4x8xf32> -> tensor<4x9xi32>, tensor<4x9xf32>
  return
}

// -----

func.func @topk_scale(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{routing scale must be finite and positive, got 0}}
  %ids, %w = moe.topk %p {k = 2 : i64, scale = 0.0 : f64} : tensor<4x8xf32> -> tensor<4x2xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @topk_groups_divide(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{3 groups do not divide 8 experts}}
  %ids, %w = moe.topk %p {k = 2 : i64, groups = 3 : i64, group_topk = 2 : i64} : tensor<4x8xf32> -> tensor<4x2xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @topk_group_topk(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{k = 4 exceeds the 2 experts of the group_topk best groups}}
  %ids, %w = moe.topk %p {k = 4 : i64, groups = 4 : i64, group_topk = 1 : i64} : tensor<4x8xf32> -> tensor<4x4xi32>, tensor<4x4xf32>
  return
}

// -----

func.func @topk_top2_sum(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{group_score top2_sum needs at least 2 experts per group}}
  %ids, %w = moe.topk %p {k = 2 : i64, groups = 8 : i64, group_topk = 4 : i64, group_score = #moe.group_score<top2_sum>} : tensor<4x8xf32> -> tensor<4x2xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @topk_bias(%p: tensor<4x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{select_bias must have shape 8, got 'tensor<4xf32>'}}
  %ids, %w = moe.topk %p select_bias %b {k = 2 : i64} : tensor<4x8xf32>, tensor<4xf32> -> tensor<4x2xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @topk_ids(%p: tensor<4x8xf32>) {
  // expected-error @+1 {{ids must have shape 4x2, got 'tensor<4x3xi32>'}}
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<4x8xf32> -> tensor<4x3xi32>, tensor<4x2xf32>
  return
}

// -----

func.func @aux_loss_tokens(%p: tensor<4x8xf32>, %ids: tensor<5x2xi32>) {
  // expected-error @+1 {{ids must have shape 4x?, got 'tensor<5x2xi32>'}}
  %l = moe.aux_loss %p, %ids : tensor<4x8xf32>, tensor<5x2xi32> -> tensor<f32>
  return
}

// -----

func.func @assign_dynamic_k(%ids: tensor<4x?xi32>) {
  // expected-error @+1 {{ids must be [T, k] with a static k, got 'tensor<4x?xi32>'}}
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<4x?xi32>) -> (tensor<4x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
  return
}

// -----

func.func @assign_experts(%ids: tensor<4x2xi32>) {
  // expected-error @+1 {{num_experts must be >= 1, got 0}}
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 0 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<4x2xi32>) -> (tensor<4x2xi32>, tensor<0xi32>, tensor<1xi32>, tensor<?xi32>, index)
  return
}

// -----

func.func @assign_priority(%ids: tensor<4x2xi32>, %p: tensor<5xf32>) {
  // expected-error @+1 {{priority must have shape 4, got 'tensor<5xf32>'}}
  %loc, %cnt, %off, %rows, %c = moe.assign %ids priority %p {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<4x2xi32>, tensor<5xf32>) -> (tensor<4x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
  return
}

// -----

func.func @assign_offsets(%ids: tensor<4x2xi32>) {
  // expected-error @+1 {{offsets must have shape 9, got 'tensor<8xi32>'}}
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<4x2xi32>) -> (tensor<4x2xi32>, tensor<8xi32>, tensor<8xi32>, tensor<?xi32>, index)
  return
}

// -----

func.func @assign_counts(%ids: tensor<4x2xi32>) {
  // expected-error @+1 {{counts must have shape 8, got 'tensor<9xi32>'}}
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<4x2xi32>) -> (tensor<4x2xi32>, tensor<9xi32>, tensor<9xi32>, tensor<?xi32>, index)
  return
}

// -----

func.func @dispatch_offsets(%x: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<?xi32>) {
  // expected-error @+1 {{offsets must be a static [E+1] tensor with E >= 1, got 'tensor<?xi32>'}}
  %b = moe.dispatch %x, %ids, %loc, %off : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<?xi32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dispatch_loc(%x: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x1xi32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{loc must have shape 4x2, got 'tensor<4x1xi32>'}}
  %b = moe.dispatch %x, %ids, %loc, %off : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x1xi32>, tensor<9xi32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dispatch_scale(%x: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>, %w: tensor<4x1xf32>) {
  // expected-error @+1 {{scale must have shape 4x2, got 'tensor<4x1xf32>'}}
  %b = moe.dispatch %x, %ids, %loc, %off scale %w : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>, tensor<4x1xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dispatch_result(%x: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{result must have shape ?x8, got 'tensor<?x4xf32>'}}
  %b = moe.dispatch %x, %ids, %loc, %off : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @dispatch_type(%x: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{result element type must match x}}
  %b = moe.dispatch %x, %ids, %loc, %off : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>) -> tensor<?x8xf16>
  return
}

// -----

func.func @gmm_weights(%a: tensor<?x8xf32>, %w: tensor<4x?x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{weights must be a static [E, N, K] tensor, got 'tensor<4x?x8xf32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt : (tensor<?x8xf32>, tensor<4x?x8xf32>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_experts(%a: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<9xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{offsets describe 8 experts but the weights hold 4}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<9xi32>, tensor<4xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_k(%a: tensor<?x6xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{input must have shape ?x8, got 'tensor<?x6xf32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt : (tensor<?x6xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_counts(%a: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<5xi32>) {
  // expected-error @+1 {{counts must have shape 4, got 'tensor<5xi32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<5xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_bias(%a: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %b: tensor<4x8xf32>) {
  // expected-error @+1 {{bias must have shape 4x16, got 'tensor<4x8xf32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt bias %b : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_row_scale(%a: tensor<10x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<9xf32>) {
  // expected-error @+1 {{row_scale must have shape 10, got 'tensor<9xf32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt row_scale %s : (tensor<10x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<9xf32>) -> tensor<10x16xf32>
  return
}

// -----

func.func @gmm_gated_odd(%a: tensor<?x8xf32>, %w: tensor<4x15x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{a gated epilogue needs an even N (gate and up rows), got 15}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt {epilogue = #moe.activation<swiglu>} : (tensor<?x8xf32>, tensor<4x15x8xf32>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x7xf32>
  return
}

// -----

func.func @gmm_gated_result(%a: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{result must have shape ?x8, got 'tensor<?x16xf32>'}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt {epilogue = #moe.activation<geglu>} : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_types(%a: tensor<?x8xf32>, %w: tensor<4x16x8xbf16>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) {
  // expected-error @+1 {{input, weights and result must share an element type}}
  %y = moe.grouped_matmul %a, %w, %off, %cnt : (tensor<?x8xf32>, tensor<4x16x8xbf16>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @combine_post(%y: tensor<?x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{post-score combine needs weights}}
  %o = moe.combine %y, %ids, %loc, %off : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @combine_pre(%y: tensor<?x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{pre-score combine takes no weights (they were applied at dispatch)}}
  %o = moe.combine %y, %ids, %loc, %off weights %w {score_at = #moe.score_at<pre>} : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @combine_init(%y: tensor<?x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>, %w: tensor<4x2xf32>, %i: tensor<4x6xf32>) {
  // expected-error @+1 {{init must have shape 4x8, got 'tensor<4x6xf32>'}}
  %o = moe.combine %y, %ids, %loc, %off weights %w init %i : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>, tensor<4x2xf32>, tensor<4x6xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @combine_result(%y: tensor<?x8xf32>, %ids: tensor<4x2xi32>, %loc: tensor<4x2xi32>, %off: tensor<9xi32>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{result must have shape 4x8, got 'tensor<5x8xf32>'}}
  %o = moe.combine %y, %ids, %loc, %off weights %w : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<4x2xi32>, tensor<9xi32>, tensor<4x2xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @layer_router(%x: tensor<?x8xf32>, %wr: tensor<?x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the router must be a static [E, d] tensor}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_router_d(%x: tensor<?x8xf32>, %wr: tensor<4x6xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{router must have shape 4x8, got 'tensor<4x6xf32>'}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x6xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_expert_count(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<3x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{w_in must hold 4 experts of 32x8, got 3 of 32x8}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<3x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_gated_rows(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x16x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{a gated FFN needs w_in with 2h = 32 rows (gate rows first), got 16}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_plain_rows(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{w_in has 32 rows but w_out expects h = 16}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_k(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{k = 5 exceeds the 4 experts}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 5>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_select_bias(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{select_bias must have shape 4, got 'tensor<8xf32>'}}
  %y = moe.layer %x, %wr, %w1, %w2 select_bias %b {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_bias_flags(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>, %b: tensor<4x32xf32>) {
  // expected-error @+1 {{bias operands must match the ffn's bias_in / bias_out flags}}
  %y = moe.layer %x, %wr, %w1, %w2 bias_in %b {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<4x32xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_bias_shape(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{bias_in must have shape 4x32, got 'tensor<4x16xf32>'}}
  %y = moe.layer %x, %wr, %w1, %w2 bias_in %b {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu, bias_in>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<4x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_shared_gate_alone(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{a shared_gate needs a shared expert}}
  %y = moe.layer %x, %wr, %w1, %w2 shared_gate %g {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_shared_shape(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>, %s1: tensor<24x8xf32>, %s2: tensor<8x24xf32>) {
  // expected-error @+1 {{shared_in must have shape 48x8, got 'tensor<24x8xf32>'}}
  %y = moe.layer %x, %wr, %w1, %w2 shared(%s1, %s2) {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<24x8xf32>, tensor<8x24xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @layer_aux(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the aux result is present iff 'aux_loss' is set}}
  %y, %a = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> (tensor<?x8xf32>, tensor<f32>)
  return
}

// -----

func.func @layer_result(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{result must have shape ?x8, got 'tensor<?x16xf32>'}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// expected-error @+1 {{a tile needs rows >= 1 and an even weight_rows >= 2, got 0 and 6}}
func.func @tile_rows() attributes {t = #moe.tile<rows = 0, weight_rows = 6>} { return }

// -----

// expected-error @+1 {{a tile needs rows >= 1 and an even weight_rows >= 2, got 4 and 5}}
func.func @tile_odd() attributes {t = #moe.tile<rows = 4, weight_rows = 5>} { return }

// -----

// expected-error @+1 {{a tile of 4 x 8 keeps 32 accumulators, its row vectors and a weight vector: more than the 32 vector registers}}
func.func @tile_spills() attributes {t = #moe.tile<rows = 4, weight_rows = 8>} { return }

// -----

func.func @dense_capacity(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the dense strategy cannot drop tokens: it needs capacity factor 0}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 1.0>, ffn = #moe.ffn<swiglu>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dense_prescore(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the dense strategy needs post-score combine}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, score_at = #moe.score_at<pre>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dense_layout(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{a dense layer has no row layout}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, layout = #moe.layout<grouped>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @strategy_layout(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the grouped layout disagrees with the padded strategy}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, layout = #moe.layout<grouped>, strategy = #moe.strategy<padded, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @strategy_padded_layout(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{the padded layout disagrees with the grouped strategy}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, layout = #moe.layout<padded>, strategy = #moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @gmm_gather(%x: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %g: tensor<12xi32>) {
  // expected-error @+1 {{result must have shape 12x16, got 'tensor<10x16xf32>'}}
  %y = moe.grouped_matmul %x, %w, %off, %cnt gather %g : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<12xi32>) -> tensor<10x16xf32>
  return
}

// -----

func.func @gmm_gather_rank(%x: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %g: tensor<12x1xi32>) {
  // expected-error @+1 {{gather must have shape 12, got 'tensor<12x1xi32>'}}
  %y = moe.grouped_matmul %x, %w, %off, %cnt gather %g : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<12x1xi32>) -> tensor<12x16xf32>
  return
}

// -----

func.func @gmm_scatter_rows(%h: tensor<12x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<10xi32>, %init: tensor<?x16xf32>) {
  // expected-error @+1 {{scatter must have shape 12, got 'tensor<10xi32>'}}
  %y = moe.grouped_matmul %h, %w, %off, %cnt scatter %s into %init : (tensor<12x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<10xi32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_scatter_init(%h: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<?xi32>, %init: tensor<?x12xf32>) {
  // expected-error @+1 {{init must have shape ?x16, got 'tensor<?x12xf32>'}}
  %y = moe.grouped_matmul %h, %w, %off, %cnt scatter %s into %init : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x12xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @gmm_scatter_result(%h: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<?xi32>, %init: tensor<?x16xf32>) {
  // expected-error @+1 {{a scatter's result has the type of its init, 'tensor<?x16xf32>'}}
  %y = moe.grouped_matmul %h, %w, %off, %cnt scatter %s into %init : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x16xf32>) -> tensor<7x16xf32>
  return
}

// -----

func.func @gmm_scatter_without_init(%h: tensor<?x8xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{scatter and init come together}}
  %y = "moe.grouped_matmul"(%h, %w, %off, %cnt, %s) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 1, 0>}> : (tensor<?x8xf32>, tensor<4x16x8xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>) -> tensor<?x16xf32>
  return
}

// -----

!w1 = !lut.packed<32x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @lowbit_with_float(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %a: !w1, %b: !w1, %w2: tensor<2x64x16xf32>) {
  %w = lut.stack %a, %b : !lut.stacked<2, !w1>
  // expected-error @+1 {{expert weights must be static [E, H, d] and [E, d, h] float tensors, or two !lut.stacked weights of such matrices}}
  %y = moe.layer %x, %wr, %w, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<2x64xf32>, !lut.stacked<2, !w1>, tensor<2x64x16xf32>) -> tensor<?x64xf32>
  return
}

// -----

!w1 = !lut.packed<32x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
!w2 = !lut.packed<64x16, #lut.quant<signed, bits = 2, group = 16>, #lut.layout<bitplane>>
func.func @lowbit_experts_count(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %a: !w1, %b: !w2) {
  %w1 = lut.stack %a : !lut.stacked<1, !w1>
  %w2 = lut.stack %b : !lut.stacked<1, !w2>
  // expected-error @+1 {{w_in must hold 2 experts of 32x64, got 1 of 32x64}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<2x64xf32>, !lut.stacked<1, !w1>, !lut.stacked<1, !w2>) -> tensor<?x64xf32>
  return
}

// -----

!w1 = !lut.packed<32x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
!w2 = !lut.packed<64x16, #lut.quant<signed, bits = 2, group = 16>, #lut.layout<bitplane>>
func.func @lowbit_dense(%x: tensor<?x64xf32>, %wr: tensor<2x64xf32>, %w1: !lut.stacked<2, !w1>, %w2: !lut.stacked<2, !w2>) {
  // expected-error @+1 {{the dense strategy needs float expert weights}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>} : (tensor<?x64xf32>, tensor<2x64xf32>, !lut.stacked<2, !w1>, !lut.stacked<2, !w2>) -> tensor<?x64xf32>
  return
}

// -----

func.func @expert_weights_rank(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: tensor<32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{expert weights must be static [E, H, d] and [E, d, h] float tensors, or two !lut.stacked weights of such matrices}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @expert_weights_type(%x: tensor<?x8xf32>, %wr: tensor<4x8xf32>, %w1: memref<4x32x8xf32>, %w2: tensor<4x8x16xf32>) {
  // expected-error @+1 {{operand #2 must be expert weights (a float tensor or a !lut.stacked weight)}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<4x8xf32>, memref<4x32x8xf32>, tensor<4x8x16xf32>) -> tensor<?x8xf32>
  return
}
