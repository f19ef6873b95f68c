// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu=dequantize-from-n=0 | FileCheck %s
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu="interpret=1 dequantize-from-n=0" | FileCheck %s --check-prefix=INTERP
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu="block-rows=64 k-chunk=64 block-columns=1 target-blocks=1 dequantize-from-n=0" | FileCheck %s --check-prefix=TILE
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu | FileCheck %s --check-prefix=ROOFLINE
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu="dequantize-from-n=16 tensor-cores=1" --mlir-elide-elementsattrs-if-larger=4 | FileCheck %s --check-prefix=DEQ
// RUN: not loom-opt %s -split-input-file --convert-lut-to-gpu="block-rows=48" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not loom-opt %s -split-input-file --convert-lut-to-gpu="k-chunk=1024 block-columns=4" 2>&1 | FileCheck %s --check-prefix=SHARED
// RUN: not loom-opt %s -split-input-file --convert-lut-to-gpu="dequantize-from-n=-3" 2>&1 | FileCheck %s --check-prefix=DEQ-BAD
// RUN: not loom-opt %s -split-input-file --convert-lut-to-gpu="fill-blocks=-2" 2>&1 | FileCheck %s --check-prefix=FILL-BAD
// RUN: not loom-opt %s -split-input-file --convert-lut-to-gpu="rows-per-thread=0" 2>&1 | FileCheck %s --check-prefix=ROWS-BAD

!w = !lut.packed<130x40, #lut.quant<unsigned, bits = 2, group = 8, scale = f16, offset = zero_point>, #lut.layout<codes>>

// Large N: from the roofline's crossover (two planes, fp32 FMA: 32 tokens)
// or a given N, the grouped GEMM kernel over one segment of all N rows:
// offsets [0, N] and counts [N] written by the host; its two tiles behind
// the rows-per-expert choice, the wide one on tensor cores (mma.sync) with
// tensor-cores. It stages each weight slice decoded from the plane words
// (each plane's bit at the slice's K, its segment's scale and offset), so
// no dense weight is written.
// ROOFLINE-LABEL: func.func @unsigned_zero_point
// ROOFLINE: arith.cmpi sge, %{{.*}}, %c32 : index
// DEQ-LABEL: func.func @unsigned_zero_point
// DEQ: %[[WORDS:.*]] = bufferization.to_buffer {{.*}} : tensor<2048xi32> to memref<2048xi32>
// DEQ: %[[SCALE:.*]] = bufferization.to_buffer {{.*}} : tensor<4096xf32> to memref<4096xf32>
// DEQ: %[[OFFSET:.*]] = bufferization.to_buffer {{.*}} : tensor<4096xf32> to memref<4096xf32>
// DEQ: %[[MANY:.*]] = arith.cmpi sge, %[[N:.*]], %c16 : index
// DEQ: scf.if %[[MANY]] {
// DEQ-NOT: memref<5200xf32>
// DEQ: %[[OFFSETS:.*]] = memref.alloc() : memref<2xi32>
// DEQ: %[[COUNTS:.*]] = memref.alloc() : memref<1xi32>
// DEQ: %[[ROWS:.*]] = arith.index_cast %[[N]] : index to i32
// DEQ: memref.store %[[ROWS]], %[[OFFSETS]][%{{.*}}] : memref<2xi32>
// DEQ: memref.store %[[ROWS]], %[[COUNTS]][%{{.*}}] : memref<1xi32>
// DEQ-NOT: memref<5200xf32>
// DEQ: gpu.launch
// DEQ: %[[LOW:.*]] = memref.load %[[WORDS]][%{{.*}}] : memref<2048xi32>
// DEQ: %[[HIGH:.*]] = memref.load %[[WORDS]][%{{.*}}] : memref<2048xi32>
// DEQ: %[[BIT:.*]] = arith.index_cast %{{.*}} : index to i32
// DEQ: arith.shrui %[[LOW]], %[[BIT]] : i32
// DEQ: arith.shrui %[[HIGH]], %[[BIT]] : i32
// DEQ: %[[S:.*]] = memref.load %[[SCALE]][%[[AT:.*]]] : memref<4096xf32>
// DEQ: arith.mulf %[[S]], %{{.*}} : f32
// DEQ: memref.load %[[OFFSET]][%[[AT]]] : memref<4096xf32>
// DEQ: nvgpu.mma.sync
// DEQ: } else {

