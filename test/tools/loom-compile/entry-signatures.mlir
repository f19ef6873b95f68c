// Entry points without inputs, without results, returning a constant, and
// with a rank-0 tensor all get a working C trampoline.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/libentries.so
// RUN: loom-run %t/libentries.so --entry nothing | FileCheck %s --check-prefix=NOTHING
// RUN: loom-run %t/libentries.so --entry constant | FileCheck %s --check-prefix=CONSTANT
// RUN: %python -c "import numpy as np; np.save('%t/s.npy', np.array(3.5, dtype=np.float64))"
// RUN: loom-run %t/libentries.so --entry scalar --input %t/s.npy | FileCheck %s --check-prefix=SCALAR
// RUN: FileCheck %s --check-prefix=HEADER < %t/entries.h

// NOTHING: time: 1 run(s)
// CONSTANT: output 0: f32[2] = 1 2
// SCALAR: output 0: f64[] = 7
// HEADER: LoomStatus loom_run_nothing(const LoomTensorList *inputs, LoomTensorList **outputs);
// HEADER: LoomStatus loom_run_constant(
// HEADER: {"entry": "scalar", "inputs": [{"name": "arg0", "dtype": "f64", "shape": []}], "outputs": [{"name": "result0", "dtype": "f64", "shape": []}]}

func.func @nothing() {
  return
}

func.func @constant() -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

func.func @scalar(%a: tensor<f64>) -> tensor<f64> {
  %v = tensor.extract %a[] : tensor<f64>
  %d = arith.addf %v, %v : f64
  %r = tensor.from_elements %d : tensor<f64>
  return %r : tensor<f64>
}
