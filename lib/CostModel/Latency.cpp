//===- Latency.cpp - Run time of a region, summed over its ops ------------===//
//
// costmodel.md's wf.latency, analytically: each op's work (its own
// WorkEstimateOpInterface, or a generic rule) on the target's roofline,
// summed over the region (pack-sum). Weights and activations are charged
// to DRAM, as a compute node between LLM calls finds its caches cold.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/WorkEstimateOpInterface.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/CallInterfaces.h"

#include "loom/CostModel/WorkEstimateOpInterface.cpp.inc"

using namespace mlir;
using namespace mlir::loom::cost;

namespace {

/// Bytes in and out of `op`, or std::nullopt if a size is dynamic.
std::optional<double> trafficBytes(Operation *op) {
  double total = 0;
  for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults())) {
    std::optional<double> bytes = staticTensorBytes(v);
    if (!bytes)
      return std::nullopt;
    total += *bytes;
  }
  return total;
}

/// The generic rule: a linalg op does its body's scalar ops once per point
/// of its iteration space; an elementwise op on tensors one op per
/// element; both move their operands and results. Constants and ops on
/// scalars cost nothing.
std::optional<WorkEstimate> genericWork(Operation *op) {
  WorkEstimate work = zeroWork();
  if (op->hasTrait<OpTrait::ConstantLike>())
    return work;
  std::optional<double> bytes = trafficBytes(op);
  if (!bytes)
    return std::nullopt;
  work.bytes[kDram] = *bytes;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    double points = 1;
    for (int64_t extent : linalgOp.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(extent))
        return std::nullopt;
      points *= extent;
    }
    double bodyOps =
        std::max<double>(1, linalgOp.getBlock()->getOperations().size() - 1);
    work.ops[kF32Fma] = points * bodyOps;
    return work;
  }
  for (Value result : op->getResults())
    if (auto tensor = dyn_cast<RankedTensorType>(result.getType()))
      work.ops[kF32Fma] += double(tensor.getNumElements());
  return work;
}

} // namespace

/// estimateSeconds, following calls into their callees up to `depth`
/// levels (a compute node's body often calls the model's functions).
static std::optional<double>
regionSeconds(Region &region, const TargetInfo &target, unsigned depth) {
  double seconds = 0;
  for (Block &block : region)
    for (Operation &op : block) {
      if (op.hasTrait<OpTrait::IsTerminator>())
        continue;
      if (auto call = dyn_cast<CallOpInterface>(op)) {
        auto callee =
            dyn_cast_or_null<CallableOpInterface>(call.resolveCallable());
        Region *body = callee ? callee.getCallableRegion() : nullptr;
        if (!body || depth == 0)
          return std::nullopt;
        std::optional<double> called = regionSeconds(*body, target, depth - 1);
        if (!called)
          return std::nullopt;
        seconds += *called;
        continue;
      }
      std::optional<WorkEstimate> work;
      if (auto sized = dyn_cast<WorkEstimateOpInterface>(op))
        work = sized.estimateWork();
      else
        work = genericWork(&op);
      if (!work)
        return std::nullopt;
      seconds += rooflineTime(*work, target.throughput).seconds;
    }
  return seconds;
}

std::optional<double> mlir::loom::cost::staticTensorBytes(Value v) {
  auto tensor = dyn_cast<RankedTensorType>(v.getType());
  if (!tensor)
    return 0.0;
  if (!tensor.hasStaticShape() || !tensor.getElementType().isIntOrFloat())
    return std::nullopt;
  unsigned bits = tensor.getElementType().getIntOrFloatBitWidth();
  return double(tensor.getNumElements()) * std::max(bits, 8u) / 8;
}

std::optional<double>
mlir::loom::cost::estimateSeconds(Region &region, const TargetInfo &target) {
  return regionSeconds(region, target, /*depth=*/8);
}
