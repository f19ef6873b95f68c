//===- LutTunable.cpp - What the cost model knows of lut GEMMs ------------===//
//
// lut.mpgemm's decision: the knobs are the vector kernels' schedule:
// columns of y per weight load (column_tile) and the prefetch distance of
// the index stream; the path (table lookups or int8 dot products,
// dot_from_n) where int8 activations allow both; and the table layout
// (quad_from_n: P64's quad tables or single ones) where one plane per byte
// allows both. Each knob's first option is the schedule the kernels were
// tuned to by hand, so a tie (the roofline cannot see prefetching) keeps
// it. The work estimates of lut.linear, lut.mpgemm and lut.pack
// (wf.latency) count the same lookups and weight bytes.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Schemas/LutGemm.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/Matchers.h"

#include "llvm/ADT/bit.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

StringRef MpGemmOp::getDecisionKind() { return "lut.gemm"; }

const cost::FeatureSchema &MpGemmOp::getFeatureSchema() {
  return cost::lut_gemm::schema();
}

namespace {
/// How a packed weight is looked up: bit planes, stored bits per weight
/// and table groups per row (one per 4 K per plane, per triple for trit3).
struct LookupShape {
  unsigned planes;
  double bits, groups;
};
} // namespace

static LookupShape lookupShapeOf(PackedType packed) {
  bool trit3 = packed.getLayout().getKind() == LayoutKind::Trit3;
  int64_t k = packed.getK();
  unsigned planes = trit3 ? 1 : packed.getQuant().getNumPlanes();
  return {planes, trit3 ? 5.0 / 3 : double(planes),
          trit3 ? std::ceil(k / 3.0) : std::ceil(k / 4.0)};
}

/// Whether convert-lut-to-vector's P64 kernel could serve `op`: int8
/// tables over constant weights whose tables fit its quads (it also needs
/// VBMI, which only the target knows).
static bool quadTablesFitOp(MpGemmOp op) {
  auto pack = op.getWeight().getDefiningOp<PackOp>();
  std::optional<int64_t> segment = op.getLookupSegment();
  return !op.hasIntActivations() && pack &&
         matchPattern(pack.getCodes(), m_Constant()) && segment &&
         quadTablesFit(op.getWeight().getType(), *segment);
}

/// How much longer the P64 stream of `packed` is than its single-table
/// one: trit3's padded quads.
static double quadStreamGrowth(PackedType packed, int64_t segment) {
  if (!quadTablesArePadded(packed, segment))
    return 1;
  int64_t groups = groupsPerSegment(segment, 3);
  return double(llvm::alignTo(groups, 4)) / groups;
}

/// N of y when it is static.
static std::optional<int64_t> staticN(MpGemmOp op) {
  int64_t n = op.getX().getType().getDimSize(0);
  return ShapedType::isDynamic(n) ? std::nullopt : std::optional(n);
}

