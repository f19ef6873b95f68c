// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-quantize-tables 2>&1 | FileCheck %s

// Q, K and V projections of one activation share one (mirrored, int8)
// activation table: three lookups, one precompute.
// CHECK-COUNT-1: lut.table_precompute
// CHECK-NOT: lut.table_precompute
// CHECK-COUNT-3: lut.lookup_accumulate
!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @qkv(%x: tensor<?x64xf32>, %cq: tensor<128x64xi8>, %ck: tensor<128x64xi8>, %cv: tensor<128x64xi8>, %s: tensor<1x1xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>) {
  %wq = lut.pack %cq, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %wk = lut.pack %ck, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %wv = lut.pack %cv, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %q = lut.mpgemm %x, %wq : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  %k = lut.mpgemm %x, %wk : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  %v = lut.mpgemm %x, %wv : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %q, %k, %v : tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>
}
