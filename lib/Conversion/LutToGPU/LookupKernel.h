//===- LookupKernel.h - The GPU table-lookup GEMM kernel --------*- C++ -*-===//
//
// The body of the bit-serial table-lookup kernel (lut.md §4.5), built once
// for two hosts: inside a gpu.launch (threads, a barrier, workgroup memory)
// or, for the interpreter, inside host loops over blocks and threads.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H
#define LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H

#include "PlaneWords.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::lut {

struct LookupKernel {
  /// Y[N, M] = X[N, K] * W^T: the problem and the kernel's tiling.
  int64_t m, k, blockRows, kChunk;
  const PlaneWords &weight;
  /// kappa * 2^p per plane and c (lut.md §2.1), with kappa folded in.
  SmallVector<double> planeWeights;
  double groupConstant;
  /// Memrefs: x [N, K] (f32, f16 or bf16), the folded weight (i32) and its
  /// scale and offset tables (f32; offset null when all 0), y [N, M].
  Value x, words, scale, offset, y;

  /// Entries of the tables of one K chunk: 16 per lookup group of 4.
  int64_t tableEntries() const { return 4 * kChunk; }

  /// Thread `thread` stores entries thread, thread + blockRows, ... of the
  /// tables of column `column`'s K chunk at `chunk` into `tables`.
  void buildTables(ImplicitLocOpBuilder &b, Value tables, Value thread,
                   Value column, Value chunk) const;

  /// `acc` plus the lookups of row `row` over the K chunk at `chunk`.
  Value lookupChunk(ImplicitLocOpBuilder &b, Value tables, Value row,
                    Value chunk, Value acc) const;

  /// y[column, row] = acc for rows inside M.
  void storeRow(ImplicitLocOpBuilder &b, Value row, Value column,
                Value acc) const;
};

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H
