// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu | FileCheck %s
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu=interpret=1 | FileCheck %s --check-prefix=INTERP
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu=tensor-cores=1 | FileCheck %s --check-prefix=MMA
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu="tensor-cores=1 interpret=1" | FileCheck %s --check-prefix=MMA-INTERP
// RUN: loom-opt %s -split-input-file --convert-moe-to-gpu=fill-blocks=0 | FileCheck %s --check-prefix=SHORT
// RUN: not loom-opt %s -split-input-file --convert-moe-to-gpu=fill-blocks=-1 2>&1 | FileCheck %s --check-prefix=FILL-BAD

// Gate and top-k: one block of 128 threads per token; 4 experts share the
// block as 16 parts of d each (64 partial sums), then the first thread
// scores and selects in workgroup memory and writes the scores, ids and
// weights once (never read back: the device copies need not bring them
// in). The router is a folded 1-D constant (resident on the
// device); exp is a polynomial, not a libdevice call.
// CHECK-LABEL: func.func @route
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>)
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK: arith.constant dense<{{.*}}> : tensor<64xf32>
// CHECK: memref.dim %[[XB]], %c0{{.*}} : memref<?x16xf32>
// CHECK: scf.if
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %dim{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%{{.*}} : memref<64xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>>)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c16
// CHECK: gpu.barrier
// CHECK-NOT: math.exp
// CHECK-NOT: memref.load %{{.*}} : memref<?x2xf32>
// CHECK-NOT: memref.load %{{.*}} : memref<?x4xf32>
// CHECK: gpu.terminator
// CHECK-NOT: moe.
// CHECK: return
// INTERP-LABEL: func.func @route
// INTERP-NOT: gpu.launch
// INTERP: memref.alloca() : memref<64xf32>
// INTERP-NEXT: memref.alloca() : memref<4xf32>
// INTERP-NEXT: memref.alloca() : memref<4xf32>
// INTERP-NEXT: memref.alloca() : memref<2xf32>
// INTERP-NEXT: memref.alloca() : memref<1xf32>
// INTERP-NEXT: memref.alloca() : memref<1xi32>
// INTERP-NEXT: scf.for
// INTERP-NOT: memref.alloca
// INTERP: return
func.func @route(%x: tensor<?x16xf32>) -> (tensor<?x4xf32>, tensor<?x2xi32>, tensor<?x2xf32>) {
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64, renormalize} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  return %p, %ids, %w : tensor<?x4xf32>, tensor<?x2xi32>, tensor<?x2xf32>
}

// -----

// Group-limited selection (DeepSeek-V3) in the routing kernel too: two
// more workgroup arrays, the group scores and the kept groups.
// CHECK-LABEL: func.func @group_limited
// CHECK: gpu.launch {{.*}} workgroup({{.*}}, %{{.*}} : memref<2xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2xi32, #gpu.address_space<workgroup>>)
// CHECK-NOT: moe.topk
func.func @group_limited(%x: tensor<?x16xf32>) -> tensor<?x2xi32> {
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64, groups = 2 : i64, group_topk = 1 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  return %ids : tensor<?x2xi32>
}

// -----

