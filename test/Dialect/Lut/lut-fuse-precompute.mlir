// RUN: loom-opt %s -split-input-file --lut-fuse-precompute | FileCheck %s

#nk = affine_map<(n, k) -> (n, k)>
#n = affine_map<(n, k) -> (n)>
#k = affine_map<(n, k) -> (k)>

// The normalization step of an RMSNorm feeds two precomputes (two segment
// sizes): both take over its body, the producer disappears. (The greedy
// driver hoists the body's constant: the region is not isolated.)
// CHECK-LABEL: func @rmsnorm
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[SS:.*]]: tensor<?xf32>, %[[G:.*]]: tensor<64xf32>, %[[EPS:.*]]: f32)
// CHECK-NOT: linalg.generic
// CHECK: %[[C:.*]] = arith.constant 6.400000e+01 : f32
// CHECK: %[[T:[^,]*]], %{{.*}}, %{{.*}} = lut.fused_table_precompute ins(%[[X]], %[[SS]], %[[G]] : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>) attributes {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, indexing_maps = [#[[NK:.*]], #[[N:.*]], #[[K:.*]]], segment = 32 : i64} {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[S:.*]]: f32, %[[GG:.*]]: f32):
// CHECK-NEXT:   %[[MEAN:.*]] = arith.divf %[[S]], %[[C]] : f32
// CHECK-NEXT:   %[[ME:.*]] = arith.addf %[[MEAN]], %[[EPS]] : f32
// CHECK-NEXT:   %[[R:.*]] = math.sqrt %[[ME]] : f32
// CHECK-NEXT:   %[[NRM:.*]] = arith.divf %[[A]], %[[R]] : f32
// CHECK-NEXT:   %[[V:.*]] = arith.mulf %[[NRM]], %[[GG]] : f32
// CHECK-NEXT:   lut.yield %[[V]] : f32
// CHECK-NEXT: } -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
// CHECK: lut.fused_table_precompute ins(%[[X]], %[[SS]], %[[G]] : {{.*}}) attributes {{{.*}}segment = 64 : i64}
// CHECK: return %[[T]], %{{.*}}
func.func @rmsnorm(%x: tensor<?x64xf32>, %ss: tensor<?xf32>, %g: tensor<64xf32>, %eps: f32)
    -> (tensor<?x16x16xi8>, tensor<?x16x16xi8>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %h = linalg.generic {indexing_maps = [#nk, #n, #k, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %g : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %s: f32, %gg: f32, %o: f32):
    %c = arith.constant 64.0 : f32
    %mean = arith.divf %s, %c : f32
    %me = arith.addf %mean, %eps : f32
    %r = math.sqrt %me : f32
    %nrm = arith.divf %a, %r : f32
    %v = arith.mulf %nrm, %gg : f32
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  %t, %xs, %ts = lut.table_precompute %h {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
  %t2, %xs2, %ts2 = lut.table_precompute %h {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, segment = 64 : i64} : tensor<?x64xf32> -> tensor<?x16x16xi8>, tensor<?x1xf32>, tensor<?x1xf32>
  return %t, %t2 : tensor<?x16x16xi8>, tensor<?x16x16xi8>
}

// -----

#nk = affine_map<(n, k) -> (n, k)>

// A residual add whose result is also returned stays: the activations must
// reach memory anyway.
// CHECK-LABEL: func @other_user
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: lut.table_precompute %[[H]]
// CHECK-NOT: lut.fused_table_precompute
func.func @other_user(%x: tensor<4x64xf32>, %r: tensor<4x64xf32>) -> (tensor<4x16x16xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %h = linalg.generic {indexing_maps = [#nk, #nk, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x, %r : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  %t, %xs = lut.table_precompute %h {g = 4 : i64, segment = 32 : i64} : tensor<4x64xf32> -> tensor<4x16x16xf32>, tensor<4x2xf32>
  return %t, %h : tensor<4x16x16xf32>, tensor<4x64xf32>
}

// -----

#nk = affine_map<(n, k) -> (n, k)>

// A body that reads the init value is an accumulation, not a producer.
// CHECK-LABEL: func @reads_init
// CHECK: linalg.generic
// CHECK: lut.table_precompute
func.func @reads_init(%x: tensor<4x64xf32>, %init: tensor<4x64xf32>) -> tensor<4x16x16xf32> {
  %h = linalg.generic {indexing_maps = [#nk, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%init : tensor<4x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  %t, %xs = lut.table_precompute %h {g = 4 : i64, segment = 32 : i64} : tensor<4x64xf32> -> tensor<4x16x16xf32>, tensor<4x2xf32>
  return %t : tensor<4x16x16xf32>
}

// -----

#nk = affine_map<(n, k) -> (n, k)>
#n = affine_map<(n, k) -> (n)>

// A reduction is not elementwise (the sum of squares of an RMSNorm is
// computed before, on its own).
// CHECK-LABEL: func @reduction
// CHECK: linalg.generic
// CHECK: lut.table_precompute
func.func @reduction(%x: tensor<4x64xf32>, %init: tensor<4xf32>) -> tensor<4x16x16xf32> {
  %s = linalg.generic {indexing_maps = [#nk, #n], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x64xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %t = arith.addf %m, %o : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %e = tensor.empty() : tensor<4x64xf32>
  %b = linalg.broadcast ins(%s : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
  %t, %xs = lut.table_precompute %b {g = 4 : i64, segment = 32 : i64} : tensor<4x64xf32> -> tensor<4x16x16xf32>, tensor<4x2xf32>
  return %t : tensor<4x16x16xf32>
}

// -----

#nk = affine_map<(n, k) -> (n, k)>

// int8 activations with their scales are quantized elsewhere.
// CHECK-LABEL: func @i8_activations
// CHECK: linalg.generic
// CHECK: lut.table_precompute
func.func @i8_activations(%x: tensor<4x64xi8>, %sx: tensor<4xf32>) -> tensor<4x16x16xi16> {
  %e = tensor.empty() : tensor<4x64xi8>
  %h = linalg.generic {indexing_maps = [#nk, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xi8>) outs(%e : tensor<4x64xi8>) {
  ^bb0(%a: i8, %o: i8):
    %s = arith.addi %a, %a : i8
    linalg.yield %s : i8
  } -> tensor<4x64xi8>
  %t, %xs, %ts = lut.table_precompute %h x_scale %sx {g = 4 : i64, segment = 32 : i64} : tensor<4x64xi8>, tensor<4xf32> -> tensor<4x16x16xi16>, tensor<4x2xf32>, tensor<4x2xf32>
  return %t : tensor<4x16x16xi16>
}

// -----

#nk = affine_map<(n, k) -> (n, k)>
#s = affine_map<(n, k) -> ()>

// A scalar operand of the generic is not a tensor the fused op could read.
// CHECK-LABEL: func @scalar_input
// CHECK: linalg.generic
// CHECK: lut.table_precompute
func.func @scalar_input(%x: tensor<4x64xf32>, %c: f32) -> tensor<4x16x16xf32> {
  %e = tensor.empty() : tensor<4x64xf32>
  %h = linalg.generic {indexing_maps = [#nk, #s, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x, %c : tensor<4x64xf32>, f32) outs(%e : tensor<4x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.mulf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  %t, %xs = lut.table_precompute %h {g = 4 : i64, segment = 32 : i64} : tensor<4x64xf32> -> tensor<4x16x16xf32>, tensor<4x2xf32>
  return %t : tensor<4x16x16xf32>
}
