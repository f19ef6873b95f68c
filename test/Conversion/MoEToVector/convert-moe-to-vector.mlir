// RUN: loom-opt %s -split-input-file --convert-moe-to-vector --canonicalize | FileCheck %s
// RUN: loom-opt %s -split-input-file --convert-moe-to-vector="row-tile=2 column-tile=4" --canonicalize | FileCheck %s --check-prefix=SMALL
// RUN: not loom-opt %s --convert-moe-to-vector="column-tile=3" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: convert-moe-to-vector: row-tile and column-tile: a tile needs rows >= 1 and an even weight_rows >= 2, got 4 and 3
// BAD-NOT: see current operation
// RUN: not loom-opt %s --convert-moe-to-vector="row-tile=64 column-tile=64" 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: convert-moe-to-vector: row-tile and column-tile: a tile of 64 x 64 keeps 4096 accumulators, its row vectors and a weight vector: more than the 32 vector registers

// SwiGLU, K = 40 (two whole steps of 16 and a masked one), h = 10 output
// columns in tiles of 3 (the last tile 1 wide). Per expert: an scf.forall
// over the 4 column tiles; 4-row tiles of 4 x (3 gate + 3 up) accumulators
// in the K loop; the rows left over (1-3) by index_switch; the butterfly;
// silu(gate) * up with exp expanded to a polynomial.
// CHECK-LABEL: func @swiglu
// CHECK: linalg.fill
// CHECK: scf.for %[[E:.*]] = %c0 to %c3 step %c1
// CHECK: scf.if
// Threads only from 2^20 multiply-adds: rows * 10 columns * K = 40.
// CHECK: %[[MACS:.*]] = arith.muli %{{.*}}, %c400 : index
// CHECK: %[[PAR:.*]] = arith.cmpi sge, %[[MACS]], %c1048576 : index
// CHECK: scf.if %[[PAR]]
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.extract_slice
// CHECK: scf.for {{.*}} step %c4
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-10: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<{{.*}}xf32>, vector<16xf32>
// CHECK-COUNT-24: vector.fma
// CHECK: scf.yield
// The masked K step past 32.
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %c32], %{{.*}} : tensor<?x40xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK: vector.shuffle {{.*}} [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]
// CHECK-NOT: math.exp
// CHECK: arith.divf
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<3xf32>, tensor<?x?xf32>
// CHECK: scf.index_switch
// CHECK: case 1
// CHECK: case 2
// CHECK: case 3
// CHECK: tensor.parallel_insert_slice
// The same tiles on one thread.
// CHECK: } else {
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: tensor.insert_slice
// SMALL-LABEL: func @swiglu
// SMALL: scf.for {{.*}} step %c2
// SMALL: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// SMALL: scf.index_switch
// SMALL-NEXT: case 1
// SMALL-NOT: case 2
func.func @swiglu(%xb: tensor<?x40xf32>, %w: tensor<3x20x40xf32>, %off: tensor<4xi32>, %cnt: tensor<3xi32>) -> tensor<?x10xf32> {
  %h = moe.grouped_matmul %xb, %w, %off, %cnt {epilogue = #moe.activation<swiglu>} : (tensor<?x40xf32>, tensor<3x20x40xf32>, tensor<4xi32>, tensor<3xi32>) -> tensor<?x10xf32>
  return %h : tensor<?x10xf32>
}

// -----

// No activation, f16 operands: reads widen to f32, results narrow back; a
// bias per column and a scale per row enter the epilogue as vectors; K = 32
// needs no masked step; 12 columns are two whole tiles of 6.
// CHECK-LABEL: func @bias_row_scale_f16
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK: arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK-COUNT-24: vector.fma
// CHECK-NOT: vector.transfer_read {{.*}}%c32
// CHECK: tensor.extract %{{.*}} : tensor<2x12xf16>
// CHECK: vector.from_elements
// CHECK: tensor.extract %{{.*}} : tensor<?xf32>
// CHECK: arith.truncf {{.*}} : vector<6xf32> to vector<6xf16>
// CHECK: vector.transfer_write {{.*}} : vector<6xf16>, tensor<?x6xf16>
// Row 2 of the tile straddles the two result vectors.
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [12, 13, 14, 15, 16, 17]
func.func @bias_row_scale_f16(%xb: tensor<?x32xf16>, %w: tensor<2x12x32xf16>, %off: tensor<3xi32>, %cnt: tensor<2xi32>, %b: tensor<2x12xf16>, %s: tensor<?xf32>) -> tensor<?x12xf16> {
  %y = moe.grouped_matmul %xb, %w, %off, %cnt bias %b row_scale %s : (tensor<?x32xf16>, tensor<2x12x32xf16>, tensor<3xi32>, tensor<2xi32>, tensor<2x12xf16>, tensor<?xf32>) -> tensor<?x12xf16>
  return %y : tensor<?x12xf16>
}

// -----

// The router's logits are a one-expert grouped GEMM over every token (the
// same kernel), then a max-subtracted softmax over E; f16 gates stay with
// the reference lowering.
// CHECK-LABEL: func @gate
// CHECK: %[[EXP:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [1, 8, 64] : tensor<8x64xf32> into tensor<1x8x64xf32>
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: vector.fma
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-LABEL: func @sigmoid_gate
// CHECK: vector.fma
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK-NOT: arith.maximumf
// CHECK-LABEL: func @f16_gate
// CHECK: moe.gate
func.func @gate(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>) -> tensor<?x8xf32> {
  %p = moe.gate %x, %wr : tensor<?x64xf32>, tensor<8x64xf32> -> tensor<?x8xf32>
  return %p : tensor<?x8xf32>
}
func.func @sigmoid_gate(%x: tensor<5x64xf32>, %wr: tensor<8x64xf32>) -> tensor<5x8xf32> {
  %p = moe.gate %x, %wr {scoring = #moe.scoring<sigmoid>} : tensor<5x64xf32>, tensor<8x64xf32> -> tensor<5x8xf32>
  return %p : tensor<5x8xf32>
}
func.func @f16_gate(%x: tensor<?x64xf16>, %wr: tensor<8x64xf16>) -> tensor<?x8xf32> {
  %p = moe.gate %x, %wr : tensor<?x64xf16>, tensor<8x64xf16> -> tensor<?x8xf32>
  return %p : tensor<?x8xf32>
}

// -----

// Dispatch: one scalar pass records each row's slot (-1: padding), then an
// scf.forall over the rows copies x[t] 16 lanes at a time (the last step of
// d = 40 masked), times w for pre-score dispatch, zeros for padding rows.
// CHECK-LABEL: func @dispatch_prescore
// CHECK: tensor.splat %c-1_i32
// CHECK: scf.for
// CHECK: tensor.insert
// Threads only from 2^16 moved elements (rows * 40).
// CHECK: %[[N:.*]] = arith.muli %{{.*}}, %c40 : index
// CHECK: arith.cmpi sge, %[[N]], %c65536 : index
// CHECK: scf.forall (%[[R:.*]]) in (%{{.*}})
// CHECK: tensor.extract_slice %{{.*}}[%[[R]], 0] [1, 40] [1, 1]
// CHECK: vector.broadcast
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.select
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]}
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %c32]
// CHECK-NOT: in_bounds
// CHECK: tensor.parallel_insert_slice
// CHECK: } else {
// CHECK: scf.for
// CHECK: tensor.insert_slice
func.func @dispatch_prescore(%x: tensor<?x40xf32>, %ids: tensor<?x2xi32>, %loc: tensor<?x2xi32>, %off: tensor<5xi32>, %w: tensor<?x2xf32>) -> tensor<?x40xf32> {
  %b = moe.dispatch %x, %ids, %loc, %off scale %w : (tensor<?x40xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<5xi32>, tensor<?x2xf32>) -> tensor<?x40xf32>
  return %b : tensor<?x40xf32>
}

