// RUN: loom-opt %s -split-input-file --lut-symmetrize-tables | FileCheck %s

!w = !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>

// The table keeps the 8 entries whose top index bit is clear.
// CHECK-LABEL: func @half_table
// CHECK: %[[T:.*]], %[[XS:.*]] = lut.table_precompute %{{.*}} {g = 4 : i64, mirror, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x8xf32>, tensor<?x2xf32>
// CHECK: lut.lookup_accumulate %[[T]], %{{.*}} {segment = 32 : i64} : tensor<?x16x8xf32>, !lut.packed
func.func @half_table(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128x2xf32> {
  %t, %xs = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x16xf32>, tensor<?x2xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x16x16xf32>, !w -> tensor<?x128x2xf32>
  return %acc : tensor<?x128x2xf32>
}

// -----

// A table that escapes to another op keeps its full size.
// CHECK-LABEL: func @escaping
// CHECK: lut.table_precompute %{{.*}} {g = 8 : i64, segment = 64 : i64} : tensor<2x64xf32> -> tensor<2x8x256xf32>
func.func @escaping(%x: tensor<2x64xf32>) -> tensor<2x8x256xf32> {
  %t, %xs = lut.table_precompute %x {g = 8 : i64, segment = 64 : i64} : tensor<2x64xf32> -> tensor<2x8x256xf32>, tensor<2x1xf32>
  return %t : tensor<2x8x256xf32>
}
