//===- RoutingKernels.h - The moe routing and row-move kernels --*- C++ -*-===//
//
// Over host memrefs (loom-gpu-device-copies stages them): the router (gate
// and top-k in one kernel, moe.md §3.6), the dropless assign, the row
// copies of a pre-score dispatch, the slot-order combine, and the
// scatter-add that closes a
// grouped GEMM fused with its combine. Each writes every element of its
// result, which therefore need not be copied to the device first.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_MOETOGPU_ROUTINGKERNELS_H
#define LOOM_LIB_CONVERSION_MOETOGPU_ROUTINGKERNELS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::moe {

/// moe.gate then moe.topk of one token per block: the threads
/// share the E dot products over d (parts of d interleaved, so a warp
/// reads consecutive elements), summed per expert in part order; the first
/// thread scores, selects and weighs as the host lowering does.
struct RouteKernel {
  int64_t experts, d, k;
  bool softmax, renormalize;
  double scale;
  /// Group-limited selection (DeepSeek-V3): only the experts of the
  /// `groupTopk` best of `groups` groups, scored by their best selection
  /// score or the sum of their two best (`top2Sum`), compete.
  int64_t groups, groupTopk;
  bool top2Sum;
  /// x [T, d], the router [E * d], the optional select bias [E]; results
  /// scores [T, E], ids [T, k] (i32) and weights [T, k].
  Value x, router, selectBias, scores, ids, weights;
};
void emitRouteKernel(ImplicitLocOpBuilder &b, const RouteKernel &kernel,
                     bool interpret);

/// moe.aux_loss, GShard's l = E / T^2 * sum_e (sum_t P[t, e]) * #{t :
/// ids[t, 0] = e} (0 when T = 0), in one block: a thread per expert sums
/// its column, the first thread adds the terms in expert order, all in
/// f64 as the host lowering: the same arithmetic, given the same scores.
struct AuxLossKernel {
  int64_t experts;
  /// scores [T, E], ids [T, k] (i32), loss (f32, rank 0).
  Value scores, ids, loss;
};
void emitAuxLossKernel(ImplicitLocOpBuilder &b, const AuxLossKernel &kernel,
                       bool interpret);

/// moe.assign of a dropless grouped layout (capacity factor 0, unit row
/// alignment, no priority) in one block, so that a decode step's plan never
/// leaves the device: the slots are staged in slot-major chunks, and each
/// expert's thread numbers its slots in that order (its running count is
/// the next slot's location); the first thread lays the segments out, then
/// every kept slot writes its row of the map. R = T * k: topk's ids are all
/// in range, so no slot is dropped and every row is written.
struct AssignKernel {
  int64_t experts;
  /// ids [T, k] (i32); results locations [T, k], counts [E], offsets
  /// [E + 1] and the row map [T * k] (all i32).
  Value ids, locations, counts, offsets, rows;
};
void emitAssignKernel(ImplicitLocOpBuilder &b, const AssignKernel &kernel,
                      bool interpret);

/// out[r] = x[t] (times weights[t, s] when given) for the row map's
/// rows[r] = t * k + s; 0 for padding rows (-1).
struct DispatchKernel {
  int64_t k;
  /// x [T, d], rows [R] (i32), weights [T, k] or null, out [R, d].
  Value x, rows, weights, out;
};
void emitDispatchKernel(ImplicitLocOpBuilder &b, const DispatchKernel &kernel,
                        bool interpret);

/// out[t] = init[t] (or 0) + w[t, s] * rows[offsets[e] + loc[t, s]] over
/// the kept slots s in order, as moe.combine.
struct CombineKernel {
  int64_t experts;
  /// rows [R, d], ids and locations [T, k] (i32), offsets [E + 1] (i32),
  /// weights [T, k] or null (pre-score: 1), init [T, d] or null, out [T, d].
  Value rows, ids, locations, offsets, weights, init, out;
};
void emitCombineKernel(ImplicitLocOpBuilder &b, const CombineKernel &kernel,
                       bool interpret);

/// out = init (or 0), then out[targets[r]] += rows[r] for r ascending
/// (expert order) where targets[r] is inside [0, T'): one thread per
/// column, so each element's sum has one order and no atomics. The sums
/// are formed in a buffer of their own and then stored to out, which the
/// kernel therefore only writes: it is not copied to the device first.
struct ScatterKernel {
  /// rows [R, n], targets [R] (i32), init [T', n] or null (zeros), sums
  /// and out [T', n].
  Value rows, targets, init, sums, out;
};
void emitScatterKernel(ImplicitLocOpBuilder &b, const ScatterKernel &kernel,
                       bool interpret);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOGPU_ROUTINGKERNELS_H
