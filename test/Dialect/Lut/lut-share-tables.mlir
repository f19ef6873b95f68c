// RUN: loom-opt %s -split-input-file --lut-share-tables --cse | FileCheck %s

// Two gathers of one activation: one table build over every row of %x, and
// each GEMM gathers the rows of its tables, sums and scales.
// CHECK-LABEL: func @two_experts
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[R0:.*]]: tensor<?xi32>, %[[R1:.*]]: tensor<?xi32>
// CHECK: %[[T:.*]], %[[XS:.*]], %[[TS:.*]] = lut.table_precompute %[[X]] {{.*}} : tensor<?x64xf32> -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
// CHECK-NOT: lut.table_precompute
// CHECK-DAG: lut.gather_rows %[[T]][%[[R0]]] : tensor<?x16x16xi8>, tensor<?xi32> -> tensor<?x16x16xi8>
// CHECK-DAG: lut.gather_rows %[[XS]][%[[R0]]] : tensor<?x2xf32>, tensor<?xi32> -> tensor<?x2xf32>
// CHECK-DAG: lut.gather_rows %[[TS]][%[[R0]]]
// CHECK-DAG: lut.gather_rows %[[T]][%[[R1]]]
// CHECK-NOT: lut.gather_rows %[[X]]
!w = !lut.packed<64x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @two_experts(%x: tensor<?x64xf32>, %r0: tensor<?xi32>, %r1: tensor<?xi32>, %w0: !w, %w1: !w) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %x0 = lut.gather_rows %x[%r0] : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %t0, %s0, %q0 = lut.table_precompute %x0 {g = 4 : i64, segment = 32 : i64, accuracy = #lut.accuracy<table_i8>} : tensor<?x64xf32> -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
  %a0 = lut.lookup_accumulate %t0, %w0 {segment = 32 : i64} : tensor<?x16x16xi8>, !w -> tensor<?x64x2xi32>
  %y0 = lut.scale_combine %a0, %w0, %s0 tscale %q0 : tensor<?x64x2xi32>, !w, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x64xf32>
  %x1 = lut.gather_rows %x[%r1] : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %t1, %s1, %q1 = lut.table_precompute %x1 {g = 4 : i64, segment = 32 : i64, accuracy = #lut.accuracy<table_i8>} : tensor<?x64xf32> -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
  %a1 = lut.lookup_accumulate %t1, %w1 {segment = 32 : i64} : tensor<?x16x16xi8>, !w -> tensor<?x64x2xi32>
  %y1 = lut.scale_combine %a1, %w1, %s1 tscale %q1 : tensor<?x64x2xi32>, !w, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %y0, %y1 : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

// int8 activations keep their gather: their activation scales are not
// gathered with them.
// CHECK-LABEL: func @int8_activations
// CHECK: %[[G:.*]] = lut.gather_rows
// CHECK: lut.table_precompute %[[G]] x_scale
!w = !lut.packed<64x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @int8_activations(%x: tensor<?x64xi8>, %sx: tensor<?xf32>, %r: tensor<?xi32>) -> (tensor<?x16x16xi16>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %g = lut.gather_rows %x[%r] : tensor<?x64xi8>, tensor<?xi32> -> tensor<?x64xi8>
  %t, %s, %q = lut.table_precompute %g x_scale %sx {g = 4 : i64, segment = 32 : i64} : tensor<?x64xi8>, tensor<?xf32> -> tensor<?x16x16xi16>, tensor<?x2xf32>, tensor<?x2xf32>
  return %t, %s, %q : tensor<?x16x16xi16>, tensor<?x2xf32>, tensor<?x2xf32>
}
