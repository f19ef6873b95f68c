//===- MoEOps.cpp - moe dialect operations --------------------------------===//

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "loom/Support/Verification.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

#define GET_OP_CLASSES
#include "loom/Dialect/MoE/IR/MoEOps.cpp.inc"

static constexpr int64_t kDyn = ShapedType::kDynamic;

/// Checks `value`'s shape (see verifyTensorShape).
static LogicalResult checkShape(Operation *op, StringRef what, Value value,
                                ArrayRef<int64_t> expected) {
  return verifyTensorShape(op, what, value.getType(), expected);
}

static int64_t dim(Value v, int64_t i) {
  return cast<RankedTensorType>(v.getType()).getDimSize(i);
}
static int64_t rank(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// E from an offsets operand [E+1]; fails if it is not static and >= 2.
static FailureOr<int64_t> expertsFromOffsets(Operation *op, Value offsets) {
  if (rank(offsets) != 1 || ShapedType::isDynamic(dim(offsets, 0)) ||
      dim(offsets, 0) < 2)
    return op->emitOpError() << "offsets must be a static [E+1] tensor with "
                                "E >= 1, got "
                             << offsets.getType();
  return dim(offsets, 0) - 1;
}

/// Slots per token from an ids-like operand [T, k]; k must be static.
static FailureOr<int64_t> slotsFromIds(Operation *op, StringRef what,
                                       Value ids) {
  if (rank(ids) != 2 || ShapedType::isDynamic(dim(ids, 1)))
    return op->emitOpError() << what << " must be [T, k] with a static k, got "
                             << ids.getType();
  return dim(ids, 1);
}

/// The routing rules that involve the number of experts.
static LogicalResult verifyRoutingForExperts(Operation *op, int64_t experts,
                                             int64_t k, int64_t groups,
                                             int64_t groupTopk,
                                             GroupScore groupScore) {
  if (k > experts)
    return op->emitOpError() << "k = " << k << " exceeds the " << experts
                             << " experts";
  if (experts % groups != 0)
    return op->emitOpError() << groups << " groups do not divide " << experts
                             << " experts";
  int64_t perGroup = experts / groups;
  if (k > groupTopk * perGroup)
    return op->emitOpError() << "k = " << k << " exceeds the "
                             << groupTopk * perGroup
                             << " experts of the group_topk best groups";
  if (groupScore == GroupScore::Top2Sum && perGroup < 2)
    return op->emitOpError()
           << "group_score top2_sum needs at least 2 experts per group";
  return success();
}

//===----------------------------------------------------------------------===//
// GateOp
//===----------------------------------------------------------------------===//

LogicalResult GateOp::verify() {
  Value x = getX(), router = getRouter();
  if (rank(x) != 2 || rank(router) != 2)
    return emitOpError() << "x must be [T, d] and the router [E, d]";
  if (ShapedType::isDynamic(dim(router, 0)) ||
      ShapedType::isDynamic(dim(router, 1)))
    return emitOpError() << "the router shape [E, d] must be static";
  if (failed(checkShape(*this, "x", x, {kDyn, dim(router, 1)})) ||
      failed(checkShape(*this, "scores", getScores(),
                        {dim(x, 0), dim(router, 0)})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::verify() {
  Value scores = getScores();
  if (rank(scores) != 2 || ShapedType::isDynamic(dim(scores, 1)))
    return emitOpError() << "scores must be [T, E] with a static E";
  int64_t experts = dim(scores, 1), k = getK();
  if (failed(verifyRoutingParams([&] { return emitOpError(); }, k,
                                 getScale().convertToDouble(), getGroups(),
                                 getGroupTopk())) ||
      failed(verifyRoutingForExperts(*this, experts, k, getGroups(),
                                     getGroupTopk(), getGroupScore())))
    return failure();
  if (Value bias = getSelectBias())
    if (failed(checkShape(*this, "select_bias", bias, {experts})))
      return failure();
  if (failed(checkShape(*this, "ids", getIds(), {dim(scores, 0), k})) ||
      failed(checkShape(*this, "weights", getWeights(), {dim(scores, 0), k})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// AuxLossOp
//===----------------------------------------------------------------------===//

LogicalResult AuxLossOp::verify() {
  if (rank(getScores()) != 2)
    return emitOpError() << "scores must be [T, E]";
  if (failed(slotsFromIds(*this, "ids", getIds())) ||
      failed(checkShape(*this, "ids", getIds(), {dim(getScores(), 0), kDyn})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// AssignOp
//===----------------------------------------------------------------------===//

LogicalResult AssignOp::verify() {
  FailureOr<int64_t> k = slotsFromIds(*this, "ids", getIds());
  if (failed(k))
    return failure();
  int64_t experts = getNumExperts(), tokens = dim(getIds(), 0);
  if (experts < 1)
    return emitOpError() << "num_experts must be >= 1, got " << experts;
  if (Value priority = getPriority())
    if (failed(checkShape(*this, "priority", priority, {tokens})))
      return failure();
  if (failed(checkShape(*this, "loc", getLocations(), {tokens, *k})) ||
      failed(checkShape(*this, "counts", getCounts(), {experts})) ||
      failed(checkShape(*this, "offsets", getOffsets(), {experts + 1})) ||
      failed(checkShape(*this, "rows", getRows(), {kDyn})))
    return failure();
  // #moe.capacity and #moe.layout verify themselves.
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

LogicalResult DispatchOp::verify() {
  if (rank(getX()) != 2)
    return emitOpError() << "x must be [T, d]";
  FailureOr<int64_t> k = slotsFromIds(*this, "ids", getIds());
  if (failed(k) || failed(expertsFromOffsets(*this, getOffsets())))
    return failure();
  int64_t tokens = dim(getX(), 0);
  if (failed(checkShape(*this, "ids", getIds(), {tokens, *k})) ||
      failed(checkShape(*this, "loc", getLocations(), {tokens, *k})))
    return failure();
  if (Value scale = getScale())
    if (failed(checkShape(*this, "scale", scale, {tokens, *k})))
      return failure();
  if (failed(checkShape(*this, "result", getResult(), {kDyn, dim(getX(), 1)})))
    return failure();
  if (getElementTypeOrSelf(getResult()) != getElementTypeOrSelf(getX()))
    return emitOpError() << "result element type must match x";
  return success();
}

//===----------------------------------------------------------------------===//
// GroupedMatmulOp
//===----------------------------------------------------------------------===//

static bool isGated(Activation a) {
  return a == Activation::Swiglu || a == Activation::Geglu;
}

LogicalResult GroupedMatmulOp::verify() {
  Value input = getInput(), weights = getWeights();
  if (rank(input) != 2)
    return emitOpError() << "input must be [R, K]";
  auto wType = cast<RankedTensorType>(weights.getType());
  if (wType.getRank() != 3 || !wType.hasStaticShape())
    return emitOpError() << "weights must be a static [E, N, K] tensor, got "
                         << wType;
  int64_t experts = wType.getDimSize(0), n = wType.getDimSize(1),
          kDim = wType.getDimSize(2);
  FailureOr<int64_t> offsetsExperts = expertsFromOffsets(*this, getOffsets());
  if (failed(offsetsExperts))
    return failure();
  if (*offsetsExperts != experts)
    return emitOpError() << "offsets describe " << *offsetsExperts
                         << " experts but the weights hold " << experts;
  int64_t rows = dim(getRowMapSource(), 0);
  if (failed(checkShape(*this, "input", input, {kDyn, kDim})) ||
      failed(checkShape(*this, "counts", getCounts(), {experts})))
    return failure();
  if (Value gather = getGather())
    if (failed(checkShape(*this, "gather", gather, {rows})))
      return failure();
  if (static_cast<bool>(getScatter()) != static_cast<bool>(getInit()))
    return emitOpError() << "scatter and init come together";
  if (Value scatter = getScatter())
    if (failed(checkShape(*this, "scatter", scatter, {rows})))
      return failure();
  if (Value bias = getBias())
    if (failed(checkShape(*this, "bias", bias, {experts, n})))
      return failure();
  if (Value scale = getRowScale())
    if (failed(checkShape(*this, "row_scale", scale, {rows})))
      return failure();
  int64_t outCols = n;
  if (isGated(getEpilogue())) {
    if (n % 2 != 0)
      return emitOpError() << "a gated epilogue needs an even N (gate and up "
                              "rows), got "
                           << n;
    outCols = n / 2;
  }
  if (Value init = getInit()) {
    if (failed(checkShape(*this, "init", init, {kDyn, outCols})))
      return failure();
    if (init.getType() != getResult().getType())
      return emitOpError() << "a scatter's result has the type of its init, "
                           << init.getType();
  } else if (failed(
                 checkShape(*this, "result", getResult(), {rows, outCols}))) {
    return failure();
  }
  Type elt = getElementTypeOrSelf(input);
  if (getElementTypeOrSelf(weights) != elt ||
      getElementTypeOrSelf(getResult()) != elt)
    return emitOpError() << "input, weights and result must share an "
                            "element type";
  return success();
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

LogicalResult CombineOp::verify() {
  if (rank(getRows()) != 2)
    return emitOpError() << "rows must be [R, d]";
  FailureOr<int64_t> k = slotsFromIds(*this, "ids", getIds());
  if (failed(k) || failed(expertsFromOffsets(*this, getOffsets())))
    return failure();
  int64_t tokens = dim(getIds(), 0), d = dim(getRows(), 1);
  if (failed(checkShape(*this, "loc", getLocations(), {tokens, *k})))
    return failure();
  bool post = getScoreAt() == ScoreAt::Post;
  if (post != static_cast<bool>(getWeights()))
    return emitOpError() << (post ? "post-score combine needs weights"
                                  : "pre-score combine takes no weights "
                                    "(they were applied at dispatch)");
  if (Value w = getWeights())
    if (failed(checkShape(*this, "weights", w, {tokens, *k})))
      return failure();
  if (Value init = getInit())
    if (failed(checkShape(*this, "init", init, {tokens, d})))
      return failure();
  if (failed(checkShape(*this, "result", getResult(), {tokens, d})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

/// The strategy computes the layer exactly and agrees with its layout.
static LogicalResult verifyStrategy(LayerOp op) {
  StrategyAttr strategy = op.getStrategyAttr();
  if (!strategy)
    return success();
  StrategyKind kind = strategy.getKind();
  LayoutAttr layout = op.getLayoutAttr();
  if (kind == StrategyKind::Dense) {
    if (!isa<RankedTensorType>(op.getWIn().getType()))
      return op.emitOpError()
             << "the dense strategy needs float expert weights";
    if (!op.getCapacity().getFactor().isZero())
      return op.emitOpError() << "the dense strategy cannot drop tokens: it "
                                 "needs capacity factor 0";
    if (op.getScoreAt() != ScoreAt::Post)
      return op.emitOpError() << "the dense strategy needs post-score combine";
    if (layout)
      return op.emitOpError() << "a dense layer has no row layout";
    return success();
  }
  if (layout && (layout.getKind() == LayoutKind::Padded) !=
                    (kind == StrategyKind::Padded))
    return op.emitOpError() << "the " << stringifyLayoutKind(layout.getKind())
                            << " layout disagrees with the "
                            << stringifyStrategyKind(kind) << " strategy";
  return success();
}

LogicalResult LayerOp::verify() {
  Value x = getX();
  if (rank(x) != 2 || ShapedType::isDynamic(dim(x, 1)))
    return emitOpError() << "x must be [T, d] with a static d";
  int64_t tokens = dim(x, 0), d = dim(x, 1);
  auto router = cast<RankedTensorType>(getRouter().getType());
  if (!router.hasStaticShape() || router.getRank() != 2)
    return emitOpError() << "the router must be a static [E, d] tensor";
  int64_t experts = router.getDimSize(0);
  if (failed(checkShape(*this, "router", getRouter(), {experts, d})))
    return failure();
  Type wInType = getWIn().getType(), wOutType = getWOut().getType();
  SmallVector<int64_t> wIn = cast<ExpertWeightsType>(wInType).getExpertShape(),
                       wOut =
                           cast<ExpertWeightsType>(wOutType).getExpertShape();
  if (wIn.empty() || wOut.empty() ||
      wInType.getTypeID() != wOutType.getTypeID())
    return emitOpError() << "expert weights must be static [E, H, d] and "
                            "[E, d, h] float tensors, or two !lut.stacked "
                            "weights of such matrices";
  FfnAttr ffn = getFfn();
  int64_t hIn = wIn[1], h = wOut[2];
  auto checkExperts = [&](StringRef name, ArrayRef<int64_t> shape,
                          ArrayRef<int64_t> expected) -> LogicalResult {
    if (shape[0] == expected[0] && shape[1] == expected[1] &&
        shape[2] == expected[2])
      return success();
    return emitOpError() << name << " must hold " << expected[0]
                         << " experts of " << expected[1] << "x" << expected[2]
                         << ", got " << shape[0] << " of " << shape[1] << "x"
                         << shape[2];
  };
  if (failed(checkExperts("w_in", wIn, {experts, hIn, d})) ||
      failed(checkExperts("w_out", wOut, {experts, d, h})))
    return failure();
  if (ffn.isGated() && hIn != 2 * h)
    return emitOpError() << "a gated FFN needs w_in with 2h = " << 2 * h
                         << " rows (gate rows first), got " << hIn;
  if (!ffn.isGated() && hIn != h)
    return emitOpError() << "w_in has " << hIn << " rows but w_out expects h = "
                         << h;

  RoutingAttr routing = getRouting();
  if (failed(verifyRoutingForExperts(*this, experts, routing.getK(),
                                     routing.getGroups(),
                                     routing.getGroupTopk(),
                                     routing.getGroupScore())))
    return failure();
  if (Value bias = getSelectBias())
    if (failed(checkShape(*this, "select_bias", bias, {experts})))
      return failure();

  if (ffn.getBiasIn() != static_cast<bool>(getBiasIn()) ||
      ffn.getBiasOut() != static_cast<bool>(getBiasOut()))
    return emitOpError() << "bias operands must match the ffn's bias_in / "
                            "bias_out flags";
  if (Value b = getBiasIn())
    if (failed(checkShape(*this, "bias_in", b, {experts, hIn})))
      return failure();
  if (Value b = getBiasOut())
    if (failed(checkShape(*this, "bias_out", b, {experts, d})))
      return failure();

  if (static_cast<bool>(getSharedIn()) != static_cast<bool>(getSharedOut()))
    return emitOpError() << "shared expert weights come both or none";
  if (getSharedGate() && !getSharedIn())
    return emitOpError() << "a shared_gate needs a shared expert";
  if (Value sIn = getSharedIn()) {
    auto sOut = cast<RankedTensorType>(getSharedOut().getType());
    if (sOut.getRank() != 2 || ShapedType::isDynamic(sOut.getDimSize(1)))
      return emitOpError() << "shared_out must be a static [d, hs] tensor";
    int64_t hs = sOut.getDimSize(1);
    if (failed(checkShape(*this, "shared_out", getSharedOut(), {d, hs})) ||
        failed(checkShape(*this, "shared_in", sIn,
                          {ffn.isGated() ? 2 * hs : hs, d})))
      return failure();
  }
  if (Value g = getSharedGate())
    if (failed(checkShape(*this, "shared_gate", g, {d})))
      return failure();

  if (getAuxLoss() != static_cast<bool>(getAux()))
    return emitOpError() << "the aux result is present iff 'aux_loss' is set";
  if (failed(verifyStrategy(*this)))
    return failure();
  if (failed(checkShape(*this, "result", getResult(), {tokens, d})))
    return failure();
  return success();
}
