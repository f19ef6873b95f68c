// loom-compile --cost-model chooses what makes the decisions, and
// --cost-model-remarks reports each one: a lut GEMM (loom-decide), an MoE
// layer (moe-select-strategy, per T bucket) and a matmul
// (loom-tile-linalg).
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/liba.so --mcpu=x86-64-v4 --mattr=+avx512vnni --cost-model-remarks 2>&1 | FileCheck %s --check-prefix=LEARNED
// A CPU with its own class (models/x86_64-avx512-emeraldrapids) decides by
// its own models.
// RUN: loom-compile %s -o %t/libf.so --mcpu=emeraldrapids --cost-model-remarks 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: loom-compile %s -o %t/libb.so --mattr=+avx512f,+avx512bw,+avx512vl,+avx512dq,+avx512vnni --cost-model=roofline --cost-model-remarks 2>&1 | FileCheck %s --check-prefix=ROOFLINE
// RUN: not loom-compile %s -o %t/libc.so --cost-model=best 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not loom-compile %s -o %t/libd.so --pipeline=reference --cost-model=roofline 2>&1 | FileCheck %s --check-prefix=REF
// Without the flag, no remarks.
// RUN: loom-compile %s -o %t/libe.so 2>&1 | count 0

// LEARNED-DAG: remark: moe.dispatch by x86_64-avx512/moe.dispatch@{{[0-9a-f]+}}: [strategy={{.*}}] {{.*}};
// LEARNED-DAG: remark: lut.gemm by x86_64-avx512/lut.gemm@{{[0-9a-f]+}}: [column_tile={{.*}}] {{.*}};
// LEARNED-DAG: remark: linalg.tile by x86_64-avx512/linalg.tile@{{[0-9a-f]+}}: [tile_m={{.*}}] {{.*}};
// CPU-DAG: remark: moe.dispatch by x86_64-avx512-emeraldrapids/moe.dispatch@{{[0-9a-f]+}}: [strategy={{.*}}] {{.*}};
// CPU-DAG: remark: lut.gemm by x86_64-avx512-emeraldrapids/lut.gemm@{{[0-9a-f]+}}: [column_tile={{.*}}] {{.*}};
// CPU-DAG: remark: linalg.tile by x86_64-avx512-emeraldrapids/linalg.tile@{{[0-9a-f]+}}: [tile_m={{.*}}] {{.*}};
// ROOFLINE-DAG: remark: lut.gemm by roofline: [column_tile=
// ROOFLINE-DAG: remark: linalg.tile by roofline: [tile_m=
// Each MoE layer's choice, by the model that made it.
// LEARNED-DAG: remark: T = 16: {{grouped|padded}}, tile {{[0-9]+}}x{{[0-9]+}}, modeled {{.*}} by x86_64-avx512/moe.dispatch@
// CPU-DAG: remark: T = 16: {{grouped|padded}}, tile {{[0-9]+}}x{{[0-9]+}}, modeled {{.*}} by x86_64-avx512-emeraldrapids/moe.dispatch@
// ROOFLINE-DAG: remark: T = 16: {{grouped|padded}}, tile {{[0-9]+}}x{{[0-9]+}}, modeled {{.*}}; routing {{[0-9.]+}} us)
// ROOFLINE-NOT: moe.dispatch by
// BAD: loom-compile: error: --cost-model must be auto, roofline, none or a directory of models, got 'best'
// REF: loom-compile: error: --cost-model does not apply to the reference pipeline

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemm(%x: tensor<8x64xf32>) -> tensor<8x128xf32> {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<8x64xf32>, !w -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

func.func @experts(%x: tensor<16x64xf32>, %wr: tensor<4x64xf32>, %w1: tensor<4x128x64xf32>, %w2: tensor<4x64x64xf32>) -> tensor<16x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<16x64xf32>, tensor<4x64xf32>, tensor<4x128x64xf32>, tensor<4x64x64xf32>) -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

func.func @matmul(%a: tensor<16x64xf32>, %b: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>) outs(%init : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %c : tensor<16x32xf32>
}