// -----

// Combine: an scf.forall over the tokens; each row starts from init and
// adds w * row for each kept slot in slot order (an scf.if per slot), f16
// rows widened and the sum narrowed back per slot as in the reference.
// CHECK-LABEL: func @combine_f16
// CHECK: scf.forall
// CHECK: arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK: scf.if
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xf16>
// CHECK: tensor.parallel_insert_slice
func.func @combine_f16(%rows: tensor<?x32xf16>, %ids: tensor<?x2xi32>, %loc: tensor<?x2xi32>, %off: tensor<5xi32>, %w: tensor<?x2xf32>, %init: tensor<?x32xf16>) -> tensor<?x32xf16> {
  %y = moe.combine %rows, %ids, %loc, %off weights %w init %init : (tensor<?x32xf16>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<5xi32>, tensor<?x2xf32>, tensor<?x32xf16>) -> tensor<?x32xf16>
  return %y : tensor<?x32xf16>
}

// -----

// Gather and scatter: the tile reads x at each row's clamped token index
// (one index per row, outside the K loop); each result row is added into
// the column slice of its token's output row — without a branch: a row
// whose maps are invalid writes back what it read — and the column tiles'
// slices span every output row.
// CHECK-LABEL: func @gathered_scattered
// CHECK-SAME: (%[[X:.*]]: tensor<?x32xf32>, {{.*}}, %[[G:.*]]: tensor<?xi32>, %[[S:.*]]: tensor<?xi32>, %[[INIT:.*]]: tensor<?x12xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK: scf.forall
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}] [%{{.*}}, 4] [1, 1] : tensor<?x12xf32> to tensor<?x4xf32>
// CHECK: tensor.extract %[[G]]
// CHECK: %[[ROW:.*]] = arith.maxsi %{{.*}}, %c0 : index
// CHECK: scf.for
// CHECK: vector.transfer_read %[[X]][%[[ROW]], %{{.*}}]
// CHECK: vector.fma
// CHECK: tensor.extract %[[S]]
// CHECK: %[[OLD:.*]] = vector.transfer_read
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]]
// CHECK: %[[NEW:.*]] = arith.select %{{.*}}, %[[SUM]], %[[OLD]] : vector<4xf32>
// CHECK: vector.transfer_write %[[NEW]]
func.func @gathered_scattered(%x: tensor<?x32xf32>, %w: tensor<4x12x32xf32>, %off: tensor<5xi32>, %cnt: tensor<4xi32>, %g: tensor<?xi32>, %s: tensor<?xi32>, %init: tensor<?x12xf32>) -> tensor<?x12xf32> {
  %y = moe.grouped_matmul %x, %w, %off, %cnt gather %g scatter %s into %init {tile = #moe.tile<rows = 2, weight_rows = 4>} : (tensor<?x32xf32>, tensor<4x12x32xf32>, tensor<5xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?x12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// -----

// Top-k: one vector of a token's E scores (plus the selection bias); per
// slot a maxnumf reduction, the first lane equal to it (lane 0 when lane 0
// is NaN or nothing matches), the unbiased score as weight, and the lane
// masked to -inf; weights renormalized and scaled as in the reference.
// CHECK-LABEL: func @topk
// CHECK-DAG: %[[LANES:.*]] = arith.constant dense<[0, 1, 2, {{.*}}, 19]> : vector<20xi32>
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<20xf32>
// CHECK: scf.for
// CHECK: %[[P:.*]] = vector.transfer_read %{{.*}} : tensor<?x20xf32>, vector<20xf32>
// CHECK: %[[S:.*]] = arith.addf %[[P]], %{{.*}} : vector<20xf32>
// CHECK: %[[MAX:.*]] = vector.reduction <maxnumf>, %[[S]]
// CHECK: arith.cmpf oeq
// CHECK: %[[FIRST:.*]] = vector.reduction <minsi>
// CHECK: arith.cmpf uno
// CHECK: %[[ID:.*]] = arith.select %{{.*}}, %c0_i32, %[[FIRST]] : i32
// CHECK: vector.extract %[[P]][%{{.*}}] : f32 from vector<20xf32>
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %{{.*}}, %[[LANES]] : vector<20xi32>
// CHECK: arith.select %[[HIT]], %[[NEGINF]], %[[S]]
// CHECK-COUNT-2: vector.reduction <maxnumf>
// CHECK: arith.maximumf
// CHECK-COUNT-3: arith.divf
// CHECK-COUNT-3: arith.mulf
// CHECK: vector.transfer_write %{{.*}} : vector<3xi32>, tensor<?x3xi32>
// CHECK: vector.transfer_write %{{.*}} : vector<3xf32>, tensor<?x3xf32>
func.func @topk(%p: tensor<?x20xf32>, %b: tensor<20xf32>) -> (tensor<?x3xi32>, tensor<?x3xf32>) {
  %ids, %w = moe.topk %p select_bias %b {k = 3 : i64, renormalize, scale = 2.5 : f64} : tensor<?x20xf32>, tensor<20xf32> -> tensor<?x3xi32>, tensor<?x3xf32>
  return %ids, %w : tensor<?x3xi32>, tensor<?x3xf32>
}

// -----

// Group-limited top-k keeps the reference lowering.
// CHECK-LABEL: func @topk_groups
// CHECK: moe.topk
func.func @topk_groups(%p: tensor<?x16xf32>) -> (tensor<?x2xi32>, tensor<?x2xf32>) {
  %ids, %w = moe.topk %p {k = 2 : i64, groups = 4 : i64, group_topk = 2 : i64} : tensor<?x16xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  return %ids, %w : tensor<?x2xi32>, tensor<?x2xf32>
}

// -----

// A gate read only by a top-k: each token's softmax is computed from its
// logits row in registers — maximumf reduction, scalar exps, the sum in lane
// order, the division — and selected from directly; no scores tensor.
// CHECK-LABEL: func @gate_topk
// CHECK-NOT: linalg.generic
// CHECK: vector.fma
// CHECK: %[[L:.*]] = vector.transfer_read %{{.*}} : tensor<?x4xf32>, vector<4xf32>
// CHECK: vector.reduction <maximumf>, %[[L]]
// CHECK-COUNT-4: math.exp %{{.*}} : f32
// CHECK-COUNT-4: arith.addf %{{.*}} : f32
// CHECK: %[[P:.*]] = arith.divf %{{.*}} : vector<4xf32>
// CHECK: vector.reduction <maxnumf>, %[[P]]
func.func @gate_topk(%x: tensor<?x32xf32>, %wr: tensor<4x32xf32>) -> (tensor<?x2xi32>, tensor<?x2xf32>) {
  %p = moe.gate %x, %wr : tensor<?x32xf32>, tensor<4x32xf32> -> tensor<?x4xf32>
  %ids, %w = moe.topk %p {k = 2 : i64, renormalize} : tensor<?x4xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
  return %ids, %w : tensor<?x2xi32>, tensor<?x2xf32>
}

// -----

// A gate nobody reads still lowers (and the canonicalizer drops it).
// CHECK-LABEL: func @unused_gate
// CHECK-NOT: moe.gate
// CHECK: return
func.func @unused_gate(%x: tensor<?x32xf32>, %wr: tensor<4x32xf32>) {
  %p = moe.gate %x, %wr : tensor<?x32xf32>, tensor<4x32xf32> -> tensor<?x4xf32>
  return
}