cost::KnobSpace MpGemmOp::getKnobSpace(const cost::TargetInfo &target) {
  std::optional<int64_t> n = staticN(*this);
  SmallVector<cost::KnobValue> prefetchDistances = {
      int64_t(2048), int64_t(0),    int64_t(512),
      int64_t(1024), int64_t(4096), int64_t(8192)};
  SmallVector<cost::Knob> knobs = {
      {"column_tile", {int64_t(4), int64_t(2), int64_t(1), int64_t(8)}},
      {"prefetch", prefetchDistances}};
  // A dynamic N's GEMV runs kernels of its own prefetch distance: weights
  // that stay cached want none there, yet some at larger N.
  if (!n)
    knobs.push_back({"gemv_prefetch", prefetchDistances});
  // Where the int8-dot path can serve: the N from which it does (0: never;
  // the table lookups serve smaller N).
  bool dot = getDotPathIndexBits() != 0;
  // A lut.dot_from_n written into the IR pins the path (beyond the largest
  // option it means never); the model chooses the rest.
  std::optional<int64_t> pinned;
  if (IntegerAttr from = cast<LutDialect>((*this)->getDialect())
                             ->getDotFromNAttrHelper()
                             .getAttr(*this))
    pinned = from.getInt() > 128 ? 0 : from.getInt();
  if (dot)
    knobs.push_back(
        {"dot_from_n",
         {int64_t(0), int64_t(1), int64_t(2), int64_t(4), int64_t(8),
          int64_t(16), int64_t(32), int64_t(64), int64_t(128)}});
  // Where the quad layout can serve: the N from which it does (0: never).
  // The kernels' own rule comes first: from 1, or from 2 where the quad
  // stream is padded (its GEMV streams more bytes).
  bool quad = quadTablesFitOp(*this);
  bool vbmi = target.isa == "avx512-vbmi";
  if (quad) {
    bool padded =
        quadTablesArePadded(getWeight().getType(), *getLookupSegment());
    SmallVector<cost::KnobValue> from = {int64_t(1), int64_t(0), int64_t(2),
                                         int64_t(4), int64_t(8), int64_t(16),
                                         int64_t(32)};
    if (padded)
      std::swap(from[0], from[2]);
    knobs.push_back({"quad_from_n", std::move(from)});
  }
  return cost::KnobSpace(
      std::move(knobs),
      [n, dot, quad, vbmi, pinned](const cost::KnobSpace &space,
                                   const cost::Candidate &candidate) {
        // A tile wider than a static N only repeats a narrower one, and so
        // does any crossover but "never" and 1.
        int64_t tile = space.intValue(candidate, "column_tile");
        if (n && tile != 1 && tile > *n)
          return false;
        if (quad) {
          int64_t from = space.intValue(candidate, "quad_from_n");
          if ((!vbmi && from != 0) || (n && from > 1))
            return false;
        }
        if (!dot)
          return true;
        int64_t from = space.intValue(candidate, "dot_from_n");
        return pinned ? from == *pinned : !n || from <= 1;
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
  auto [planes, bits, groups] = lookupShapeOf(packed);
  // Table lookups per row and column; each table holds 16 int8 entries.
  double lookupsPerRow = groups * planes;
  int64_t tile = space.intValue(candidate, "column_tile");
  int64_t prefetch = space.intValue(candidate, "prefetch");
  std::optional<int64_t> gemvPrefetch;
  if (!staticN(*this))
    gemvPrefetch = space.intValue(candidate, "gemv_prefetch");
  int64_t indexBits = getDotPathIndexBits();
  int64_t dotFrom = indexBits ? space.intValue(candidate, "dot_from_n") : 0;
  bool quadKnob = quadTablesFitOp(*this);
  int64_t quadFrom = quadKnob ? space.intValue(candidate, "quad_from_n") : 0;
  double weightBytes = double(m) * k * bits / 8;

  // A dynamic N is judged at the N of lut.md's protocol.
  SmallVector<int64_t, 4> ns = {1, 8, 32, 128};
  if (std::optional<int64_t> n = staticN(*this))
    ns = {*n};
  SmallVector<cost::FeatureVector> rows;
  for (int64_t n : ns) {
    // Fewer columns than a tile run in the narrower tiles that cover them.
    int64_t nTile = n < tile ? int64_t(llvm::bit_floor(uint64_t(n))) : tile;
    int64_t nPrefetch = gemvPrefetch && n == 1 ? *gemvPrefetch : prefetch;
    bool dotPath = dotFrom != 0 && n >= dotFrom;
    bool quadTables = quadFrom != 0 && n >= quadFrom;
    double streams = std::ceil(double(n) / tile);
    double tableBytes = dotPath ? 0 : n * groups * 16;
    double streamBytes =
        dotPath ? double(m) * k * indexBits / 8
        : quadTables
            ? weightBytes * quadStreamGrowth(packed, *getLookupSegment())
            : weightBytes;
    cost::WorkEstimate work = cost::zeroWork();
    if (dotPath) {
      // One multiply-add per weight and column, 4 per byte lane.
      work.ops[cost::kInt8Dot] = double(m) * k * n / 4;
    } else {
      // Exact int16 tables (int8 activations) take two byte shuffles;
      // single tables over one plane per byte pay a sign extension and an
      // add per two lookups that P64's vpdpbusd does not (S16/T3 run at
      // 1.3-1.7x P64's time in bench/README.md).
      double perLookup = hasIntActivations()       ? 2
                         : quadKnob && !quadTables ? 1.5
                                                   : 1;
      work.ops[cost::kByteLookup] = double(m) * lookupsPerRow * n * perLookup;
      work.ops[cost::kF32Fma] = double(n) * k * 4;
      work.bytes[cost::kL1] = std::ceil(m / 128.0) * tableBytes;
    }
    // The stream comes from DRAM (or L2) once; each further column tile
    // rereads a row block's stream from L2.
    if (target.weightsFromDram)
      work.bytes[cost::kDram] = streamBytes;
    work.bytes[cost::kL2] = streamBytes * streams;
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
    row[ColumnTile] = cost::encodeCount(nTile);
    row[PrefetchBytes] = cost::encodeCount(nPrefetch);
    row[DotPath] = dotPath;
    row[DotIndexBits] = indexBits;
    row[QuadTables] = quadTables;
    row[WeightStreams] = cost::encodeCount(streams);
    row[WeightBytes] = cost::encodeCount(streamBytes);
    row[TableBytes] = cost::encodeCount(tableBytes);
    row[WeightsFromDram] = target.weightsFromDram;
    row[RooflineLog2Seconds] = std::log2(roofline.seconds);
    row[MemoryBound] = roofline.memoryBound;
    rows.push_back(std::move(row));
  }
  return rows;
}

/// The table-lookup kernels' work for y = x * w^T: byte lookups per row,
/// column and bit plane, building the tables (4 f32 operations per
/// activation) and scaling y; weights and activations from DRAM.
static std::optional<cost::WorkEstimate> lookupWork(ShapedType x,
                                                    PackedType packed) {
  if (!x.hasStaticShape())
    return std::nullopt;
  int64_t m = packed.getM(), k = packed.getK();
  double n = double(x.getNumElements()) / k;
  double activationBytes = x.getElementType().getIntOrFloatBitWidth() / 8.0;
  auto [planes, bits, groups] = lookupShapeOf(packed);
  cost::WorkEstimate work = cost::zeroWork();
  work.ops[cost::kByteLookup] = double(m) * groups * planes * n;
  work.ops[cost::kF32Fma] = n * k * 4 + n * m;
  work.bytes[cost::kDram] =
      double(m) * k * bits / 8 + n * (k + m) * activationBytes;
  return work;
}

std::optional<cost::WorkEstimate> LinearOp::estimateWork() {
  return lookupWork(getX().getType(), getWeight().getType());
}

std::optional<cost::WorkEstimate> MpGemmOp::estimateWork() {
  return lookupWork(getX().getType(), getWeight().getType());
}

std::optional<cost::WorkEstimate> PackOp::estimateWork() {
  cost::WorkEstimate work = cost::zeroWork();
  // Constant weights are packed when the model is compiled.
  if (llvm::all_of(getOperands(),
                   [](Value v) { return matchPattern(v, m_Constant()); }))
    return work;
  for (Value v : getOperands()) {
    std::optional<double> bytes = cost::staticTensorBytes(v);
    if (!bytes)
      return std::nullopt;
    work.bytes[cost::kDram] += *bytes;
  }
  // The packed copy is written once.
  work.bytes[cost::kDram] *= 2;
  return work;
}
