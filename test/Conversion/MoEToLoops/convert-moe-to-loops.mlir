// RUN: loom-opt %s -split-input-file --convert-moe-to-loops --canonicalize | FileCheck %s

// Tutel's adaptive capacity: C = min(max load, k * int(1.25 * ceil(T / E))),
// rounded up to align = 2; slot-major locations keep a running count per
// expert; grouped offsets round each kept count up to row_align = 4.
// CHECK-LABEL: func @assign_adaptive
// CHECK-SAME: (%[[IDS:.*]]: tensor<?x2xi32>)
// CHECK-DAG: %[[CF:.*]] = arith.constant 1.250000e+00 : f64
// CHECK: %[[LOADS:.*]]:2 = scf.for {{.*}} -> (tensor<4xi32>, i32)
// CHECK: arith.maxsi
// CHECK: %[[Q:.*]] = arith.ceildivsi %{{.*}}, %c4_i32 : i32
// CHECK: %[[QF:.*]] = arith.sitofp %[[Q]] : i32 to f64
// CHECK: %[[SCALED:.*]] = arith.mulf %[[QF]], %[[CF]] : f64
// CHECK: %[[INT:.*]] = arith.fptosi %[[SCALED]] : f64 to i32
// CHECK: %[[FIXED:.*]] = arith.muli %[[INT]], %c2_i32 : i32
// CHECK: %[[MIN:.*]] = arith.minsi %[[LOADS]]#1, %[[FIXED]] : i32
// CHECK: %[[UP:.*]] = arith.ceildivsi %[[MIN]], %c2_i32 : i32
// CHECK: %[[C:.*]] = arith.muli %[[UP]], %c2_i32 : i32
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[KEPT:.*]] = arith.cmpi slt, %[[COUNT:.*]], %[[C]] : i32
// CHECK: arith.select %[[KEPT]], %[[COUNT]], %c-1_i32 : i32
// CHECK: arith.ceildivsi %{{.*}}, %c4_i32 : i32
func.func @assign_adaptive(%ids: tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index) {
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 4 : i64, capacity = #moe.capacity<factor = -1.25, align = 2>, layout = #moe.layout<grouped, row_align = 4>} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  return %loc, %cnt, %off, %rows, %c : tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index
}

// -----

// Top-k is k rounds of first-index-of-max (strict >, so ties go to the
// lower id), masking each winner with -inf; weights are renormalized with
// Tutel's 2^-23 clamp.
// CHECK-LABEL: func @topk
// CHECK: scf.for
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: arith.ori %{{.*}}, %[[GT]] : i1
// CHECK: tensor.insert %cst{{.*}} : tensor<8xf32>
// CHECK: arith.maximumf %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.divf
func.func @topk(%p: tensor<?x8xf32>) -> (tensor<?x2xi32>, tensor<?x2xf32>) {
  %ids, %w = moe.topk %p {k = 2 : i64, renormalize} : tensor<?x8xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  return %ids, %w : tensor<?x2xi32>, tensor<?x2xf32>
}

// -----

// A whole layer lowers completely: no moe op is left.
// CHECK-LABEL: func @layer
// CHECK-NOT: moe.
// CHECK: math.exp
// CHECK-NOT: moe.
// CHECK: return
func.func @layer(%x: tensor<?x16xf32>, %wr: tensor<4x16xf32>, %w1: tensor<4x64x16xf32>, %w2: tensor<4x16x32xf32>) -> tensor<?x16xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x64x16xf32>, tensor<4x16x32xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
