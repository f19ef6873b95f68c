//===- Latency.cpp - Run time of a region, summed over its ops ------------===//
//
// costmodel.md's wf.latency, analytically: each op's work (its own
// WorkEstimateOpInterface, or a generic rule) on the target's roofline,
// summed over the region (pack-sum). Weights and activations are charged
// to DRAM, as a compute node between LLM calls finds its caches cold. The
// learned estimate regresses on the same walk's sums.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Latency.h"
#include "loom/CostModel/Schemas/WfLatency.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/WorkEstimateOpInterface.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/CallInterfaces.h"

#include <cmath>

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

/// One costed op of a region's walk: its work and its roofline time.
struct OpCost {
  Operation *op;
  WorkEstimate work;
  RooflineTime time;
};

/// Visits every costed op of `region`, following calls into their callees
/// up to `depth` levels (a compute node's body often calls the model's
/// functions); `calls` counts the calls followed. Fails where a size is
/// dynamic or a callee is unknown.
LogicalResult forEachOpCost(Region &region, const TargetInfo &target,
                            unsigned depth, unsigned &calls,
                            llvm::function_ref<void(const OpCost &)> visit) {
  for (Block &block : region)
    for (Operation &op : block) {
      if (op.hasTrait<OpTrait::IsTerminator>())
        continue;
      if (auto call = dyn_cast<CallOpInterface>(op)) {
        auto callee =
            dyn_cast_or_null<CallableOpInterface>(call.resolveCallable());
        Region *body = callee ? callee.getCallableRegion() : nullptr;
        if (!body || depth == 0 ||
            failed(forEachOpCost(*body, target, depth - 1, calls, visit)))
          return failure();
        ++calls;
        continue;
      }
      std::optional<WorkEstimate> work;
      if (auto sized = dyn_cast<WorkEstimateOpInterface>(op))
        work = sized.estimateWork();
      else
        work = genericWork(&op);
      if (!work)
        return failure();
      visit({&op, *work, rooflineTime(*work, target.throughput)});
    }
  return success();
}

constexpr unsigned kCallDepth = 8;

/// log2 of `seconds`, floored at a nanosecond (a region of constants
/// costs nothing).
float log2Seconds(double seconds) {
  return static_cast<float>(std::log2(std::max(seconds, 1e-9)));
}

/// Bytes of the statically shaped tensors among `values`.
double tensorBytes(ValueRange values) {
  double total = 0;
  for (Value v : values)
    total += staticTensorBytes(v).value_or(0);
  return total;
}

} // namespace

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
  double seconds = 0;
  unsigned calls = 0;
  if (failed(
          forEachOpCost(region, target, kCallDepth, calls,
                        [&](const OpCost &c) { seconds += c.time.seconds; })))
    return std::nullopt;
  return seconds;
}

std::optional<FeatureVector>
mlir::loom::cost::latencyFeatures(Region &region, const TargetInfo &target) {
  using namespace wf_latency;
  WorkEstimate total = zeroWork();
  double computeSeconds = 0, memorySeconds = 0, largest = 0;
  double ops = 0, lut = 0, moe = 0, linalg = 0, other = 0;
  unsigned calls = 0;
  auto visit = [&](const OpCost &c) {
    accumulate(total, c.work);
    (c.time.memoryBound ? memorySeconds : computeSeconds) += c.time.seconds;
    largest = std::max(largest, c.time.seconds);
    if (c.op->hasTrait<OpTrait::ConstantLike>())
      return;
    ++ops;
    StringRef dialect = c.op->getDialect()->getNamespace();
    ++(dialect == "lut"      ? lut
       : dialect == "moe"    ? moe
       : dialect == "linalg" ? linalg
                             : other);
  };
  if (failed(forEachOpCost(region, target, kCallDepth, calls, visit)))
    return std::nullopt;
  double seconds = computeSeconds + memorySeconds;
  FeatureVector row(NumFeatures);
  row[F32Ops] = encodeCount(total.ops[kF32Fma]);
  row[ByteLookups] = encodeCount(total.ops[kByteLookup]);
  row[Int8DotOps] = encodeCount(total.ops[kInt8Dot]);
  row[L1Bytes] = encodeCount(total.bytes[kL1]);
  row[L2Bytes] = encodeCount(total.bytes[kL2]);
  row[DramBytes] = encodeCount(total.bytes[kDram]);
  Block &entry = region.front();
  row[BytesIn] = encodeCount(tensorBytes(entry.getArguments()));
  row[BytesOut] =
      encodeCount(tensorBytes(region.back().getTerminator()->getOperands()));
  row[Ops] = encodeCount(ops);
  row[LutOps] = encodeCount(lut);
  row[MoEOps] = encodeCount(moe);
  row[LinalgOps] = encodeCount(linalg);
  row[OtherOps] = encodeCount(other);
  row[Calls] = encodeCount(calls);
  row[ComputeBoundLog2Seconds] = log2Seconds(computeSeconds);
  row[MemoryBoundLog2Seconds] = log2Seconds(memorySeconds);
  row[LargestOpShare] = seconds > 0 ? largest / seconds : 0;
  row[RooflineLog2Seconds] = log2Seconds(seconds);
  return row;
}

llvm::Expected<LatencyModel> LatencyModel::select(llvm::StringRef option,
                                                  const TargetInfo &target,
                                                  std::string &passedOver) {
  llvm::Expected<std::unique_ptr<CostModel>> model =
      selectCostModel(option, target, wf_latency::schema(), passedOver);
  // A learned model that ranks rather than predicts seconds was refused as
  // it loaded (the schema's objective is a regression).
  if (!model)
    return model.takeError();
  return LatencyModel(std::move(*model), target);
}

std::optional<double> LatencyModel::seconds(Region &region) const {
  // The analytical time exactly, not through a float feature.
  if (info().source == CostModelInfo::Source::Roofline)
    return estimateSeconds(region, target);
  std::optional<FeatureVector> row = latencyFeatures(region, target);
  if (!row)
    return std::nullopt;
  // The learned model predicts the roofline's error (FeatureSchema).
  return std::exp2((*row)[wf_latency::RooflineLog2Seconds] +
                   model->predict({*row}).front());
}