// 130 rows in two blocks of 128 threads (rows padded to 256). Below 8
// tokens a block per token, else a block per 8 tokens (one word load for
// all of them). K = 40 padded to one 128-K chunk of 4 words. Two planes: two
// word loads per word step, eight lookups each. Scale groups of 8 K are
// shorter than a word, so the scale and the folded -s * z are loaded per
// lookup group. Each chunk: the tables in workgroup memory, a barrier, the
// lookups, a barrier; each thread's sums live in private one-element arrays
// across the chunks (registers, once LLVM promotes them).
// CHECK-LABEL: func.func @unsigned_zero_point
// CHECK-SAME: (%[[X:.*]]: tensor<?x40xf32>)
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<?x40xf32> to memref<?x40xf32>
// CHECK: %[[N:.*]] = memref.dim %[[XB]], %{{.*}} : memref<?x40xf32>
// CHECK: %[[Y:.*]] = memref.alloc(%[[N]]) : memref<?x130xf32>
// CHECK: arith.constant dense<{{.*}}> : tensor<2048xi32>
// CHECK-COUNT-2: arith.constant dense<{{.*}}> : tensor<4096xf32>
// CHECK: %[[FEW:.*]] = arith.cmpi slt, %[[N]], %c8
// CHECK: scf.if %[[FEW]] {
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %[[N]], %c1
// CHECK: %[[ANY:.*]] = arith.cmpi sgt, %[[BLOCKS]]
// CHECK: scf.if %{{.*}} {
// CHECK: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %[[BLOCKS]], %{{.*}} = %c1{{[_0-9]*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1{{[_0-9]*}}, %{{.*}} = %c1{{[_0-9]*}}) workgroup(%[[TAB:.*]] : memref<512xf32, #gpu.address_space<workgroup>>) private(%[[SUM:.*]] : memref<1xf32, #gpu.address_space<private>>)
// CHECK: memref.store %{{.*}}, %[[SUM]]
// CHECK: arith.minui %{{.*}}, %c128
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c128
// CHECK-COUNT-4: memref.load %{{.*}} : memref<?x40xf32>
// CHECK: memref.store %{{.*}}, %[[TAB]][%{{.*}}] : memref<512xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK: memref.load %[[SUM]]
// CHECK: scf.for {{.*}} -> (f32)
// CHECK-COUNT-2: memref.load %{{.*}} : memref<2048xi32>
// CHECK-COUNT-2: memref.load %{{.*}} : memref<4096xf32>
// CHECK: math.fma
// CHECK: memref.store %{{.*}}, %[[SUM]]
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: memref.store %{{.*}} : memref<?x130xf32>
// CHECK: gpu.terminator
// CHECK: } else {
// CHECK: %[[BLOCKS8:.*]] = arith.ceildivui %[[N]], %c8
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, %{{.*}} = %[[BLOCKS8]], %{{.*}} = %c1{{[_0-9]*}}) threads({{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1{{[_0-9]*}}, %{{.*}} = %c1{{[_0-9]*}}) workgroup(%{{.*}} : memref<4096xf32, #gpu.address_space<workgroup>>) private(%{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>, %{{.*}} : memref<1xf32, #gpu.address_space<private>>)
// CHECK: gpu.barrier
// CHECK-COUNT-2: memref.load %{{.*}} : memref<2048xi32>
// CHECK-NOT: memref<2048xi32>
// CHECK: gpu.barrier
// CHECK-COUNT-8: memref.store %{{.*}} : memref<?x130xf32>
// CHECK: gpu.terminator
// CHECK: bufferization.to_tensor %[[Y]] restrict writable : memref<?x130xf32> to tensor<?x130xf32>
// CHECK-NOT: lut.

// The interpreter: blocks, columns and the threads of each phase as loops,
// the tables and accumulators in stack buffers made once, before the loops
// over blocks (the stack does not grow with the blocks).
// INTERP-LABEL: func.func @unsigned_zero_point
// INTERP-NOT: gpu.
// INTERP: memref.alloca() : memref<512xf32>
// INTERP-NEXT: memref.alloca() : memref<128xf32>
// INTERP-NEXT: scf.for
// INTERP-NOT: memref.alloca
// INTERP: } else {
// INTERP: memref.alloca() : memref<4096xf32>
// INTERP-COUNT-8: memref.alloca() : memref<128xf32>
// INTERP-NEXT: scf.for
// INTERP-NOT: memref.alloca
// INTERP: bufferization.to_tensor

// One kernel (block-columns=1). Blocks of 64 threads, each thread two
// rows (rows-per-thread=2: 130 rows fill two 64-row spans), so a block's
// tables serve 128 rows: two blocks, each thread's sums in two-element
// private arrays, rows t and t + 64 looked up after each table build.
// TILE-LABEL: func.func @unsigned_zero_point
// TILE-NOT: arith.cmpi slt
// TILE: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c64, {{.*}} workgroup(%{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>) private(%[[SUMS:.*]] : memref<2xf32, #gpu.address_space<private>>)
// TILE: gpu.barrier
// TILE: memref.load %[[SUMS]][%c0{{.*}}]
// TILE: memref.store %{{.*}}, %[[SUMS]][%c0{{.*}}]
// TILE: memref.load %[[SUMS]][%c1{{.*}}]
// TILE: memref.store %{{.*}}, %[[SUMS]][%c1{{.*}}]
// TILE: gpu.barrier
// TILE-NOT: gpu.launch

// DEQ-BAD: error: convert-lut-to-gpu: dequantize-from-n must be -1 (the roofline's crossover), 0 (never) or an N, got -3
// FILL-BAD: error: convert-lut-to-gpu: fill-blocks must be 0 (never narrow) or a block count, got -2
// ROWS-BAD: error: convert-lut-to-gpu: {{.*}} rows-per-thread in [1, 8] (got block-rows=128, k-chunk=128, block-columns=8, rows-per-thread=0)
// SHARED: error: convert-lut-to-gpu: the tables of k-chunk=1024 and block-columns=4 take 65536 bytes of shared memory, more than the 49152 a block can have statically
// BAD: error: convert-lut-to-gpu: block-rows must be a positive multiple of 32, k-chunk a positive multiple of 32, 4 * k-chunk a multiple of block-rows, block-columns in [1, 16] and rows-per-thread in [1, 8] (got block-rows=48, k-chunk=128, block-columns=8, rows-per-thread=2)
func.func @unsigned_zero_point(%x: tensor<?x40xf32>) -> tensor<?x130xf32> {
  %c = arith.constant dense<3> : tensor<130x40xi8>
  %s = arith.constant dense<0.5> : tensor<130x5xf16>
  %z = arith.constant dense<1> : tensor<130x5xi8>
  %w = lut.pack %c, %s, %z : tensor<130x40xi8>, tensor<130x5xf16>, tensor<130x5xi8> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x40xf32>, !w -> tensor<?x130xf32>
  return %y : tensor<?x130xf32>
}

// -----

!t = !lut.packed<64x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// A trit3 weight lowers from its codes like any other: two planes. Its
// segment is all of K, so the scale is loaded once per word; no offset
// table. bf16 activations are widened as they are read, f16 results
// narrowed as they are stored. Two 128-K chunks.
// CHECK-LABEL: func.func @ternary_bf16
// TILE-LABEL: func.func @ternary_bf16
// CHECK: arith.constant dense<{{.*}}> : tensor<2048xi32>
// CHECK: arith.constant dense<{{.*}}> : tensor<128xf32>
// CHECK-NOT: arith.constant dense<{{.*}}> : tensor<128xf32>
// CHECK: gpu.launch
// CHECK: arith.minui %{{.*}}, %c256
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: scf.for {{.*}} -> (f32)
// CHECK-COUNT-2: memref.load %{{.*}} : memref<2048xi32>
// CHECK: memref.load %{{.*}} : memref<128xf32>
// CHECK-NOT: memref.load %{{.*}} : memref<128xf32>
// CHECK: scf.yield
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}} : memref<?x64xf16>
func.func @ternary_bf16(%x: tensor<?x256xbf16>) -> tensor<?x64xf16> {
  %c = arith.constant dense<2> : tensor<64x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<64x256xi8>, tensor<1x1xf32> -> !t
  %y = lut.mpgemm %x, %w : tensor<?x256xbf16>, !t -> tensor<?x64xf16>
  return %y : tensor<?x64xf16>
}

// -----

!w = !lut.packed<64x512, #lut.quant<signed, bits = 4, group = 128, scale = f16>, #lut.layout<codes>>

// One row block and four 128-K chunks: split-K over four blocks along z
// (target-blocks=512 asks for more than there are chunks), each adding its
// sums into y, which starts at zero.
// CHECK-LABEL: func.func @split_k
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x64xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[Y]] : memref<?x64xf32>)
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:.*]]) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %c4{{.*}})
// CHECK: %[[BEGIN:.*]] = arith.muli %[[Z]], %c128
// CHECK: %[[END:.*]] = arith.minui
// CHECK: scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step %c128
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[Y]][%{{.*}}, %{{.*}}] : (f32, memref<?x64xf32>) -> f32
// CHECK-NOT: memref.store %{{.*}}, %[[Y]]
// CHECK: gpu.terminator
// INTERP-LABEL: func.func @split_k
// INTERP: linalg.fill
// INTERP: memref.atomic_rmw addf
// target-blocks=1: no split.
// TILE-LABEL: func.func @split_k
// TILE-NOT: atomic_rmw
// TILE: memref.store %{{.*}} : memref<?x64xf32>
func.func @split_k(%x: tensor<?x512xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<3> : tensor<64x512xi8>
  %s = arith.constant dense<0.5> : tensor<64x4xf16>
  %w = lut.pack %c, %s : tensor<64x512xi8>, tensor<64x4xf16> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x512xf32>, !w -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!t = !lut.packed<64x256, #lut.quant<ternary, group = 128, scale = f32>, #lut.layout<codes>>

// Int8 activations (the exact contract): integer tables, per group the
// doubled sum halved (arith.shrsi), the open segment's sum in an i32 carried
// from word to word; a 128-K segment closes at the end of every fourth word
// with fl(s_x * s) * fl(sum). No split-K: a segment's sum is never cut.
// CHECK-LABEL: func.func @int8_exact
// CHECK-SAME: (%[[X:.*]]: tensor<?x256xi8>, %[[S:.*]]: tensor<?xf32>)
// CHECK: bufferization.to_buffer %[[S]] read_only
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, %{{.*}} = %c1{{[_0-9]*}}) threads({{.*}} workgroup(%{{.*}} : memref<512xi32, #gpu.address_space<workgroup>>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: iter_args({{.*}}) -> (f32, i32)
// CHECK: arith.shrsi
// CHECK: scf.if %{{.*}} -> (f32, i32)
// CHECK: arith.mulf
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: math.fma
// CHECK-NOT: atomic_rmw
// CHECK: gpu.terminator
// INTERP-LABEL: func.func @int8_exact
// INTERP: memref.alloca() : memref<512xi32>
// INTERP: memref.alloca() : memref<128xi32>
// TILE-LABEL: func.func @int8_exact
func.func @int8_exact(%x: tensor<?x256xi8>, %s: tensor<?xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<2> : tensor<64x256xi8>
  %sw = arith.constant dense<0.5> : tensor<64x2xf32>
  %w = lut.pack %c, %sw : tensor<64x256xi8>, tensor<64x2xf32> -> !t
  %y = lut.mpgemm %x, %w x_scale %s : tensor<?x256xi8>, !t, tensor<?xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
