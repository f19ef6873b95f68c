// convert-moe-to-gpu's remarks (loom-compile --target=nvptx
// --cost-model-remarks): each grouped GEMM's block shapes and the rows per
// expert that choose them at run time, where its segments come from, and
// each plan left on the host and why.
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu=remarks=1 -verify-diagnostics -o /dev/null
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu="remarks=1 tensor-cores=1 fill-blocks=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MMA

// MMA: remark: convert-moe-to-gpu: one launch over 4 experts' segments (their offsets copied from the host), by the rows per expert at run time: from 32, 64 x 64 blocks on TF32 tensor cores; below 32, 16 x 128 blocks of 2 x 4 per thread; below 4, row vectors (2 columns per warp).
// MMA: remark: convert-moe-to-gpu: one launch over 4 experts' segments (their offsets copied from the host), by the rows per expert at run time: from 32, 64 x 64 blocks on f16 tensor cores;
func.func @host_segments(%x: tensor<?x16xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<0.25> : tensor<4x8x16xf32>
  // expected-remark @below {{convert-moe-to-gpu: one launch over 4 experts' segments (their offsets copied from the host), by the rows per expert at run time: from 32, 64 x 64 blocks of 4 x 4 per thread; below 32, 16 x 128 blocks of 2 x 4 per thread (16 x 32 blocks of 2 x 1 per thread where those would be fewer than 264 blocks); below 4, row vectors (2 columns per warp). No GPU class has a learned model until a GPU has measured one: fixed thresholds and options decide}}
  %h = moe.grouped_matmul %x, %w, %off, %cnt : (tensor<?x16xf32>, tensor<4x8x16xf32>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x8xf32>
  return %h : tensor<?x8xf32>
}

// -----

func.func @f16_experts(%x: tensor<?x16xf16>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) -> tensor<?x8xf16> {
  %w = arith.constant dense<0.25> : tensor<4x8x16xf16>
  // expected-remark @below {{one launch over 4 experts' segments}}
  %h = moe.grouped_matmul %x, %w, %off, %cnt : (tensor<?x16xf16>, tensor<4x8x16xf16>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x8xf16>
  return %h : tensor<?x8xf16>
}

// -----

// A dropless plan runs on the device, and the GEMM reads its offsets
// there; the combine is fused into the second GEMM.
func.func @dropless_plan(%x: tensor<?x16xf32>, %s: tensor<?xi32>, %rs: tensor<?xf32>, %init: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %w1 = arith.constant dense<0.25> : tensor<4x12x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<4x16x12xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  // expected-remark @below {{one launch over 4 experts' segments (their offsets from the plan kernel), by the rows per expert at run time}}
  %h = moe.grouped_matmul %x, %w1, %off, %cnt gather %rows : (tensor<?x16xf32>, tensor<4x12x16xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>) -> tensor<?x12xf32>
  // expected-remark @below {{below 4, row vectors (2 columns per warp); the combine fused: a scatter kernel adds the rows in expert order. No GPU class}}
  %y = moe.grouped_matmul %h, %w2, %off, %cnt row_scale %rs scatter %s into %init : (tensor<?x12xf32>, tensor<4x16x12xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xf32>, tensor<?xi32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

func.func @host_plans(%x: tensor<?x16xf32>, %priority: tensor<?xf32>, %given: tensor<?x2xi32>) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, index, tensor<?xi32>) {
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  // expected-remark @below {{convert-moe-to-gpu: this plan stays on the host: a capacity, whose drops the data decide}}
  %l0, %n0, %o0, %r0, %c0 = moe.assign %ids {capacity = #moe.capacity<factor = 1.25>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  // expected-remark @below {{this plan stays on the host: a priority order (a sort)}}
  %l1, %n1, %o1, %r1, %c1 = moe.assign %ids priority %priority {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>, tensor<?xf32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  // expected-remark @below {{this plan stays on the host: an aligned or padded layout, whose rows the data decide}}
  %l2, %n2, %o2, %r2, %c2 = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped, row_align = 8>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  // expected-remark @below {{this plan stays on the host: its capacity value, which the host reads}}
  %l3, %n3, %o3, %r3, %c3 = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  // expected-remark @below {{this plan stays on the host: ids that are not the routing kernel's (maybe out of range)}}
  %l4, %n4, %o4, %r4, %c4 = moe.assign %given {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  return %r0, %r1, %r2, %c3, %r4 : tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, index, tensor<?xi32>
}
