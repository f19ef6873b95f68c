// RUN: loom-opt %s --loom-readonly-entry-arguments | FileCheck %s

// CHECK-LABEL: func.func @entry
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: i64, %{{.*}}: tensor<?xi8> {bufferization.writable = false})
func.func @entry(%a: tensor<4xf32>, %n: i64, %b: tensor<?xi8>) {
  return
}

// Private helpers are left to bufferization's own analysis.
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<4xf32>)
func.func private @helper(%a: tensor<4xf32>) {
  return
}
