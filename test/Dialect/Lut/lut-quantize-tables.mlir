// RUN: loom-opt %s -split-input-file --lut-quantize-tables | FileCheck %s

!w = !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>

// A table_i8 chain: int8 tables with their tscale, i32 sums, and an
// epilogue that multiplies the sums by tscale.
// CHECK-LABEL: func @table_i8
// CHECK: %[[T:.*]], %[[XS:.*]], %[[TS:.*]] = lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, mirror, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x8xi8>, tensor<?x2xf32>, tensor<?x2xf32>
// CHECK: %[[ACC:.*]] = lut.lookup_accumulate %[[T]], %{{.*}} {segment = 32 : i64} : tensor<?x16x8xi8>, !lut.packed{{.*}} -> tensor<?x128x2xi32>
// CHECK: lut.scale_combine %[[ACC]], %{{.*}}, %[[XS]] tscale %[[TS]] : tensor<?x128x2xi32>, !lut.packed{{.*}}, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x128xf32>
func.func @table_i8(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  %t, %xs = lut.table_precompute %x {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, segment = 32 : i64, mirror} : tensor<?x64xf32> -> tensor<?x16x8xf32>, tensor<?x2xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x16x8xf32>, !w -> tensor<?x128x2xf32>
  %y = lut.scale_combine %acc, %w, %xs : tensor<?x128x2xf32>, !w, tensor<?x2xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>

// fp GEMMs keep their f32 tables.
// CHECK-LABEL: func @fp
// CHECK: lut.table_precompute {{.*}} -> tensor<?x16x16xf32>, tensor<?x2xf32>{{$}}
// CHECK-NOT: tscale
func.func @fp(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  %t, %xs = lut.table_precompute %x {accuracy = #lut.accuracy<fp>, g = 4 : i64, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x16xf32>, tensor<?x2xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x16x16xf32>, !w -> tensor<?x128x2xf32>
  %y = lut.scale_combine %acc, %w, %xs : tensor<?x128x2xf32>, !w, tensor<?x2xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}
