// loom-compile gives convert-lut-to-vector the byte shuffle of the target
// CPU: 64-lane vpshufb with AVX-512BW, two 32-lane ones with AVX2, compare
// and select without either.
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=mlir --compile-to=loops | FileCheck %s --check-prefix=AVX512
// RUN: loom-compile %s -mcpu=x86-64-v3 --emit=mlir --compile-to=loops | FileCheck %s --check-prefix=AVX2
// RUN: loom-compile %s -mcpu=x86-64 --emit=mlir --compile-to=loops | FileCheck %s --check-prefix=GENERIC
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=obj -o %t.o && llvm-objdump -d %t.o | FileCheck %s --check-prefix=OBJ

// AVX512: lut.x86.pshufb {{.*}} : vector<64xi8>
// AVX2: lut.x86.pshufb {{.*}} : vector<32xi8>
// GENERIC-NOT: lut.x86.pshufb
// GENERIC: arith.select {{.*}} : vector<64xi1>, vector<64xi8>
// OBJ: vpshufb {{.*}}%zmm

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemm(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}
