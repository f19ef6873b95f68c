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

def LutDecomposeMpGemm : Pass<"lut-decompose-mpgemm"> {
  let summary = "Split lut.mpgemm into table precompute, lookups and epilogue";
  let description = [{
    Rewrites a `lut.mpgemm` whose weight is in the `bitplane` layout and whose
    activations are floating point (no `act_quant`) into the bit-serial
    table-lookup form of lut.md §2:

    ```mlir
    %t, %xs = lut.table_precompute %x {g, segment = G}
    %acc = lut.lookup_accumulate %t, %w {segment = G}
    %y = lut.scale_combine %acc, %w, %xs
    ```

    with fp32 tables of all 2^g signed sums. Other mpgemms (codes or trit3
    weights, int8 or `act_quant` activations) are left alone.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
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
