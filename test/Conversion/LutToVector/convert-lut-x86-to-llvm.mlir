// RUN: loom-opt %s --convert-lut-x86-to-llvm | FileCheck %s

// CHECK-LABEL: func @pshufb
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"(%{{.*}}, %{{.*}}) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// CHECK-NOT: lut.x86
func.func @pshufb(%t: vector<64xi8>, %i: vector<64xi8>, %t2: vector<32xi8>, %i2: vector<32xi8>) -> (vector<64xi8>, vector<32xi8>) {
  %a = lut.x86.pshufb %t, %i : vector<64xi8>
  %b = lut.x86.pshufb %t2, %i2 : vector<32xi8>
  return %a, %b : vector<64xi8>, vector<32xi8>
}
