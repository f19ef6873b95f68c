// REQUIRES: nvptx
// RUN: loom-opt %s --loom-gpu-pipeline="dequantize-from-n=0" | FileCheck %s
// RUN: loom-opt %s --loom-gpu-pipeline="dequantize-from-n=0" --mlir-print-ir-after=convert-gpu-to-nvvm 2>&1 >/dev/null | FileCheck %s --check-prefix=NVVM
// RUN: loom-compile %s --target=nvptx --pipeline-options="dequantize-from-n=0" --emit=ptx -o - | FileCheck %s --check-prefix=PTX
// RUN: loom-compile %s --target=nvptx --pipeline-options="chip=sm_80 dequantize-from-n=0" --emit=ptx -o - | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --loom-gpu-pipeline="dequantize-from-n=64 tensor-cores=1" | FileCheck %s --check-prefix=DEQ
// RUN: loom-opt %s --loom-gpu-pipeline="dequantize-from-n=64 tensor-cores=1" --mlir-print-ir-after=convert-gpu-to-nvvm 2>&1 >/dev/null | FileCheck %s --check-prefix=DEQ-NVVM

!w = !lut.packed<64x64, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>>
!t = !lut.packed<96x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<codes>>

// From dequantize-from-n on, each GEMM runs the grouped GEMM kernel (its
// two tiles) over one segment of the N rows, whose offsets the host writes
// and copies in. The kernel decodes the slices it stages from the resident
// plane words, so only the offsets and the counts are allocated for it
// (and the input, copied once before the choice for every kernel that
// reads it): no dense weight. The wide tile runs on tensor cores.
// DEQ-LABEL: llvm.func @two
// DEQ: llvm.icmp "sge" %{{.*}}, %{{.*}} : i64
// DEQ: %[[X:.*]] = llvm.call @mgpuMemAlloc
// DEQ: llvm.call @mgpuMemcpy(%[[X]], %arg1,
// DEQ: llvm.call @loom_gpu_constant_i32(
// DEQ-COUNT-2: llvm.call @mgpuMemAlloc
// DEQ-NOT: llvm.call @mgpuMemAlloc
// DEQ: gpu.launch_func
// DEQ-NVVM: nvvm.mma.sync

// Two GEMMs: their kernels share one gpu.module (one binary, loaded once);
// the folded weights are the runtime's resident device copies; the input
// crosses to the device once, before the first GEMM's kernel choice, for
// both of its kernels, and the result is staged through device memory,
// on one stream per launch, through the mgpu* calls of the runtime's
// CUDA shim; the first GEMM's result, which only the second GEMM's
// kernels read, lives in device memory alone.
// CHECK-LABEL: llvm.func @two
// CHECK: llvm.call @mgpuStreamCreate
// CHECK: %[[H:.*]] = llvm.call @mgpuMemAlloc
// CHECK: %[[X:.*]] = llvm.call @mgpuMemAlloc
// CHECK: llvm.call @mgpuMemcpy(%[[X]], %arg1,
// CHECK: llvm.call @loom_gpu_constant_i32
// CHECK: llvm.call @loom_gpu_constant_f32
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @two_kernel::@two_kernel blocks in {{.*}} %[[X]] : !llvm.ptr, %[[X]] : !llvm.ptr, {{.*}} %[[H]] : !llvm.ptr, %[[H]] : !llvm.ptr
// CHECK-NOT: llvm.call @mgpuMemcpy(%{{.*}}, %arg1,
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @two_kernel::@two_kernel_0 blocks in {{.*}} %[[X]] : !llvm.ptr, %[[X]] : !llvm.ptr
// CHECK-NOT: llvm.call @mgpuMemcpy(%{{.*}}, %[[H]],
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @two_kernel::@two_kernel_1 blocks in {{.*}} args({{.*}} %[[H]] : !llvm.ptr, %[[H]] : !llvm.ptr
// CHECK: llvm.call @mgpuMemcpy
// CHECK: llvm.call @mgpuStreamSynchronize
// CHECK: llvm.call @mgpuMemFree(%[[H]],
// CHECK-NEXT: llvm.call @mgpuMemFree(%[[X]],
// CHECK: gpu.binary @two_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// CHECK-NOT: gpu.binary
// CHECK-NOT: gpu.module

// NVVM: gpu.module @two_kernel
// NVVM: llvm.mlir.global internal @__wg_two_kernel_0() {addr_space = 3 : i32} : !llvm.array<512 x f32>
// NVVM: llvm.func @two_kernel({{.*}}nvvm.kernel
// NVVM: nvvm.read.ptx.sreg.ctaid.y
// NVVM: nvvm.read.ptx.sreg.tid.x range <i32, 0, 128>
// NVVM: nvvm.barrier0
// NVVM: llvm.intr.fma
// NVVM: nvvm.barrier0
// NVVM: llvm.func @two_kernel_0(

// The tables in shared memory, written, then read back after bar.sync by
// index: the lookups are shared loads at computed addresses.
// PTX: .target sm_90
// PTX: .visible .entry two_kernel(
// PTX: .shared .align 4 .b8 __wg_two_kernel_0[2048];
// PTX: st.shared.b32
// PTX: bar.sync 0;
// PTX: ld.global{{.*}}.b32
// PTX: ld.shared.b32
// PTX: fma.rn.f32
// PTX: .visible .entry two_kernel_0(

// SM80: .target sm_80
func.func @two(%x: tensor<?x64xf32>) -> tensor<?x96xf32> {
  %c = arith.constant dense<5> : tensor<64x64xi8>
  %s = arith.constant dense<0.25> : tensor<64x2xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x2xf16> -> !w
  %h = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x64xf32>
  %ct = arith.constant dense<2> : tensor<96x64xi8>
  %st = arith.constant dense<0.5> : tensor<1x1xf32>
  %t = lut.pack %ct, %st : tensor<96x64xi8>, tensor<1x1xf32> -> !t
  %y = lut.mpgemm %h, %t : tensor<?x64xf32>, !t -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}