// The SwiGLU GEMM over the gathered rows, four kernels chosen on the rows
// per expert: below 4 (R < 4 * 4), row vectors; below 32 (R < 32 * 4),
// 16-row blocks of 128 columns, or of 32 columns while those would be
// fewer than fill-blocks (264); else 64 x 64 blocks. Each grid holds the
// row blocks of every expert (counted on the host from the offsets) and
// then the zeroing blocks, by the column blocks (the short and narrow
// tiles share one count, which also decides between them); 256 threads.
// Row vectors: each lane strides K by 32, four warp-wide steps per
// iteration (each guarded by K), with its 4 rows x 2 columns x gate and
// up sums in the loop, then stores them as partials (8 warps x 16 x 32
// lanes) for the lanes' sum. Tiles: 16-deep slices of the rows and of the gate and
// up weight rows in workgroup memory; gate and up register tiles per
// thread (2 x 1 twice, 2 x 4 twice, 4 x 4 twice).
// CHECK-LABEL: func.func @swiglu_gather
// CHECK: arith.constant dense<{{.*}}> : tensor<1536xf32>
// CHECK: %[[FEW:.*]] = arith.cmpi ult, %{{.*}}, %c128
// CHECK: scf.if %[[FEW]] {
// CHECK: %[[DECODE:.*]] = arith.cmpi ult, %{{.*}}, %c16
// CHECK: scf.if %[[DECODE]] {
// CHECK: %[[VECTORS:.*]] = scf.for {{.*}} -> (index)
// CHECK: arith.ceildivui %{{.*}}, %c4
// CHECK: %[[VECTOR_GRID:.*]] = arith.addi %[[VECTORS]], %{{.*}} : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[VECTOR_GRID]], {{.*}} threads({{.*}}) in (%{{.*}} = %c256, {{.*}} workgroup(%[[PARTIALS:.*]] : memref<4096xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4xi32, #gpu.address_space<workgroup>>) {
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c128{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-16: memref.store %{{.*}}, %[[PARTIALS]][%{{.*}}] : memref<4096xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c32{{.*}} step %c1{{.*}} iter_args(%{{.*}}) -> (f32)
// CHECK: memref.load %[[PARTIALS]]
// CHECK: } else {
// CHECK: %[[SHORT_ROWS:.*]] = scf.for {{.*}} -> (index)
// CHECK: %[[SHORT_GRID:.*]] = arith.muli %[[SHORT_ROWS]], %c1{{.*}} : index
// CHECK: %[[STARVED:.*]] = arith.cmpi ult, %[[SHORT_GRID]], %c264 : index
// CHECK: scf.if %[[STARVED]] {
// CHECK-NOT: scf.for {{.*}} -> (index)
// CHECK: arith.ceildivui %{{.*}}, %c16
// CHECK: %[[NARROW_GRID:.*]] = arith.addi %[[SHORT_ROWS]], %{{.*}} : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[NARROW_GRID]], {{.*}} threads({{.*}}) in (%{{.*}} = %c256, {{.*}} workgroup(%{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1024xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16xi32, #gpu.address_space<workgroup>>) private(%{{.*}} : memref<4xf32, #gpu.address_space<private>>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK: } else {
// CHECK-NOT: scf.for {{.*}} -> (index)
// CHECK: arith.ceildivui %{{.*}}, %c16
// CHECK: %[[GRID:.*]] = arith.addi %[[SHORT_ROWS]], %{{.*}} : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[GRID]], {{.*}} threads({{.*}}) in (%{{.*}} = %c256, {{.*}} workgroup(%{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4096xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16xi32, #gpu.address_space<workgroup>>) private(%{{.*}} : memref<16xf32, #gpu.address_space<private>>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: } else {
// CHECK: gpu.launch blocks({{.*}}) threads({{.*}}) in (%{{.*}} = %c256, {{.*}} workgroup(%{{.*}} : memref<1024xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2048xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<64xi32, #gpu.address_space<workgroup>>) private(%{{.*}} : memref<32xf32, #gpu.address_space<private>>)
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c16{{.*}} step %c16
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: gpu.barrier
// CHECK-NOT: moe.grouped_matmul
// CHECK: return
// fill-blocks=0: the 16 x 128 blocks at every grid size, and no narrow
// kernel.
// SHORT-LABEL: func.func @swiglu_gather
// SHORT: %[[FEW:.*]] = arith.cmpi ult, %{{.*}}, %c128
// SHORT: scf.if %[[FEW]] {
// SHORT: } else {
// SHORT-NOT: memref<1024xf32, #gpu.address_space<workgroup>>
// SHORT: gpu.launch {{.*}} workgroup(%{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4096xf32, #gpu.address_space<workgroup>>
// SHORT: } else {
// FILL-BAD: error: convert-moe-to-gpu: fill-blocks must be 0 (never narrow) or a block count, got -1
// tensor-cores: the wide tile's slices on TF32 mma.sync m16n8k8 tiles, 2
// steps x 2 x 2 tiles x gate and up per slice, the fragments' operands
// rounded to TF32 first; the other block shapes stay on the threads. The
// interpreter emulates each warp from its threads' fragments.
// MMA-LABEL: func.func @swiglu_gather
// MMA: } else {
// MMA: private(%{{.*}} : memref<32xf32, #gpu.address_space<private>>, %{{.*}} : memref<16xf32, #gpu.address_space<private>>, %{{.*}} : memref<16xf32, #gpu.address_space<private>>)
// MMA: arith.andi %{{.*}}, %c-8192_i32 : i32
// MMA-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// MMA-NOT: nvgpu.mma.sync
// MMA: gpu.terminator
// MMA-INTERP-LABEL: func.func @swiglu_gather
// MMA-INTERP-NOT: nvgpu.mma.sync
// MMA-INTERP: arith.andi %{{.*}}, %c-8192_i32 : i32
func.func @swiglu_gather(%x: tensor<?x16xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %g: tensor<?xi32>) -> tensor<?x12xf32> {
  %w = arith.constant dense<0.25> : tensor<4x24x16xf32>
  %h = moe.grouped_matmul %x, %w, %off, %cnt gather %g {epilogue = #moe.activation<swiglu>} : (tensor<?x16xf32>, tensor<4x24x16xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>) -> tensor<?x12xf32>
  return %h : tensor<?x12xf32>
}

// -----

// A fused combine: the rows go to an R x 16 buffer, then one thread per
// column adds them into a copy of the init in expert order, in a buffer
// of sums that it then stores to the result (which it only writes).
// CHECK-LABEL: func.func @scatter
// CHECK: %[[ROWS:.*]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[ROWS]]
// CHECK: %[[INIT:.*]] = bufferization.to_buffer %arg5
// CHECK: %[[SUMS:.*]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: memref.load %[[INIT]]
// CHECK: memref.store %{{.*}}, %[[SUMS]]
// CHECK: scf.for
// CHECK: memref.load %[[SUMS]]
// CHECK: memref.store %{{.*}}, %[[SUMS]]
// CHECK: scf.for
// CHECK: memref.load %[[SUMS]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT: memref.load %[[OUT]]
// CHECK: bufferization.to_tensor %[[OUT]]
func.func @scatter(%h: tensor<?x12xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<?xi32>, %rs: tensor<?xf32>, %init: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.125> : tensor<4x16x12xf32>
  %y = moe.grouped_matmul %h, %w, %off, %cnt row_scale %rs scatter %s into %init : (tensor<?x12xf32>, tensor<4x16x12xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xf32>, tensor<?xi32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// moe-fuse's zero init (a combine without one) is written by the kernel:
// neither filled on the host nor read.
// CHECK-LABEL: func.func @scatter_into_zeros
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch
// CHECK: %[[SUMS:.*]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: memref.store %cst{{.*}}, %[[SUMS]]
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @scatter_into_zeros(%h: tensor<?x12xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %s: tensor<?xi32>, %rs: tensor<?xf32>, %tokens: index) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.125> : tensor<4x16x12xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty(%tokens) : tensor<?x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = moe.grouped_matmul %h, %w, %off, %cnt row_scale %rs scatter %s into %init : (tensor<?x12xf32>, tensor<4x16x12xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xf32>, tensor<?xi32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Half-precision experts: the kernels load bf16 (weights folded to a 1-D
// bf16 constant, resident on the device), compute in f32 and store bf16.
// CHECK-LABEL: func.func @bf16_experts
// CHECK: arith.constant dense<{{.*}}> : tensor<512xbf16>
// CHECK: gpu.launch
// CHECK: memref.load %{{.*}} : memref<?x16xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
// CHECK: memref.load %{{.*}} : memref<512xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: memref.store %{{.*}} : memref<?x8xbf16>
// CHECK-NOT: moe.grouped_matmul
func.func @bf16_experts(%x: tensor<?x16xbf16>, %off: tensor<5xi32>, %cnt: tensor<4xi32>) -> tensor<?x8xbf16> {
  %w = arith.constant dense<0.25> : tensor<4x8x16xbf16>
  %h = moe.grouped_matmul %x, %w, %off, %cnt : (tensor<?x16xbf16>, tensor<4x8x16xbf16>, tensor<5xi32>, tensor<4xi32>) -> tensor<?x8xbf16>
  return %h : tensor<?x8xbf16>
}

// -----

// Pre-score dispatch along the assign's row map, and the slot-order
// combine: a block per row and a block per token.
// CHECK-LABEL: func.func @row_moves
// CHECK: moe.assign
// CHECK: memref.dim %{{.*}}, %c0{{.*}} : memref<?xi32>
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %dim{{.*}}, %{{.*}} = %c1
// CHECK: arith.divsi
// CHECK: arith.mulf
// CHECK: gpu.launch
// CHECK-NOT: moe.combine
// CHECK: return
func.func @row_moves(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>, %w: tensor<?x2xf32>) -> tensor<?x16xf32> {
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 4 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %xb = moe.dispatch %x, %ids, %loc, %off scale %w : (tensor<?x16xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<5xi32>, tensor<?x2xf32>) -> tensor<?x16xf32>
  %y = moe.combine %xb, %ids, %loc, %off {score_at = #moe.score_at<pre>} : (tensor<?x16xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<5xi32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// The aux loss: one block, the expert terms in f64 in workgroup memory,
// the first thread's sum in expert order; the scores stay on the device.
// CHECK-LABEL: func.func @aux_loss
// CHECK: %[[L:.*]] = memref.alloc() : memref<f32>
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c128{{.*}}, {{.*}} workgroup(%{{.*}} : memref<8xf64, #gpu.address_space<workgroup>>)
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: gpu.barrier
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: memref.store %{{.*}}, %[[L]][] : memref<f32>
// CHECK-NOT: moe.aux_loss
func.func @aux_loss(%p: tensor<?x8xf32>, %ids: tensor<?x2xi32>) -> tensor<f32> {
  %l = moe.aux_loss %p, %ids : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A dropless plan over topk's ids runs on the device, R = T * k rows: one
// block stages 512 slots' ids at a time and keeps each of the 4 experts'
// running count; then the map of the rows' tokens is a kernel of a thread
// per row, and the GEMM's grid is sized by the bound on the segments' row
// blocks (R / 4 + min(R, 4) row vectors), as the host never sees the
// offsets.
// CHECK-LABEL: func.func @dropless_plan
// CHECK: gpu.launch
// CHECK: %[[SLOTS:.*]] = arith.muli %{{.*}}, %c2{{.*}} : index
// CHECK: %[[ROWS:.*]] = memref.alloc(%[[SLOTS]]) : memref<?xi32>
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c128{{.*}}, {{.*}} workgroup(%{{.*}} : memref<512xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4xi32, #gpu.address_space<workgroup>>)
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[ROWS]][%{{.*}}] : memref<?xi32>
// CHECK: %[[GRID:.*]] = arith.ceildivui %{{.*}}, %c256{{.*}} : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[GRID]], {{.*}} threads({{.*}}) in (%{{.*}} = %c256
// CHECK: memref.load %{{.*}} : memref<?xi32>
// CHECK: arith.divsi
// CHECK: %[[R:.*]] = memref.dim %{{.*}}, %c0{{.*}} : memref<?x8xf32>
// CHECK: arith.cmpi ult, %[[R]], %c16
// CHECK: %[[FULL:.*]] = arith.divui %[[R]], %c4{{.*}} : index
// CHECK: %[[PARTIAL:.*]] = arith.minui %[[R]], %c4{{.*}} : index
// CHECK: %[[BOUND:.*]] = arith.addi %[[FULL]], %[[PARTIAL]] : index
// CHECK: %[[ZEROING:.*]] = arith.ceildivui %[[R]], %c4{{.*}} : index
// CHECK: %[[BLOCKS:.*]] = arith.addi %[[BOUND]], %[[ZEROING]] : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[BLOCKS]],
// CHECK-NOT: moe.
// CHECK: return
#rows = affine_map<(d0) -> (d0)>
func.func @dropless_plan(%x: tensor<?x16xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c0_i32 = arith.constant 0 : i32
  %c2_i32 = arith.constant 2 : i32
  %cm1_i32 = arith.constant -1 : i32
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %w1 = arith.constant dense<0.25> : tensor<4x8x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %r = tensor.dim %rows, %c0 : tensor<?xi32>
  %e = tensor.empty(%r) : tensor<?xi32>
  %tokens = linalg.generic {indexing_maps = [#rows, #rows], iterator_types = ["parallel"]} ins(%rows : tensor<?xi32>) outs(%e : tensor<?xi32>) {
  ^bb0(%in: i32, %out: i32):
    %kept = arith.cmpi sge, %in, %c0_i32 : i32
    %t = arith.divsi %in, %c2_i32 : i32
    %v = arith.select %kept, %t, %cm1_i32 : i32
    linalg.yield %v : i32
  } -> tensor<?xi32>
  %h = moe.grouped_matmul %x, %w1, %off, %cnt gather %tokens : (tensor<?x16xf32>, tensor<4x8x16xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %h : tensor<?x8xf32>
}

// -----

// Plans whose row count the data decides, or that the host reads, stay on
// the host: a capacity, a priority order, an aligned layout, a read
// capacity value.
// CHECK-LABEL: func.func @host_plans
// CHECK-COUNT-4: moe.assign
func.func @host_plans(%x: tensor<?x16xf32>, %priority: tensor<?xf32>) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, index) {
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  %l0, %n0, %o0, %r0, %c0 = moe.assign %ids {capacity = #moe.capacity<factor = 1.25>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %l1, %n1, %o1, %r1, %c1 = moe.assign %ids priority %priority {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>, tensor<?xf32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %l2, %n2, %o2, %r2, %c2 = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped, row_align = 8>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %l3, %n3, %o3, %r3, %c3 = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  return %r0, %r1, %r2, %c3 : tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, index
}

// -----

// Only element-wise maps of arith ops (and extracts) follow a device plan
// to the device: a reduction over the row map and a map whose body calls
// math stay linalg.generics for the host.
// CHECK-LABEL: func.func @host_maps
// CHECK: memref<512xi32, #gpu.address_space<workgroup>>
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: linalg.generic
// CHECK: math.absi
// CHECK: return
#id = affine_map<(d0) -> (d0)>
#sum = affine_map<(d0) -> ()>
func.func @host_maps(%x: tensor<?x16xf32>) -> (tensor<i32>, tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %wr = arith.constant dense<0.5> : tensor<4x16xf32>
  %p = moe.gate %x, %wr : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  %loc, %cnt, %off, %rows, %c = moe.assign %ids {capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>, num_experts = 4 : i64} : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, index)
  %init = tensor.from_elements %zero : tensor<i32>
  %total = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["reduction"]} ins(%rows : tensor<?xi32>) outs(%init : tensor<i32>) {
  ^bb0(%in: i32, %acc: i32):
    %s = arith.addi %in, %acc : i32
    linalg.yield %s : i32
  } -> tensor<i32>
  %r = tensor.dim %rows, %c0 : tensor<?xi32>
  %e = tensor.empty(%r) : tensor<?xi32>
  %abs = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%rows : tensor<?xi32>) outs(%e : tensor<?xi32>) {
  ^bb0(%in: i32, %out: i32):
    %a = math.absi %in : i32
    linalg.yield %a : i32
  } -> tensor<?xi32>
  return %total, %abs : tensor<i32>, tensor<?xi32>
}
