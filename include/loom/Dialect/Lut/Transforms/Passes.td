#ifndef LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LutCanonicalize : Pass<"lut-canonicalize"> {
  let summary = "Rewrite lut.linear into lut.mpgemm";
  let description = [{
    Collapses the batch dimensions of `lut.linear` into the N axis of one
    `lut.mpgemm`, adds the bias with a `linalg.generic` and expands the
    result back, so that every later pass sees one GEMM form.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LutSelectStrategy : Pass<"lut-select-strategy"> {
  let summary = "Choose table lookups or int8 dot products per lut.mpgemm";
  let description = [{
    For every `lut.mpgemm` with int8 activations (given, or `act_quant`)
    over a constant weight in a lookup layout, sets `lut.dot_from_n = T`:
    N >= T takes the int8-dot path of lut.md §4.2 (`lut.dot_accumulate`),
    smaller N the table lookups; `lut-decompose-mpgemm` acts on it, with an
    `scf.if` on a dynamic N. T comes from the roofline model of lut.md §4.1
    (`StrategyModel.h`): per path, the weight bytes streamed and the vector
    kernel steps issued, timed by the host figures below; T is omitted when
    the lookups win for every N up to 4096. `trit3` weights, which have no
    vector lookup kernel, always take the int8-dot path. A `lut.dot_from_n`
    already present (a user's or a tuner's decision) is kept. GEMMs over fp
    activations keep the table lookups: their contract (`table_i8`, `fp`)
    never becomes activation quantization.

    The defaults are this project's measurements on one AMD Zen 5 core: the
    read probe's DRAM bandwidth and the forced paths' time per step at N = 4
    to 128 (`bench/run lut`, exact mode, 4096 x 4096); the learned cost
    model of costmodel.md is to replace them.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "The target's vector ISA (as convert-lut-to-vector's); without "
           "avx512-vnni or avx512-vbmi a dot step costs three times as much">,
    Option<"bandwidth", "bandwidth-gbps", "double", /*default=*/"40.0",
           "Weight stream read bandwidth of one core, GB/s">,
    Option<"pairLookupStep", "pair-lookup-step-ns", "double",
           /*default=*/"1.8",
           "ns per lookup step of a weight with an even plane count">,
    Option<"singleLookupStep", "single-lookup-step-ns", "double",
           /*default=*/"3.4",
           "ns per lookup step of a weight with an odd plane count">,
    Option<"dotStep", "dot-step-ns", "double", /*default=*/"0.45",
           "ns per dot step with avx512-vnni">,
  ];
}

def LutDecomposeMpGemm : Pass<"lut-decompose-mpgemm"> {
  let summary = "Split lut.mpgemm into table precompute, lookups and epilogue";
  let description = [{
    Rewrites a `lut.mpgemm` whose weight is in the `bitplane` or `trit3`
    layout into the bit-serial table-lookup form of lut.md §2:

    ```mlir
    %t, %xs = lut.table_precompute %x {g, segment = S}
    %acc = lut.lookup_accumulate %t, %w {segment = S}
    %y = lut.scale_combine %acc, %w, %xs
    ```

    fp activations get f32 tables of all entries (`table_i8` GEMMs with
    one segment per 64 K at most, for their table scales); `act_quant`
    quantizes the activations first (`lut.quantize_activations`); int8
    activations get exact i16 tables and a tscale. Where
    `lut-select-strategy` set `lut.dot_from_n = T` on a GEMM with int8
    activations, N >= T takes the int8-dot path instead:

    ```mlir
    %xs, %ts = lut.activation_sums %x x_scale %sx {segment = S}
    %acc = lut.dot_accumulate %x, %w {segment = S}
    %y = lut.scale_combine %acc, %w, %xs tscale %ts
    ```

    decided at compile time for a static N and by an `scf.if` on N for a
    dynamic one. Weights in other layouts are left to the reference
    lowering.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LutSymmetrizeTables : Pass<"lut-symmetrize-tables"> {
  let summary = "Keep half of every activation table (mirror consolidation)";
  let description = [{
    Complementing all g index bits negates a table entry, so only the 2^(g-1)
    entries with a clear top bit need computing and storing (lut.md §2.3,
    LUT Tensor Core's table symmetrization). Sets `mirror` on every
    `lut.table_precompute`, halving its table; `lut.lookup_accumulate`
    reads an index with its top bit set as the negated entry of its
    complement. Exact, so legal in every accuracy mode.
  }];
}

def LutQuantizeTables : Pass<"lut-quantize-tables"> {
  let summary = "Quantize the activation tables of table_i8 GEMMs to int8";
  let description = [{
    For every `lut.table_precompute` whose GEMM has the `table_i8` contract
    (the default for fp activations), makes the tables int8 with one scale
    per row and segment (tscale = max |T| / 127, lut.md §2.4), the lookups
    exact i32 sums, and the epilogue multiply them by tscale. The bias term
    still uses the exact activation sums. Tables of `fp` GEMMs stay f32.
  }];
}

def LutShareTables : Pass<"lut-share-tables"> {
  let summary = "Build activation tables before row gathers, once per row";
  let description = [{
    Rewrites `lut.table_precompute` of `lut.gather_rows %x[%rows]` into
    `lut.gather_rows` of the tables, activation sums and table scales of
    `%x`: tables are row-wise, so both forms are equal, and after CSE all
    gathers of one `%x` share one table build. A Mixture-of-Experts layer
    with low-bit experts thereby builds each token's tables once and lets
    the k experts that read the token gather them (moe.md §3.4). Runs after
    `lut-quantize-tables`, whose row and segment scales are row-wise too.
    Table precomputes with int8 activations keep their gather: their
    activation scales would need the same gather.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def LutFusePrecompute : Pass<"lut-fuse-precompute"> {
  let summary = "Fuse the table precompute into its elementwise producer";
  let description = [{
    Where the activations of a `lut.table_precompute` (fp, no `x_scale`)
    are the result of an elementwise `linalg.generic` — the normalization
    step of an RMSNorm, a residual add, an activation function — whose
    every user is such a precompute, each precompute becomes a
    `lut.fused_table_precompute` that evaluates the producer's body while it
    builds the tables, and the producer disappears: the activations never
    reach memory (lut.md §4, LUT Tensor Core's precompute fusion). The
    producer must have two parallel loops, an identity result map,
    projected-permutation input maps and a body of pure elementwise ops
    and constants. Runs after the table passes (`lut-symmetrize-tables`,
    `lut-quantize-tables`), which rewrite only unfused precomputes.

    ```mlir
    %h = linalg.generic {... ["parallel", "parallel"]} ins(%x, %rms, %gamma)
    %t, %xs, %ts = lut.table_precompute %h {g = 4 : i64, segment = 32 : i64}
    // becomes
    %t, %xs, %ts = lut.fused_table_precompute ins(%x, %rms, %gamma : ...)
                     attributes {indexing_maps = [...], ...} {...}
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD
