// A C program calls a compiled model through its generated header, with
// valid inputs and with every kind of bad input, under AddressSanitizer.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/libmodel.so
// RUN: %cc -fsanitize=address -g %S/c_api_test.c -I%t -I%loom_include -L%t -lmodel -Wl,-rpath,%t -o %t/c_api_test
// RUN: %t/c_api_test | FileCheck %s
// RUN: test -f %t/model.h

// CHECK: entry points: add pair
// CHECK: signature(add): {"entry": "add", "inputs": [{"name": "arg0", "dtype": "f32", "shape": [-1, 4]}, {"name": "arg1", "dtype": "f32", "shape": [-1, 4]}], "outputs": [{"name": "result0", "dtype": "f32", "shape": [-1, 4]}]}
// CHECK: add: ok 2x4
// CHECK: pair: ok
// CHECK: wrong dtype: status 2: add: input 1 (arg1) has element type i32, expected f32
// CHECK: wrong rank: status 3: add: input 0 (arg0) has rank 1, expected 2
// CHECK: wrong shape: status 4: add: input 0 (arg0) has shape [2, 3], expected [?, 4]
// CHECK: wrong count: status 1: add: expected 2 inputs, got 1
// CHECK: null input: status 1: add: input 0 (arg0) is null
// CHECK: null list: status 1: loom_run: null entry, inputs or outputs pointer
// CHECK: unknown entry: status 1: no entry point named 'nope'
// CHECK: negative dim: tensor NULL: dimension 0 is negative (-1)
// CHECK: all checks passed

func.func @add(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = arith.addf %a, %b : tensor<?x4xf32>
  return %c : tensor<?x4xf32>
}

// The second result is the argument itself: the runtime must copy it, not
// hand the caller's buffer back as an owned tensor.
func.func @pair(%a: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>) {
  %c = arith.addi %a, %a : tensor<3xi32>
  return %c, %a : tensor<3xi32>, tensor<3xi32>
}
