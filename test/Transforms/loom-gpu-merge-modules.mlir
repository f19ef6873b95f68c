// RUN: loom-opt %s -split-input-file -verify-diagnostics --loom-gpu-merge-modules | FileCheck %s

// Three outlined kernels end up in the first module; a clashing symbol of a
// later one is renamed, and the launches follow.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @a
// CHECK: gpu.func @ka
// CHECK: gpu.func @kb
// CHECK: gpu.func @ka_0
// CHECK-NOT: gpu.module
// CHECK: gpu.launch_func @a::@ka
// CHECK: gpu.launch_func @a::@kb
// CHECK: gpu.launch_func @a::@ka_0
module attributes {gpu.container_module} {
  gpu.module @a {
    gpu.func @ka() kernel { gpu.return }
  }
  gpu.module @b {
    gpu.func @kb() kernel { gpu.return }
  }
  gpu.module @c {
    gpu.func @ka() kernel { gpu.return }
  }
  func.func @f() {
    %one = arith.constant 1 : index
    gpu.launch_func @a::@ka blocks in (%one, %one, %one) threads in (%one, %one, %one)
    gpu.launch_func @b::@kb blocks in (%one, %one, %one) threads in (%one, %one, %one)
    gpu.launch_func @c::@ka blocks in (%one, %one, %one) threads in (%one, %one, %one)
    return
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @a [#nvvm.target<chip = "sm_90">] {
    gpu.func @ka() kernel { gpu.return }
  }
  // expected-error @below {{cannot merge kernels compiled for other targets than a}}
  gpu.module @b [#nvvm.target<chip = "sm_80">] {
    gpu.func @kb() kernel { gpu.return }
  }
}
