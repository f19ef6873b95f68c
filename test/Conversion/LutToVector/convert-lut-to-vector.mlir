// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=avx512 | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=avx2 | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=generic | FileCheck %s --check-prefixes=CHECK,GENERIC
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector="isa=avx512-vbmi column-tile=1" | FileCheck %s --check-prefix=VBMI
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector="isa=avx512 prefetch-distance=0" | FileCheck %s --check-prefix=NOPREFETCH

// NOPREFETCH-NOT: memref.prefetch
// RUN: not loom-opt %s -split-input-file --convert-lut-to-vector=isa=sse 2>&1 | FileCheck %s --check-prefix=ISA

// ISA: unknown isa 'sse' (expected avx512-vbmi, avx512-vnni, avx512, avx2 or generic)
// RUN: not loom-opt %s -split-input-file --convert-lut-to-vector="column-tile=0" 2>&1 | FileCheck %s --check-prefix=TILE0
// TILE0: convert-lut-to-vector: column-tile must be between 1 and 8, got 0
// TILE0-NOT: see current operation
// RUN: not loom-opt %s -split-input-file --convert-lut-to-vector="column-tile=1000000" 2>&1 | FileCheck %s --check-prefix=WIDE
// WIDE: convert-lut-to-vector: column-tile must be between 1 and 8, got 1000000
// RUN: not loom-opt %s -split-input-file --convert-lut-to-vector="prefetch-distance=-64" 2>&1 | FileCheck %s --check-prefix=BEHIND
// BEHIND: convert-lut-to-vector: prefetch-distance must be 0 (none) or a byte count, got -64
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector="isa=avx512-vbmi quad-from-n=0" | FileCheck %s --check-prefix=SINGLE
// RUN: not loom-opt %s -split-input-file --convert-lut-to-vector="quad-from-n=-2" 2>&1 | FileCheck %s --check-prefix=QUAD
// QUAD: convert-lut-to-vector: quad-from-n must be -1 (the kernels' rule), 0 (never) or an N, got -2
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector="isa=avx512 column-tile=1" | FileCheck %s --check-prefix=TILE1
// One column per index load: two int16 sums, no loop for left-over columns.
// TILE1-LABEL: func @ternary
// TILE1: scf.for {{.*}} -> (vector<32xi16>, vector<32xi16>) {
// TILE1-NOT: vector<32xi16>, vector<32xi16>, vector<32xi16>
// TILE1-LABEL: func @unsigned_zero_point

