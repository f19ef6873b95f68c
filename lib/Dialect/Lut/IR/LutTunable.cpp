//===- LutTunable.cpp - lut.mpgemm's decision: the kernel schedule --------===//
//
// The knobs are the vector kernels' schedule: columns of y per weight load
// (column_tile) and the prefetch distance of the index stream. Each
// knob's first option is the schedule the kernels were tuned to by hand,
// so a tie (the roofline cannot see prefetching) keeps it.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Schemas/LutGemm.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

StringRef MpGemmOp::getDecisionKind() { return "lut.gemm"; }

const cost::FeatureSchema &MpGemmOp::getFeatureSchema() {
  return cost::lut_gemm::schema();
}

/// N of y when it is static.
static std::optional<int64_t> staticN(MpGemmOp op) {
  int64_t n = op.getX().getType().getDimSize(0);
  return ShapedType::isDynamic(n) ? std::nullopt : std::optional(n);
}

cost::KnobSpace MpGemmOp::getKnobSpace(const cost::TargetInfo &target) {
  std::optional<int64_t> n = staticN(*this);
  return cost::KnobSpace(
      {{"column_tile", {int64_t(4), int64_t(2), int64_t(1), int64_t(8)}},
       {"prefetch",
        {int64_t(2048), int64_t(0), int64_t(512), int64_t(1024), int64_t(4096),
         int64_t(8192)}}},
      // A tile wider than a static N only repeats a narrower one.
      [n](const cost::KnobSpace &space, const cost::Candidate &candidate) {
        int64_t tile = space.intValue(candidate, "column_tile");
        return !n || tile == 1 || tile <= *n;
      });
}

SmallVector<cost::FeatureVector>
MpGemmOp::getFeatures(const cost::KnobSpace &space,
                      const cost::Candidate &candidate,
                      const cost::TargetInfo &target) {
  using namespace cost::lut_gemm;
  PackedType packed = getWeight().getType();
  QuantAttr quant = packed.getQuant();
  bool trit3 = packed.getLayout().getKind() == LayoutKind::Trit3;
  int64_t m = packed.getM(), k = packed.getK();
  unsigned planes = trit3 ? 1 : quant.getNumPlanes();
  double bits = trit3 ? 5.0 / 3 : planes;
  // Table lookups per row and column: one per group of 4 K per plane, one
  // per triple for trit3; each table holds 16 int8 entries.
  double groups = trit3 ? std::ceil(k / 3.0) : std::ceil(k / 4.0);
  double lookupsPerRow = groups * planes;
  int64_t tile = space.intValue(candidate, "column_tile");
  int64_t prefetch = space.intValue(candidate, "prefetch");
  double weightBytes = double(m) * k * bits / 8;

  // A dynamic N is judged at the N of lut.md's protocol.
  SmallVector<int64_t, 4> ns = {1, 8, 32, 128};
  if (std::optional<int64_t> n = staticN(*this))
    ns = {*n};
  SmallVector<cost::FeatureVector> rows;
  for (int64_t n : ns) {
    double streams = std::ceil(double(n) / tile);
    double tableBytes = n * groups * 16;
    cost::WorkEstimate work;
    work.ops.assign(cost::kNumCompute, 0);
    work.ops[cost::kByteLookup] = double(m) * lookupsPerRow * n;
    work.ops[cost::kF32Fma] = double(n) * k * 4;
    work.bytes.assign(cost::kNumLevels, 0);
    // The weights come from DRAM (or L2) once; each further column tile
    // rereads a row block's stream from L2, and every row block reads the
    // tables.
    if (target.weightsFromDram)
      work.bytes[cost::kDram] = weightBytes;
    work.bytes[cost::kL2] = weightBytes * streams;
    work.bytes[cost::kL1] = std::ceil(m / 128.0) * tableBytes;
    cost::RooflineTime roofline = cost::rooflineTime(work, target.throughput);

    cost::FeatureVector row(NumFeatures);
    row[M] = cost::encodeCount(m);
    row[K] = cost::encodeCount(k);
    row[N] = cost::encodeCount(n);
    row[WeightBits] = bits;
    row[Planes] = planes;
    row[GroupSize] = cost::encodeCount(quant.getGroupSizeFor(k));
    row[IntActivations] = hasIntActivations();
    row[Trit3] = trit3;
    row[ColumnTile] = cost::encodeCount(tile);
    row[PrefetchBytes] = cost::encodeCount(prefetch);
    row[WeightStreams] = cost::encodeCount(streams);
    row[WeightBytes] = cost::encodeCount(weightBytes);
    row[TableBytes] = cost::encodeCount(tableBytes);
    row[WeightsFromDram] = target.weightsFromDram;
    row[RooflineLog2Seconds] = std::log2(roofline.seconds);
    row[MemoryBound] = roofline.memoryBound;
    rows.push_back(std::move(row));
  }
  return rows;
}
