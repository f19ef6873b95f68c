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

// CHECK-LABEL: func @pmaddubsw
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pmaddubs.w.512"(%{{.*}}, %{{.*}}) : (vector<64xi8>, vector<64xi8>) -> vector<32xi16>
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
func.func @pmaddubsw(%a: vector<64xi8>, %b: vector<64xi8>, %a2: vector<32xi8>, %b2: vector<32xi8>) -> (vector<32xi16>, vector<16xi16>) {
  %r = lut.x86.pmaddubsw %a, %b : vector<64xi8> -> vector<32xi16>
  %r2 = lut.x86.pmaddubsw %a2, %b2 : vector<32xi8> -> vector<16xi16>
  return %r, %r2 : vector<32xi16>, vector<16xi16>
}

// CHECK-LABEL: func @vpdpbusd
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
func.func @vpdpbusd(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %r = lut.x86.vpdpbusd %acc, %u, %s : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// vpermb: the table first, as clang's builtin takes it.
// CHECK-LABEL: func @vpermb
// CHECK-SAME: (%[[T:.*]]: vector<64xi8>, %[[I:.*]]: vector<64xi8>)
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.qi.512"(%[[T]], %[[I]]) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
func.func @vpermb(%t: vector<64xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %r = lut.x86.vpermb %t, %i : vector<64xi8>
  return %r : vector<64xi8>
}
