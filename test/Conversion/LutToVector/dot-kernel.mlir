// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=avx512-vnni | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=avx512 | FileCheck %s --check-prefixes=CHECK,NOVNNI
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector=isa=generic | FileCheck %s --check-prefixes=CHECK,GENERIC
// RUN: loom-opt %s -split-input-file --convert-lut-to-vector="isa=avx512-vnni prefetch-distance=0" | FileCheck %s --check-prefix=NOPREFETCH

// NOPREFETCH-LABEL: func @dot
// NOPREFETCH-NOT: memref.prefetch

!w = !lut.packed<80x16, #lut.quant<signed, bits = 4, group = per_channel, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The int8-dot kernel over 80 rows of signed 4-bit weights (lookup values
// -15, -13, ..., 15, shifted by c / kappa = -1 to -16, -14, ..., 14, so that
// the sums hold the encoding offset -X_int themselves): the weight is
// folded into a stream of 4-bit value indices
// (2 row blocks of 64 rows x 2 steps of 8 K x 4 row vectors x 64 bytes),
// the per-row corrections -128 * sum of values (2 blocks x 1 segment x 64),
// where each segment's sums start, and the row scales. The activations + 128
// (the sign bit flipped) are copied once. Per row block (the second one 16 rows wide, so its stores
// are masked), tiles of 4 columns (a lone column takes @gemv's form): per step 4 loads, each split into
// nibbles and looked up to values, then per column 8 dot products of an
// activation word of that copy broadcast over 16 rows. The scales are
// folded as kappa * s (0.25), so the fp32 epilogue is fl(kappa s * tau) *
// float(sum), with no add per accumulator.
// CHECK: memref.global "private" constant @[[$STREAM:__loom_lut_stream.*]] : memref<1024xi8> = dense<"0x{{[0-9A-F]+}}"> {alignment = 64 : i64}
// CHECK-LABEL: func @dot
// CHECK-DAG: %[[IDX:.*]] = memref.get_global @[[$STREAM]] : memref<1024xi8>
// CHECK-DAG: %[[LASTLINE:.*]] = arith.constant 960 : index
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<{{.*}}> : tensor<2x1x64xi32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<"0x00340034{{.*}}"> : tensor<2x1x64xf16>
// VNNI-DAG: arith.constant dense<[-16, -14, -12, -10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10, 12, 14{{.*}}]> : vector<{{16|64}}xi8>
// NOVNNI-DAG: arith.constant dense<[-16, -14, -12, -10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10, 12, 14{{.*}}]> : vector<{{16|64}}xi8>
// CHECK-DAG: %[[FLIP:.*]] = arith.constant dense<-128> : vector<16xi8>
// CHECK: %[[FLIPPED:.*]] = scf.for {{.*}} -> (tensor<?x16xi8>)
// CHECK: %[[X:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x16xi8>, vector<16xi8>
// CHECK: %[[U:.*]] = arith.xori %[[X]], %[[FLIP]] : vector<16xi8>
// CHECK: vector.transfer_write %[[U]]
// CHECK: scf.forall (%[[RB:.*]]) in (2) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<?x80xf32>)
// CHECK: scf.for {{.*}} -> (tensor<?x?xf32>)
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[START:.*]] = vector.transfer_read %[[CORR]][%[[RB]], %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x1x64xi32>, vector<16xi32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[START]], {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// Each step prefetches its four loads 2048 bytes ahead, clamped to the
// stream's last line.
// CHECK: %[[AHEAD:.*]] = arith.minsi %{{.*}}, %[[LASTLINE]] : index
// CHECK: memref.prefetch %[[IDX]][%[[AHEAD]]], read, locality<3>, data : memref<1024xi8>
// CHECK: %[[BYTES:.*]] = vector.transfer_read %[[IDX]][%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<1024xi8>, vector<64xi8>
// VNNI: lut.x86.pshufb %{{.*}}, %{{.*}} : vector<64xi8>
// GENERIC-NOT: lut.x86
// CHECK: %[[WORD:.*]] = vector.transfer_read %[[FLIPPED]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x16xi8>, vector<4xi8>
// CHECK: vector.bitcast %[[WORD]] : vector<4xi8> to vector<1xi32>
// CHECK: vector.broadcast %{{.*}} : i32 to vector<16xi32>
// VNNI: lut.x86.vpdpbusd %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
// NOVNNI-NOT: lut.x86.vpdpbusd
// NOVNNI: lut.x86.pmaddubsw
// GENERIC: arith.muli %{{.*}}, %{{.*}} : vector<32xi16>
// CHECK-NOT: arith.subi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NOT: arith.divf
// The sums convert as the step loop leaves them (#0), no add between.
// CHECK: %[[FACTOR:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: %[[SUMS:.*]] = arith.sitofp %{{.*}}#0 : vector<16xi32> to vector<16xf32>
// CHECK: %[[TERM:.*]] = arith.mulf %[[FACTOR]], %[[SUMS]] : vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[TERM]] : vector<16xf32>
// CHECK-NOT: math.fma
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : vector<16xf32>, tensor<?x?xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: lut.dot_accumulate
func.func @dot(%x: tensor<?x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x80xf32> {
  %c = arith.constant dense<1> : tensor<80x16xi8>
  %s = arith.constant dense<0.5> : tensor<80x1xf16>
  %w = lut.pack %c, %s : tensor<80x16xi8>, tensor<80x1xf16> -> !w
  %acc = lut.dot_accumulate %x, %w {segment = 16 : i64} : tensor<?x16xi8>, !w -> tensor<?x80x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x80x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x80xf32>
  return %y : tensor<?x80xf32>
}

// -----

!w = !lut.packed<64x32, #lut.quant<ternary, group = per_channel, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// At most four lookup values (ternary: -2, 0, 2 at indices 0, 1, 2): 2-bit
// value indices, four fields per byte, so a load covers 16 K of 16 rows
// (1 block x 2 steps x 4 loads x 64 bytes) and each step reads 4
// activation words per column, four dot products per row vector.
// CHECK: memref.global "private" constant @{{.*}} : memref<512xi8>
// CHECK-LABEL: func @two_bit
// CHECK-DAG: arith.constant dense<3> : vector<64xi8>
// CHECK-DAG: arith.constant dense<2> : vector<64xi8>
// CHECK-DAG: arith.constant dense<4> : vector<64xi8>
// CHECK-DAG: arith.constant dense<6> : vector<64xi8>
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<512xi8>, vector<64xi8>
// CHECK: arith.shrui %{{.*}}, %{{.*}} : vector<64xi8>
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x32xi8>, vector<4xi8>
// CHECK: vector.bitcast %{{.*}} : vector<4xi8> to vector<1xi32>
// VNNI-COUNT-16: lut.x86.vpdpbusd
func.func @two_bit(%x: tensor<?x32xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<2> : tensor<64x32xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf32>
  %w = lut.pack %c, %s : tensor<64x32xi8>, tensor<64x1xf32> -> !w
  %acc = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<?x32xi8>, !w -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!w = !lut.packed<64x32, #lut.quant<ternary, group = per_channel, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A lone column (the tile after those of 4 and 2) in the index form: the
// ternary values v = 2 i - 2 are affine in their index i, so each field of
// a stream byte is masked in place (3, 12, 48, 192) and taken as the
// unsigned operand, against the activation words of %x itself (not the
// flipped copy), one accumulator per field and row vector. At the
// segment's end the fields' sums are scaled by 2 / 4^f (shifts) and added
// to -2 * X_int, folded once per GEMM: sum v x, as lut.dot_accumulate's.
// Without vpdpbusd (whose int16 products cannot saturate) the lone column
// keeps the lookups.
// CHECK-LABEL: func @gemv
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xi8>
// VNNI-DAG: %[[F0:.*]] = arith.constant dense<3> : vector<64xi8>
// VNNI-DAG: %[[F1:.*]] = arith.constant dense<12> : vector<64xi8>
// VNNI-DAG: %[[F2:.*]] = arith.constant dense<48> : vector<64xi8>
// VNNI-DAG: %[[F3:.*]] = arith.constant dense<-64> : vector<64xi8>
// VNNI-DAG: %[[ONE:.*]] = arith.constant dense<1> : vector<16xi32>
// VNNI-DAG: %[[BY16:.*]] = arith.constant dense<3> : vector<16xi32>
// VNNI-DAG: %[[BY64:.*]] = arith.constant dense<5> : vector<16xi32>
// VNNI-DAG: %[[UNITS:.*]] = arith.constant -2 : i32
// VNNI: %[[INTERCEPTS:.*]] = scf.for {{.*}} -> (tensor<?x1xi32>)
// VNNI: arith.muli %{{.*}}, %[[UNITS]] : i32
// VNNI: scf.forall
// VNNI: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// VNNI: %[[I:.*]] = tensor.extract %[[INTERCEPTS]][%{{.*}}, %{{.*}}] : tensor<?x1xi32>
// VNNI: %[[INTERCEPT:.*]] = vector.broadcast %[[I]] : i32 to vector<16xi32>
// VNNI: scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VNNI: %[[WORD:.*]] = vector.transfer_read %[[X]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x32xi8>, vector<4xi8>
// VNNI: %[[BYTES:.*]] = vector.transfer_read %{{.*}}[%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<512xi8>, vector<64xi8>
// VNNI-NOT: arith.shrui
// VNNI-NOT: lut.x86.pshufb
// VNNI: %[[M0:.*]] = arith.andi %[[BYTES]], %[[F0]] : vector<64xi8>
// VNNI-NEXT: lut.x86.vpdpbusd %{{.*}}, %[[M0]], %{{.*}} : vector<16xi32>, vector<64xi8>
// VNNI-NEXT: %[[M1:.*]] = arith.andi %[[BYTES]], %[[F1]] : vector<64xi8>
// VNNI-NEXT: lut.x86.vpdpbusd %{{.*}}, %[[M1]], %{{.*}} : vector<16xi32>, vector<64xi8>
// VNNI-NEXT: %[[M2:.*]] = arith.andi %[[BYTES]], %[[F2]] : vector<64xi8>
// VNNI-NEXT: lut.x86.vpdpbusd %{{.*}}, %[[M2]], %{{.*}} : vector<16xi32>, vector<64xi8>
// VNNI-NEXT: %[[M3:.*]] = arith.andi %[[BYTES]], %[[F3]] : vector<64xi8>
// VNNI-NEXT: lut.x86.vpdpbusd %{{.*}}, %[[M3]], %{{.*}} : vector<16xi32>, vector<64xi8>
// VNNI: %[[S0:.*]] = arith.shli %{{.*}}#0, %[[ONE]] : vector<16xi32>
// VNNI: %[[A0:.*]] = arith.addi %[[INTERCEPT]], %[[S0]] : vector<16xi32>
// VNNI: %[[S1:.*]] = arith.shrsi %{{.*}}#1, %[[ONE]] : vector<16xi32>
// VNNI: %[[A1:.*]] = arith.addi %[[A0]], %[[S1]] : vector<16xi32>
// VNNI: %[[S2:.*]] = arith.shrsi %{{.*}}#2, %[[BY16]] : vector<16xi32>
// VNNI: %[[A2:.*]] = arith.addi %[[A1]], %[[S2]] : vector<16xi32>
// VNNI: %[[S3:.*]] = arith.shrsi %{{.*}}#3, %[[BY64]] : vector<16xi32>
// VNNI: arith.addi %[[A2]], %[[S3]] : vector<16xi32>
// NOVNNI-NOT: arith.shrsi
func.func @gemv(%x: tensor<?x32xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<2> : tensor<64x32xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf32>
  %w = lut.pack %c, %s : tensor<64x32xi8>, tensor<64x1xf32> -> !w
  %acc = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<?x32xi8>, !w -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!w1 = !lut.packed<64x64, #lut.quant<binary, bits = 1, group = per_channel, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Two lookup values (binary: -1, +1): 1-bit value indices, eight fields per
// byte, each unpacked by testing its bit and picking one of the two values
// (vptestmb + vpblendmb) - no shift, no byte lookup.
// CHECK-LABEL: func @one_bit
// CHECK-DAG: %[[MINUS:.*]] = arith.constant dense<-1> : vector<64xi8>
// CHECK-DAG: %[[PLUS:.*]] = arith.constant dense<1> : vector<64xi8>
// CHECK-DAG: %[[BIT7:.*]] = arith.constant dense<-128> : vector<64xi8>
// CHECK: %[[BYTES:.*]] = vector.transfer_read %{{.*}}[%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<{{[0-9]+}}xi8>, vector<64xi8>
// CHECK-NOT: arith.shrui
// CHECK: %[[B0:.*]] = arith.andi %[[BYTES]], %[[PLUS]] : vector<64xi8>
// CHECK: %[[SET:.*]] = arith.cmpi ne, %[[B0]], %{{.*}} : vector<64xi8>
// CHECK: arith.select %[[SET]], %[[PLUS]], %[[MINUS]] : vector<64xi1>, vector<64xi8>
// CHECK: arith.andi %[[BYTES]], %[[BIT7]] : vector<64xi8>
// VNNI-COUNT-32: lut.x86.vpdpbusd
// A lone column takes the index form in two passes over the segment, of 2
// row vectors each: 8 fields x 2 = 16 accumulators, not 32.
// VNNI: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// VNNI: scf.for {{.*}} -> ([[ACCS:(vector<16xi32>, ){15}vector<16xi32>]])
// VNNI-COUNT-16: lut.x86.vpdpbusd
// VNNI: scf.for {{.*}} -> ([[ACCS]])
// VNNI-COUNT-16: lut.x86.vpdpbusd
func.func @one_bit(%x: tensor<?x64xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf32>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf32> -> !w1
  %acc = lut.dot_accumulate %x, %w {segment = 64 : i64} : tensor<?x64xi8>, !w1 -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !w1, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!w = !lut.packed<64x12, #lut.quant<signed, bits = 2, group = per_channel, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Left for convert-lut-to-loops: segments that are no multiple of the 8 K
// of a step, and weights that are not constants.
// CHECK-LABEL: func @not_matched
// CHECK: lut.dot_accumulate
// CHECK: lut.dot_accumulate
func.func @not_matched(%x: tensor<?x12xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>, %arg: !w) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %c = arith.constant dense<1> : tensor<64x12xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf32>
  %w = lut.pack %c, %s : tensor<64x12xi8>, tensor<64x1xf32> -> !w
  %acc = lut.dot_accumulate %x, %w {segment = 12 : i64} : tensor<?x12xi8>, !w -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x64x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  %acc2 = lut.dot_accumulate %x, %arg {segment = 12 : i64} : tensor<?x12xi8>, !w -> tensor<?x64x1xi32>
  %z = lut.scale_combine %acc2, %arg, %xs tscale %ts : tensor<?x64x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y, %z : tensor<?x64xf32>, tensor<?x64xf32>
}