!t = !lut.packed<130x8, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A ternary weight of 130 rows: its two planes share each byte pair, so a
// 64-byte load serves 64 rows (32 per nibble half) and one vpmaddubsw adds
// both planes' lookups. Columns come in blocks whose tables fit the table
// budget; per block, three row blocks of 64 form a parallel loop whose
// iterations own a slice of y (the last is 2 rows wide, so its stores are
// masked). Inside, tiles of 4 columns share each index load (8 int16 sums:
// 2 halves x 4 columns), then the columns left over in at most one tile of
// two and one of one.
// 2 groups, one segment. Ternary lookups add at most 2 * 127 per group: 129
// groups per int16 flush.
// The index stream is a constant global (64-byte aligned), prefetched
// 2048 bytes ahead of each load, clamped to its last line.
// CHECK: memref.global "private" constant @[[$STREAM:__loom_lut_stream.*]] : memref<384xi8> = dense<"0x{{[0-9A-F]+}}"> {alignment = 64 : i64}
// CHECK-LABEL: func @ternary
// CHECK-DAG: %[[IDX:.*]] = memref.get_global @[[$STREAM]] : memref<384xi8>
// CHECK-DAG: %[[LAST:.*]] = arith.constant 320 : index
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<{{.*}}> : tensor<3x1x64xf32>
// CHECK-DAG: %[[FLUSH:.*]] = arith.constant 129 : index
// CHECK-DAG: %[[COLBLOCK:.*]] = arith.constant 16384 : index
// AVX512-DAG: %[[PAIRW:.*]] = arith.constant dense<1> : vector<64xi8>
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %[[COLBLOCK]] : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[BLOCKS]] {{.*}} -> (tensor<?x130xf32>)
// CHECK: scf.forall (%[[RB:.*]]) in (3) shared_outs(%[[Y:.*]] = %{{.*}}) -> (tensor<?x130xf32>)
// CHECK: %[[ROWS:.*]] = arith.minsi
// CHECK: %[[TILE:.*]] = tensor.extract_slice %[[Y]][%{{.*}}, %{{.*}}] [%{{.*}}, %[[ROWS]]] [1, 1]
// CHECK: %[[FULL:.*]] = arith.divui
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[FULL]] {{.*}}iter_args(%{{.*}} = %[[TILE]]) -> (tensor<?x?xf32>)
// CHECK: scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK: scf.for {{.*}} -> (vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>)
// CHECK: arith.minsi %{{.*}}, %[[FLUSH]]
// CHECK: scf.for {{.*}} -> (vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>)
// CHECK-COUNT-4: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x2x16xi8>, vector<16xi8>
// CHECK: %[[AHEAD:.*]] = arith.minsi %{{.*}}, %[[LAST]] : index
// CHECK: memref.prefetch %[[IDX]][%[[AHEAD]]], read, locality<3>, data : memref<384xi8>
// CHECK: vector.transfer_read %[[IDX]][%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<384xi8>, vector<64xi8>
// CHECK-NOT: vector.transfer_read
// CHECK: arith.andi
// CHECK: arith.shrui
// AVX512: lut.x86.pshufb %{{.*}}, %{{.*}} : vector<64xi8>
// AVX512: lut.x86.pmaddubsw %[[PAIRW]], %{{.*}} : vector<64xi8> -> vector<32xi16>
// AVX2-COUNT-2: lut.x86.pshufb %{{.*}}, %{{.*}} : vector<32xi8>
// AVX2-COUNT-2: lut.x86.pmaddubsw %{{.*}}, %{{.*}} : vector<32xi8> -> vector<16xi16>
// GENERIC-NOT: lut.x86
// GENERIC-COUNT-15: arith.select %{{.*}} : vector<64xi1>, vector<64xi8>
// GENERIC: vector.shuffle %{{.*}} [0, 2, 4, {{.*}}] : vector<64xi8>, vector<64xi8>
// GENERIC: arith.extsi %{{.*}} : vector<32xi8> to vector<32xi16>
// CHECK: arith.extsi %{{.*}} : vector<32xi16> to vector<32xi32>
// CHECK: vector.transfer_read %[[SCALE]]
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<?x1xf32>
// CHECK: arith.sitofp %{{.*}} : vector<32xi32> to vector<32xf32>
// CHECK-COUNT-8: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : vector<32xf32>, tensor<?x?xf32>
// The columns left over: a tile of two columns (four int16 sums), then one
// column (two).
// CHECK: scf.for {{.*}} -> (tensor<?x?xf32>)
// CHECK: scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK: scf.for {{.*}} -> (tensor<?x?xf32>)
// CHECK: scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>)
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[Y]][%{{.*}}, %{{.*}}] [%{{.*}}, %[[ROWS]]] [1, 1]
// CHECK-NOT: lut.lookup_accumulate
// CHECK-NOT: lut.scale_combine
func.func @ternary(%t: tensor<?x2x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x130xf32> {
  %c = arith.constant dense<2> : tensor<130x8xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<130x8xi8>, tensor<1x1xf32> -> !t
  %acc = lut.lookup_accumulate %t, %w {segment = 8 : i64} : tensor<?x2x16xi8>, !t -> tensor<?x130x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x130x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x130xf32>
  return %y : tensor<?x130xf32>
}

// -----

!u = !lut.packed<128x64, #lut.quant<unsigned, bits = 4, group = 32, scale = f16, offset = zero_point>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Unsigned codes with zero points: the scales stay f16 (widened in the
// epilogue), the activation sums enter through c = 7.5 and the folded
// per-row -s * z. Four planes in two byte pairs weighed (1, 2) and (4, 8):
// two loads per group; 17 groups per int16 flush, so a segment of 8 groups
// is one chunk. f16 out.
// CHECK-LABEL: func @unsigned_zero_point
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<2.500000e-01> : tensor<2x2x64xf16>
// CHECK-DAG: %[[OFFSET:.*]] = arith.constant dense<{{.*}}> : tensor<2x2x64xf32>
// CHECK-DAG: arith.constant 7.500000e+00 : f32
// AVX512-DAG: %[[W01:.*]] = arith.constant dense<[1, 2, 1, 2, {{.*}}]> : vector<64xi8>
// AVX512-DAG: %[[W23:.*]] = arith.constant dense<[4, 8, 4, 8, {{.*}}]> : vector<64xi8>
// CHECK-DAG: arith.constant 17 : index
// AVX512: lut.x86.pmaddubsw %[[W01]]
// AVX512: lut.x86.pmaddubsw %[[W23]]
// CHECK: vector.transfer_read %[[SCALE]]{{.*}} : tensor<2x2x64xf16>, vector<32xf16>
// CHECK: arith.extf %{{.*}} : vector<32xf16> to vector<32xf32>
// CHECK: vector.transfer_read %[[OFFSET]]
// CHECK: arith.truncf %{{.*}} : vector<32xf32> to vector<32xf16>
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<32xf16>, tensor<?x64xf16>
func.func @unsigned_zero_point(%t: tensor<?x16x16xi8>, %xs: tensor<?x2xf32>, %ts: tensor<?x2xf32>) -> tensor<?x128xf16> {
  %c = arith.constant dense<5> : tensor<128x64xi8>
  %s = arith.constant dense<0.25> : tensor<128x2xf16>
  %z = arith.constant dense<3> : tensor<128x2xi8>
  %w = lut.pack %c, %s, %z : tensor<128x64xi8>, tensor<128x2xf16>, tensor<128x2xi8> -> !u
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x16x16xi8>, !u -> tensor<?x128x2xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x128x2xi32>, !u, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x128xf16>
  return %y : tensor<?x128xf16>
}

// -----

!b = !lut.packed<128x8, #lut.quant<binary, bits = 1, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// One plane (also three): a byte per row and plane, 128 rows per load, the
// lookups sign-extended to int16 lanes and weighed by plane.
// CHECK-LABEL: func @binary
// CHECK: scf.forall (%{{.*}}) in (1)
// CHECK: scf.for {{.*}} -> (vector<64xi16>, vector<64xi16>)
// AVX512: lut.x86.pshufb %{{.*}}, %{{.*}} : vector<64xi8>
// CHECK: arith.extsi %{{.*}} : vector<64xi8> to vector<64xi16>
// CHECK-NOT: pmaddubsw
func.func @binary(%t: tensor<?x2x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x8xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x8xi8>, tensor<1x1xf32> -> !b
  %acc = lut.lookup_accumulate %t, %w {segment = 8 : i64} : tensor<?x2x16xi8>, !b -> tensor<?x128x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x128x1xi32>, !b, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!t = !lut.packed<128x8, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// What the kernel does not cover stays for convert-lut-to-loops: a weight
// that is a function argument, mirrored half tables, f32 tables.
// CHECK-LABEL: func @not_matched
// CHECK-COUNT-3: lut.lookup_accumulate
// CHECK-NOT: lut.x86.pshufb
func.func @not_matched(%w: !t, %t: tensor<?x2x16xi8>, %t8: tensor<?x2x8xi8>, %tf: tensor<?x2x16xf32>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>) {
  %acc = lut.lookup_accumulate %t, %w {segment = 8 : i64} : tensor<?x2x16xi8>, !t -> tensor<?x128x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x128x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x128xf32>
  %c = arith.constant dense<1> : tensor<128x8xi8>
  %s = arith.constant dense<1.0> : tensor<1x1xf32>
  %wc = lut.pack %c, %s : tensor<128x8xi8>, tensor<1x1xf32> -> !t
  %acc8 = lut.lookup_accumulate %t8, %wc {segment = 8 : i64} : tensor<?x2x8xi8>, !t -> tensor<?x128x1xi32>
  %y8 = lut.scale_combine %acc8, %wc, %xs tscale %ts : tensor<?x128x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x128xf32>
  %accf = lut.lookup_accumulate %tf, %wc {segment = 8 : i64} : tensor<?x2x16xf32>, !t -> tensor<?x128x1xf32>
  %yf = lut.scale_combine %accf, %wc, %xs : tensor<?x128x1xf32>, !t, tensor<?x1xf32> -> tensor<?x128xf32>
  return %y, %y8, %yf : tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>
}

// -----

// int8 tables of fp activations: a parallel loop over rows and segments;
// per segment, a pass for max |T| (per group the sum of the activations'
// magnitudes, in the loop lowering's order; four groups per step, their
// lanes gathered by shuffles so that the running max is a vector op) and the
// activation sum, then one that recomputes the 16 entries (four
// multiply-adds by sign vectors) and quantizes them into the iteration's
// slice of the tables.
// CHECK-LABEL: func @precompute
// CHECK-DAG: %[[SIGN0:.*]] = arith.constant dense<[-1.000000e+00, 1.000000e+00, -1.000000e+00, {{.*}}]> : vector<16xf32>
// CHECK: %[[N:.*]] = tensor.dim
// CHECK: scf.forall (%[[ROW:.*]], %[[S:.*]]) in (%[[N]], 2) shared_outs(%[[T:.*]] = %{{.*}}, %[[XS:.*]] = %{{.*}}, %[[TS:.*]] = %{{.*}}) -> (tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c2 step
// CHECK-COUNT-4: vector.transfer_read %{{.*}} : tensor<?x64xf16>, vector<4xf16>
// CHECK: %[[ALL:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// CHECK: %[[L0:.*]] = vector.shuffle %[[ALL]], %[[ALL]] [0, 4, 8, 12] : vector<16xf32>, vector<16xf32>
// CHECK: %[[L1:.*]] = vector.shuffle %[[ALL]], %[[ALL]] [1, 5, 9, 13] : vector<16xf32>, vector<16xf32>
// CHECK: %[[S01:.*]] = arith.addf %[[L0]], %[[L1]] : vector<4xf32>
// CHECK: arith.maxnumf %{{.*}} : vector<4xf32>
// CHECK: vector.reduction <maxnumf>
// CHECK: vector.reduction <add>
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK-COUNT-3: vector.fma
// CHECK: math.roundeven %{{.*}} : vector<16xf32>
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi8>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<1x8x16xi8>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[T]][%[[ROW]], %{{.*}}, 0] [1, 8, 16] [1, 1, 1]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[XS]][%[[ROW]], %[[S]]] [1, 1] [1, 1]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[TS]][%[[ROW]], %[[S]]] [1, 1] [1, 1]
// CHECK-NOT: lut.table_precompute
func.func @precompute(%x: tensor<?x64xf16>) -> (tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %t, %xs, %ts = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64, accuracy = #lut.accuracy<table_i8>} : tensor<?x64xf16> -> tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
  return %t, %xs, %ts : tensor<?x16x16xi8>, tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// trit3 tables: triples read as four lanes masked to the triple and, in the
// triple a segment of 64 ends in (padded), to the segment; two multiply-adds
// after the first product per group; 14 entries stored of 16 computed.
// CHECK-LABEL: func @trit3_precompute
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 2)
// CHECK: %[[LANES:.*]] = arith.minsi %{{.*}}, %c3 : index
// CHECK: %[[MASK:.*]] = vector.create_mask %[[LANES]] : vector<4xi1>
// CHECK: %[[XV:.*]] = vector.transfer_read %{{.*}}, %{{.*}}, %[[MASK]] : tensor<?x128xf32>, vector<4xf32>
// CHECK: arith.select %[[MASK]], %[[XV]], %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK-COUNT-2: vector.fma
// CHECK-NOT: vector.fma
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<1x22x14xi8>
// CHECK-NOT: lut.table_precompute
func.func @trit3_precompute(%x: tensor<?x128xf32>) -> (tensor<?x44x14xi8>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %t, %xs, %ts = lut.table_precompute %x {g = 3 : i64, segment = 64 : i64, accuracy = #lut.accuracy<table_i8>} : tensor<?x128xf32> -> tensor<?x44x14xi8>, tensor<?x2xf32>, tensor<?x2xf32>
  return %t, %xs, %ts : tensor<?x44x14xi8>, tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

!t3 = !lut.packed<128x6, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// T3 over trit3 weights: every triple (-1, -1, -1) is pattern 0, whose
// sign-canonical index is 13 (0xDD: both nibble halves) and whose sign bit
// is set (the sign stream all ones, 16 bytes per group of a row block).
// 14-entry tables are read as 16 bytes, masked; each lookup is negated
// where its row's sign bit is set, then widened.
// CHECK-DAG: memref.global "private" constant @[[$SIGNS:__loom_lut_stream.*]] : memref<32xi8> = dense<-1> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @[[$CODES:__loom_lut_stream.*]] : memref<128xi8> = dense<-35> {alignment = 64 : i64}
// CHECK-LABEL: func @trit3
// CHECK-DAG: %[[S:.*]] = memref.get_global @[[$SIGNS]] : memref<32xi8>
// CHECK-DAG: %[[I:.*]] = memref.get_global @[[$CODES]] : memref<128xi8>
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} : tensor<?x2x14xi8>, vector<16xi8>
// CHECK: %[[WORDS:.*]] = vector.transfer_read %[[S]][%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<32xi8>, vector<16xi8>
// CHECK: %[[LOW:.*]] = vector.extract_strided_slice %[[WORDS]] {offsets = [0], sizes = [8], strides = [1]}
// CHECK: %[[NEG:.*]] = vector.bitcast %[[LOW]] : vector<8xi8> to vector<64xi1>
// CHECK: vector.transfer_read %[[I]][%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<128xi8>, vector<64xi8>
// AVX512: %[[E:.*]] = lut.x86.pshufb
// AVX512: %[[M:.*]] = arith.subi %{{.*}}, %[[E]] : vector<64xi8>
// AVX512: %[[SE:.*]] = arith.select %[[NEG]], %[[M]], %[[E]] : vector<64xi1>, vector<64xi8>
// AVX512: arith.extsi %[[SE]] : vector<64xi8> to vector<64xi16>
// CHECK-NOT: lut.lookup_accumulate
func.func @trit3(%t: tensor<?x2x14xi8>, %ts: tensor<?x1xf32>, %xs: tensor<?x1xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<0> : tensor<128x6xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x6xi8>, tensor<1x1xf32> -> !t3
  %acc = lut.lookup_accumulate %t, %w {segment = 6 : i64} : tensor<?x2x14xi8>, !t3 -> tensor<?x128x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x128x1xi32>, !t3, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// A fused precompute evaluates its producer on vectors of four activations:
// each input is read through its indexing map (a broadcast read where the
// map drops k), a value from outside is broadcast, constants are splat; the
// activations are never stored.
// CHECK-LABEL: func @fused_precompute
// CHECK-SAME: (%[[X:.*]]: tensor<?x128xf32>, %[[SS:.*]]: tensor<?xf32>, %[[G:.*]]: tensor<128xf16>, %[[EPS:.*]]: f32)
// CHECK-DAG: %[[C:.*]] = arith.constant dense<1.280000e+02> : vector<4xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x128xf32>
// CHECK: scf.forall (%[[ROW:.*]], %{{.*}}) in (%[[N]], 4)
// CHECK: scf.for
// CHECK: %[[XV:.*]] = vector.transfer_read %[[X]][%[[ROW]], %[[K:.*]]], %{{.*}} {in_bounds = [true]} : tensor<?x128xf32>, vector<4xf32>
// CHECK: %[[SV:.*]] = vector.transfer_read %[[SS]][%[[ROW]]], %{{.*}} {in_bounds = [true], permutation_map = #{{.*}}} : tensor<?xf32>, vector<4xf32>
// CHECK: %[[GV:.*]] = vector.transfer_read %[[G]][%[[K]]], %{{.*}} {in_bounds = [true]} : tensor<128xf16>, vector<4xf16>
// CHECK: %[[MEAN:.*]] = arith.divf %[[SV]], %[[C]] : vector<4xf32>
// CHECK: %[[EV:.*]] = vector.broadcast %[[EPS]] : f32 to vector<4xf32>
// CHECK: %[[ME:.*]] = arith.addf %[[MEAN]], %[[EV]] : vector<4xf32>
// CHECK: %[[R:.*]] = math.sqrt %[[ME]] : vector<4xf32>
// CHECK: %[[NRM:.*]] = arith.divf %[[XV]], %[[R]] : vector<4xf32>
// CHECK: %[[GE:.*]] = arith.extf %[[GV]] : vector<4xf16> to vector<4xf32>
// CHECK: arith.mulf %[[NRM]], %[[GE]] : vector<4xf32>
// CHECK: vector.reduction <add>
// CHECK: math.sqrt %{{.*}} : vector<4xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<1x8x16xi8>
// CHECK-NOT: lut.fused_table_precompute
func.func @fused_precompute(%x: tensor<?x128xf32>, %ss: tensor<?xf32>, %g: tensor<128xf16>, %eps: f32) -> (tensor<?x32x16xi8>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %t, %xs, %ts = lut.fused_table_precompute ins(%x, %ss, %g : tensor<?x128xf32>, tensor<?xf32>, tensor<128xf16>)
      attributes {g = 4 : i64, segment = 32 : i64,
                  indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>, affine_map<(n, k) -> (k)>]} {
  ^bb0(%a: f32, %sq: f32, %gg: f16):
    %c = arith.constant 128.0 : f32
    %mean = arith.divf %sq, %c : f32
    %me = arith.addf %mean, %eps : f32
    %r = math.sqrt %me : f32
    %nrm = arith.divf %a, %r : f32
    %ge = arith.extf %gg : f16 to f32
    %v = arith.mulf %nrm, %ge : f32
    lut.yield %v : f32
  } -> tensor<?x32x16xi8>, tensor<?x4xf32>, tensor<?x4xf32>
  return %t, %xs, %ts : tensor<?x32x16xi8>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

!t = !lut.packed<64x8, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Every kernel has its own index stream, under a name of its own.
// CHECK-DAG: memref.global "private" constant @[[$S0:__loom_lut_stream]] : memref<{{[0-9]+}}xi8>
// CHECK-DAG: memref.global "private" constant @[[$S1:__loom_lut_stream_0]] : memref<{{[0-9]+}}xi8>
// CHECK-LABEL: func @two_kernels
// CHECK-DAG: memref.get_global @[[$S0]] :
// CHECK-DAG: memref.get_global @[[$S1]] :
func.func @two_kernels(%t: tensor<?x2x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %c1 = arith.constant dense<1> : tensor<64x8xi8>
  %c2 = arith.constant dense<-1> : tensor<64x8xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w1 = lut.pack %c1, %s : tensor<64x8xi8>, tensor<1x1xf32> -> !t
  %w2 = lut.pack %c2, %s : tensor<64x8xi8>, tensor<1x1xf32> -> !t
  %a1 = lut.lookup_accumulate %t, %w1 {segment = 8 : i64} : tensor<?x2x16xi8>, !t -> tensor<?x64x1xi32>
  %y1 = lut.scale_combine %a1, %w1, %xs tscale %ts : tensor<?x64x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  %a2 = lut.lookup_accumulate %t, %w2 {segment = 8 : i64} : tensor<?x2x16xi8>, !t -> tensor<?x64x1xi32>
  %y2 = lut.scale_combine %a2, %w2, %xs tscale %ts : tensor<?x64x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y1, %y2 : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

!t = !lut.packed<64x8, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Exact int16 tables (int8 activations) are looked up as two byte tables:
// the unsigned low bytes (vpmaddubsw's unsigned operand, the plane weights
// signed) and the signed high bytes (the weights unsigned), summed apart in
// int16 and joined as hi * 256 + lo at each flush. Low bytes reach 255: 64
// groups per flush for ternary (2 * 255 per group). Two columns per tile.
// CHECK-LABEL: func @exact_tables
// CHECK-DAG: %[[FLUSH:.*]] = arith.constant 64 : index
// CHECK: scf.for {{.*}} -> (vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>)
// CHECK: %[[T:.*]] = vector.transfer_read %{{.*}} : tensor<?x2x16xi16>, vector<16xi16>
// CHECK: %[[HI:.*]] = arith.shrsi %[[T]], %{{.*}} : vector<16xi16>
// CHECK: arith.trunci %[[T]] : vector<16xi16> to vector<16xi8>
// CHECK: arith.trunci %[[HI]] : vector<16xi16> to vector<16xi8>
// AVX512: %[[LO:.*]] = lut.x86.pshufb
// AVX512: lut.x86.pmaddubsw %[[LO]], %[[W:.*]] : vector<64xi8> -> vector<32xi16>
// AVX512: %[[HIB:.*]] = lut.x86.pshufb
// AVX512: lut.x86.pmaddubsw %[[W]], %[[HIB]] : vector<64xi8> -> vector<32xi16>
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<32xi32>
func.func @exact_tables(%t: tensor<?x2x16xi16>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x8xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<64x8xi8>, tensor<1x1xf32> -> !t
  %acc = lut.lookup_accumulate %t, %w {segment = 8 : i64} : tensor<?x2x16xi16>, !t -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !t, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Exact int16 tables of int8 activations: one pass per segment, the entries
// exact (no rounding), tscale the activation scale of the segment's block
// (blocks of 64 hold two segments of 32) and the sum scaled by it.
// CHECK-LABEL: func @exact_precompute
// CHECK-SAME: (%[[X:.*]]: tensor<?x128xi8>, %[[SX:.*]]: tensor<?x2xf32>)
// CHECK: scf.forall (%[[ROW:.*]], %[[S:.*]]) in (%{{.*}}, 4)
// CHECK: scf.for
// CHECK: vector.transfer_read %[[X]]{{.*}} : tensor<?x128xi8>, vector<4xi8>
// CHECK: arith.sitofp %{{.*}} : vector<4xi8> to vector<4xf32>
// CHECK-NOT: math.roundeven
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi16>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi16>, tensor<1x8x16xi16>
// CHECK: %[[BLOCK:.*]] = arith.divui %[[S]], %c2 : index
// CHECK: %[[SCALE:.*]] = tensor.extract %[[SX]][%[[ROW]], %[[BLOCK]]] : tensor<?x2xf32>
// CHECK: vector.reduction <add>
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f32
func.func @exact_precompute(%x: tensor<?x128xi8>, %sx: tensor<?x2xf32>) -> (tensor<?x32x16xi16>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %t, %xs, %ts = lut.table_precompute %x x_scale %sx {g = 4 : i64, segment = 32 : i64} : tensor<?x128xi8>, tensor<?x2xf32> -> tensor<?x32x16xi16>, tensor<?x4xf32>, tensor<?x4xf32>
  return %t, %xs, %ts : tensor<?x32x16xi16>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

!g = !lut.packed<130x8, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Tables, sums and scales gathered by one row list (an expert's tokens):
// the kernel reads through the list instead of copying the rows. y has one
// row per index; a row index outside the tables gives zero column terms, so
// that y row is exactly 0.
// CHECK-LABEL: func @gathered_tables
// CHECK-SAME: (%[[T:.*]]: tensor<?x2x16xi8>, %[[XS:.*]]: tensor<?x1xf32>, %[[TS:.*]]: tensor<?x1xf32>, %[[R:.*]]: tensor<?xi32>)
// CHECK-NOT: lut.gather_rows
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[R]], %{{.*}} : tensor<?xi32>
// CHECK-DAG: %[[TN:.*]] = tensor.dim %[[T]], %{{.*}} : tensor<?x2x16xi8>
// CHECK: tensor.empty(%[[N]]) : tensor<?x130xf32>
// CHECK: %[[ROW:.*]] = tensor.extract %[[R]][%{{.*}}] : tensor<?xi32>
// CHECK: %[[IDX:.*]] = arith.index_cast %[[ROW]] : i32 to index
// CHECK: %[[HI:.*]] = arith.cmpi slt, %[[IDX]], %[[TN]] : index
// CHECK: %[[OK:.*]] = arith.andi
// CHECK: %[[SRC:.*]] = arith.select %[[OK]], %[[IDX]], %{{.*}} : index
// CHECK: vector.transfer_read %[[T]][%[[SRC]], %{{.*}}, %{{.*}}]
// CHECK: %[[TAU:.*]] = tensor.extract %[[TS]][%[[SRC]], %{{.*}}]
// CHECK: arith.select %[[OK]], %[[TAU]], %{{.*}} : f32
func.func @gathered_tables(%t: tensor<?x2x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>, %r: tensor<?xi32>) -> tensor<?x130xf32> {
  %c = arith.constant dense<2> : tensor<130x8xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<130x8xi8>, tensor<1x1xf32> -> !g
  %tg = lut.gather_rows %t[%r] : tensor<?x2x16xi8>, tensor<?xi32> -> tensor<?x2x16xi8>
  %xg = lut.gather_rows %xs[%r] : tensor<?x1xf32>, tensor<?xi32> -> tensor<?x1xf32>
  %sg = lut.gather_rows %ts[%r] : tensor<?x1xf32>, tensor<?xi32> -> tensor<?x1xf32>
  %acc = lut.lookup_accumulate %tg, %w {segment = 8 : i64} : tensor<?x2x16xi8>, !g -> tensor<?x130x1xi32>
  %y = lut.scale_combine %acc, %w, %xg tscale %sg : tensor<?x130x1xi32>, !g, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x130xf32>
  return %y : tensor<?x130xf32>
}

// -----

!w1 = !lut.packed<64x64, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// P64 (isa=avx512-vbmi) for one plane per byte: a row's four groups in a
// byte quad (binary code 1 sets every bit: index 15 in both nibbles), the
// four groups' tables one 64-byte read of the collapsed tables, the index
// offset by 16 l for byte l of its quad, one vpermb per nibble half and a
// vpdpbusd that sums the quad into the row's int32 lane: 4 sums of 16 rows
// per column, 4 quads per segment of 64.
// VBMI: memref.global "private" constant @[[$QUADS:__loom_lut_stream.*]] : memref<512xi8> = dense<-1> {alignment = 64 : i64}
// quad-from-n=0 forces single tables where no decision says otherwise.
// SINGLE-LABEL: func @p64
// SINGLE-NOT: lut.x86.vpermb
// SINGLE: lut.x86.pshufb
// SINGLE-NOT: lut.x86.vpermb
// VBMI-LABEL: func @p64
// VBMI-DAG: %[[OFFSETS:.*]] = arith.constant dense<[0, 16, 32, 48, 0, 16, {{.*}}]> : vector<64xi8>
// VBMI-DAG: %[[ONES:.*]] = arith.constant dense<1> : vector<64xi8>
// VBMI: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<?x16x16xi8> into tensor<?x256xi8>
// VBMI: scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args({{.*}}) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VBMI: %[[TABLES:.*]] = vector.transfer_read %[[FLAT]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x256xi8>, vector<64xi8>
// VBMI: %[[BYTES:.*]] = vector.transfer_read %{{.*}}[%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<512xi8>, vector<64xi8>
// VBMI: %[[LOW:.*]] = arith.andi %[[BYTES]], %{{.*}} : vector<64xi8>
// VBMI: %[[AT:.*]] = arith.addi %[[LOW]], %[[OFFSETS]] : vector<64xi8>
// VBMI: %[[E:.*]] = lut.x86.vpermb %[[TABLES]], %[[AT]] : vector<64xi8>
// VBMI: lut.x86.vpdpbusd %{{.*}}, %[[ONES]], %[[E]] : vector<16xi32>, vector<64xi8>
// VBMI-NOT: lut.x86.pshufb
func.func @p64(%t: tensor<?x16x16xi8>, %ts: tensor<?x1xf32>, %xs: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf16> -> !w1
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<?x16x16xi8>, !w1 -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !w1, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!t3p = !lut.packed<64x128, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// trit3 over segments of 64 (22 triples: the P64 stream pads a quad): with
// no decision, a GEMV (N = 1) takes T3's shorter stream, larger N P64,
// behind an scf.if.
// VBMI-LABEL: func @trit3_padded_quads
// VBMI: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x44x14xi8>
// VBMI: %[[GEMV:.*]] = arith.cmpi slt, %[[N]], %c2 : index
// VBMI: scf.if %[[GEMV]] -> (tensor<?x64xf32>) {
// VBMI: lut.x86.pshufb
// VBMI: } else {
// VBMI: lut.x86.vpermb
func.func @trit3_padded_quads(%t: tensor<?x44x14xi8>, %ts: tensor<?x2xf32>, %xs: tensor<?x2xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<0> : tensor<64x128xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<64x128xi8>, tensor<1x1xf32> -> !t3p
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<?x44x14xi8>, !t3p -> tensor<?x64x2xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x2xi32>, !t3p, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!w1 = !lut.packed<64x64, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The table layout is the lut.gemm decision's where it has one:
// quad_from_n = 0 keeps W1's single tables (S16) at every N, 8 takes the
// quad tables (P64) from N = 8 on.
// VBMI-LABEL: func @single_tables_decided
// VBMI: lut.x86.pshufb
// VBMI-NOT: lut.x86.vpermb
// The decision wins over the option.
// SINGLE-LABEL: func @quad_tables_from_8
// SINGLE: arith.cmpi slt, %{{.*}}, %c8 : index
// SINGLE: lut.x86.vpermb
// VBMI-LABEL: func @quad_tables_from_8
// VBMI: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x16x16xi8>
// VBMI: %[[BELOW:.*]] = arith.cmpi slt, %[[N]], %c8 : index
// VBMI: scf.if %[[BELOW]] -> (tensor<?x64xf32>) {
// VBMI: lut.x86.pshufb
// VBMI: } else {
// VBMI: lut.x86.vpermb
func.func @single_tables_decided(%t: tensor<?x16x16xi8>, %ts: tensor<?x1xf32>, %xs: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf16> -> !w1
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<?x16x16xi8>, !w1 -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, prefetch = 0 : i64, quad_from_n = 0 : i64}, source = "user", model = "hand">} : tensor<?x64x1xi32>, !w1, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @quad_tables_from_8(%t: tensor<?x16x16xi8>, %ts: tensor<?x1xf32>, %xs: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf16> -> !w1
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<?x16x16xi8>, !w1 -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, prefetch = 0 : i64, quad_from_n = 8 : i64}, source = "user", model = "hand">} : tensor<?x64x1xi32>, !w1, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
