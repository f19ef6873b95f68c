//===- GroupedGemmKernel.h - moe.grouped_matmul as vector code --*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_MOETOVECTOR_GROUPEDGEMMKERNEL_H
#define LOOM_LIB_CONVERSION_MOETOVECTOR_GROUPEDGEMMKERNEL_H

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::moe {

/// The register tile of the grouped GEMM kernel: `rows` dispatched rows by
/// `weightRows` rows of an expert's weight (for gated epilogues half gate
/// rows, half the matching up rows), one vector accumulator per pair.
struct GemmTile {
  int64_t rows = 4;
  int64_t weightRows = 6;
};

/// Builds the vector loop nest that computes `op` (moe.md §3.4) and returns
/// its result tensor.
Value emitGroupedGemm(OpBuilder &b, GroupedMatmulOp op, GemmTile tile);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOVECTOR_GROUPEDGEMMKERNEL_H
