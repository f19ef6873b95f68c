// RUN: loom-compile --help | FileCheck %s --implicit-check-not=--amdgpu --implicit-check-not=--x86-

// --help shows MLIR's printing options and loom-compile's own, not the LLVM
// backend flags linked in with the targets.
// CHECK: --mlir-print-ir-after=<pass-arg>
// CHECK: loom-compile options:
// CHECK-DAG: --emit=<value>
// CHECK-DAG: --pipeline=<value>
