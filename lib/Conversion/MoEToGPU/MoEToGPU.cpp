//===- MoEToGPU.cpp - The convert-moe-to-gpu pass -------------------------===//
//
// The moe ops the GPU kernels serve become launches over host buffers, as
// convert-lut-to-gpu does for lut.mpgemm; the rest stay for the host
// lowering that runs after it. Weights, router and biases become 1-D
// buffers (constants stay constants), which loom-gpu-device-copies keeps
// resident on the device.
//
//===----------------------------------------------------------------------===//

#include "RoutingKernels.h"
#include "loom/Conversion/GroupedGemmKernel.h"

#include "loom/Conversion/HostBuffers.h"
#include "loom/Conversion/MapKernel.h"
#include "loom/Conversion/Passes.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTMOETOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

/// The static tensor `v` as a 1-D read-only buffer: a folded constant when
/// `v` is one (so that it can stay on the device), else a collapse.
Value flatBuffer(ImplicitLocOpBuilder &b, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto flat =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  DenseElementsAttr values;
  Value tensor;
  if (matchPattern(v, m_Constant(&values)))
    tensor = arith::ConstantOp::create(b, values.reshape(flat));
  else
    tensor = tensor::CollapseShapeOp::create(
        b, flat, v,
        ArrayRef<ReassociationIndices>{
            llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
  return readBuffer(b, tensor);
}

struct ConvertMoEToGPUPass
    : loom::impl::ConvertMoEToGPUBase<ConvertMoEToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(
            checkFillBlocks(getOperation(), "convert-moe-to-gpu", fillBlocks)))
      return signalPassFailure();
    SmallVector<Operation *> ops;
    DenseSet<Operation *> hostMath;
    getOperation().walk([&](Operation *op) {
      if (isa<TopKOp, AuxLossOp, DispatchOp, GroupedMatmulOp, CombineOp>(op))
        ops.push_back(op);
      // Decided before topk is lowered, while its ids are still its own.
      if (auto assign = dyn_cast<AssignOp>(op)) {
        std::optional<StringRef> onHost = hostPlanReason(assign);
        if (!onHost)
          ops.push_back(op);
        else if (remarks)
          assign.emitRemark() << "convert-moe-to-gpu: this plan stays on the "
                                 "host: "
                              << *onHost;
      }
      if (needsLibdevice(op))
        hostMath.insert(op);
    });
    for (Operation *op : ops)
      TypeSwitch<Operation *>(op)
          .Case([&](TopKOp topk) { lowerRoute(topk); })
          .Case([&](AuxLossOp loss) { lowerAuxLoss(loss); })
          .Case([&](AssignOp assign) { lowerAssign(assign); })
          .Case([&](DispatchOp dispatch) { lowerDispatch(dispatch); })
          .Case([&](GroupedMatmulOp gemm) { lowerGroupedMatmul(gemm); })
          .Case([&](CombineOp combine) { lowerCombine(combine); });
    // The kernels' exp / erf / tanh as upstream's polynomials: NVVM would
    // take them only as libdevice calls (a CUDA install at compile time),
    // and the interpreter then computes the very same formulas.
    SmallVector<Operation *> kernelMath;
    getOperation().walk([&](Operation *op) {
      if (needsLibdevice(op) && !hostMath.contains(op))
        kernelMath.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return true; });
    if (failed(applyOpPatternsGreedily(kernelMath, std::move(patterns))))
      return signalPassFailure();
    getOperation().walk([&](math::FloorOp floor) {
      if (!hostMath.contains(floor))
        truncateToFloor(floor);
    });
  }

  /// floor(v) as trunc(v) - (trunc(v) > v), through i32: the polynomials
  /// floor only their clamped range reductions, and NVVM takes floor
  /// only as a libdevice call.
  static void truncateToFloor(math::FloorOp floor) {
    ImplicitLocOpBuilder b(floor.getLoc(), floor);
    Value v = floor.getOperand();
    Value truncated = arith::SIToFPOp::create(
        b, v.getType(), arith::FPToSIOp::create(b, b.getI32Type(), v));
    Value above =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, truncated, v);
    Value one = arith::ConstantOp::create(b, b.getFloatAttr(v.getType(), 1.0));
    floor.replaceAllUsesWith(
        arith::SelectOp::create(
            b, above, arith::SubFOp::create(b, truncated, one), truncated)
            .getResult());
    floor.erase();
  }

  /// The math ops NVVM lowers only to libdevice calls.
  static bool needsLibdevice(Operation *op) {
    return isa<math::ExpOp, math::ErfOp, math::TanhOp, math::FloorOp>(op);
  }

  void lowerRoute(TopKOp topk) {
    auto gate = topk.getScores().getDefiningOp<GateOp>();
    if (!gate)
      return;
    ImplicitLocOpBuilder b(topk.getLoc(), topk);
    auto routerType = cast<RankedTensorType>(gate.getRouter().getType());
    RouteKernel kernel{
        routerType.getDimSize(0),
        routerType.getDimSize(1),
        int64_t(topk.getK()),
        gate.getScoring() == Scoring::Softmax,
        topk.getRenormalize(),
        topk.getScale().convertToDouble(),
        int64_t(topk.getGroups()),
        int64_t(topk.getGroupTopk()),
        topk.getGroupScore() == GroupScore::Top2Sum,
        readBuffer(b, gate.getX()),
        flatBuffer(b, gate.getRouter()),
        topk.getSelectBias() ? readBuffer(b, topk.getSelectBias()) : Value(),
        {},
        {},
        {}};
    kernel.scores = resultBuffer(b, gate.getType(), kernel.x);
    kernel.ids = resultBuffer(b, topk.getIds().getType(), kernel.x);
    kernel.weights = resultBuffer(b, topk.getWeights().getType(), kernel.x);
    emitRouteKernel(b, kernel, interpret);
    Value scores = asTensor(b, gate.getType(), kernel.scores);
    topk.getIds().replaceAllUsesWith(
        asTensor(b, topk.getIds().getType(), kernel.ids));
    topk.getWeights().replaceAllUsesWith(
        asTensor(b, topk.getWeights().getType(), kernel.weights));
    topk.erase();
    gate.getResult().replaceAllUsesWith(scores);
    gate.erase();
  }

  void lowerAuxLoss(AuxLossOp op) {
    ImplicitLocOpBuilder b(op.getLoc(), op);
    Value scores = readBuffer(b, op.getScores());
    AuxLossKernel kernel{
        cast<RankedTensorType>(op.getScores().getType()).getDimSize(1), scores,
        readBuffer(b, op.getIds()), resultBuffer(b, op.getType(), scores)};
    emitAuxLossKernel(b, kernel, interpret);
    op.replaceAllUsesWith(asTensor(b, op.getType(), kernel.loss));
    op.erase();
  }

  /// Why the assign kernel cannot take `assign`; none when it can: a
  /// dropless grouped layout of unit alignment over topk's ids (all in
  /// range), so that R = T * k whatever the routing, with no priority
  /// order and its capacity unread.
  static std::optional<StringRef> hostPlanReason(AssignOp assign) {
    LayoutAttr layout = assign.getLayout();
    CapacityAttr capacity = assign.getCapacity();
    if (assign.getPriority())
      return "a priority order (a sort)";
    if (!capacity.getFactor().isZero())
      return "a capacity, whose drops the data decide";
    if (!assign.getCapacityValue().use_empty())
      return "its capacity value, which the host reads";
    if (capacity.getAlign() != 1 || layout.getRowAlign() != 1 ||
        layout.getKind() != LayoutKind::Grouped)
      return "an aligned or padded layout, whose rows the data decide";
    if (!assign.getIds().getDefiningOp<TopKOp>())
      return "ids that are not the routing kernel's (maybe out of range)";
    return std::nullopt;
  }

  /// The plan on the device, and the row map's element-wise maps (each
  /// row's token and weight, moe-fuse's) after it: a decode step's ids,
  /// offsets and row maps then never cross the bus.
  void lowerAssign(AssignOp assign) {
    SmallVector<linalg::GenericOp> maps;
    for (Operation *user : assign.getRows().getUsers())
      if (auto map = dyn_cast<linalg::GenericOp>(user);
          map && isElementwiseMap(map))
        maps.push_back(map);
    ImplicitLocOpBuilder b(assign.getLoc(), assign);
    Value ids = readBuffer(b, assign.getIds());
    int64_t k = cast<RankedTensorType>(assign.getIds().getType()).getDimSize(1);
    Value slots = arith::MulIOp::create(b, memref::DimOp::create(b, ids, 0),
                                        arith::ConstantIndexOp::create(b, k));
    AssignKernel kernel{
        int64_t(assign.getNumExperts()),
        ids,
        resultBuffer(b, assign.getLocations().getType(), ids),
        resultBuffer(b, assign.getCounts().getType(), ids),
        resultBuffer(b, assign.getOffsets().getType(), ids),
        memref::AllocOp::create(
            b, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()), slots)};
    emitAssignKernel(b, kernel, interpret);
    Value offsets = asTensor(b, assign.getOffsets().getType(), kernel.offsets);
    Value locations =
        asTensor(b, assign.getLocations().getType(), kernel.locations);
    Value rows = asTensor(b, assign.getRows().getType(), kernel.rows);
    assign.getLocations().replaceAllUsesWith(locations);
    assign.getCounts().replaceAllUsesWith(
        asTensor(b, assign.getCounts().getType(), kernel.counts));
    assign.getOffsets().replaceAllUsesWith(offsets);
    assign.getRows().replaceAllUsesWith(rows);
    devicePlans[locations] = {assign.getIds(), offsets, rows};
    deviceOffsets.insert(offsets);
    assign.erase();
    for (linalg::GenericOp map : maps)
      lowerElementwiseMap(map, interpret);
  }

  /// A plan of the assign kernel: its ids, offsets and row map.
  struct DevicePlan {
    Value ids, offsets, rows;
  };
  /// The assign kernels' plans by their locations.
  DenseMap<Value, DevicePlan> devicePlans;
  /// Their offsets: the grouped GEMMs that read them find their segments
  /// already on the device.
  DenseSet<Value> deviceOffsets;

  /// The row map of the plan (ids, locations, offsets), or null when
  /// those are not one assign's.
  Value rowMapOf(Value ids, Value locations, Value offsets) {
    if (auto plan = devicePlans.find(locations); plan != devicePlans.end()) {
      bool same = plan->second.ids == ids && plan->second.offsets == offsets;
      return same ? plan->second.rows : Value();
    }
    auto assign = locations.getDefiningOp<AssignOp>();
    if (!assign || assign.getIds() != ids || assign.getOffsets() != offsets)
      return {};
    return assign.getRows();
  }

  void lowerDispatch(DispatchOp dispatch) {
    Value rowMap = rowMapOf(dispatch.getIds(), dispatch.getLocations(),
                            dispatch.getOffsets());
    if (!rowMap)
      return;
    ImplicitLocOpBuilder b(dispatch.getLoc(), dispatch);
    Value rows = readBuffer(b, rowMap);
    DispatchKernel kernel{
        cast<RankedTensorType>(dispatch.getIds().getType()).getDimSize(1),
        readBuffer(b, dispatch.getX()), rows,
        dispatch.getScale() ? readBuffer(b, dispatch.getScale()) : Value(),
        resultBuffer(b, dispatch.getType(), rows)};
    emitDispatchKernel(b, kernel, interpret);
    dispatch.replaceAllUsesWith(asTensor(b, dispatch.getType(), kernel.out));
    dispatch.erase();
  }

  void lowerGroupedMatmul(GroupedMatmulOp gemm) {
    ImplicitLocOpBuilder b(gemm.getLoc(), gemm);
    auto weightType = cast<RankedTensorType>(gemm.getWeights().getType());
    Activation epilogue = gemm.getEpilogue();
    bool gated =
        epilogue == Activation::Swiglu || epilogue == Activation::Geglu;
    int64_t n = weightType.getDimSize(1);
    GroupedGemmKernel kernel{
        weightType.getDimSize(0),
        n,
        weightType.getDimSize(2),
        gated ? n / 2 : n,
        epilogue,
        readBuffer(b, gemm.getInput()),
        flatBuffer(b, gemm.getWeights()),
        readBuffer(b, gemm.getOffsets()),
        readBuffer(b, gemm.getCounts()),
        gemm.getBias() ? flatBuffer(b, gemm.getBias()) : Value(),
        gemm.getRowScale() ? readBuffer(b, gemm.getRowScale()) : Value(),
        gemm.getGather() ? readBuffer(b, gemm.getGather()) : Value(),
        {},
        tensorCores};
    kernel.fillBlocks = fillBlocks;
    kernel.segmentsOnDevice = deviceOffsets.contains(gemm.getOffsets());
    Value rowSource = readBuffer(b, gemm.getRowMapSource());
    auto resultType = cast<RankedTensorType>(gemm.getType());
    // With a fused combine the rows first land in a buffer of R rows.
    auto rowsType = RankedTensorType::get(
        {ShapedType::kDynamic, kernel.outColumns}, b.getF32Type());
    kernel.out =
        resultBuffer(b, gemm.getScatter() ? rowsType : resultType, rowSource);
    if (remarks)
      remarkChoices(gemm, kernel);
    emitGroupedGemmKernel(b, kernel, interpret);
    Value result = kernel.out;
    // A zero init (moe-fuse's, for a combine without one) is written by the
    // kernel, not filled on the host and copied in.
    linalg::FillOp zeroFill;
    if (gemm.getScatter()) {
      Value init = gemm.getInit();
      auto fill = init.getDefiningOp<linalg::FillOp>();
      if (fill && matchPattern(fill.value(), m_AnyZeroFloat()))
        zeroFill = fill;
      SmallVector<Value> tokens;
      if (resultType.isDynamicDim(0))
        tokens.push_back(tensor::DimOp::create(
            b, zeroFill ? zeroFill.getDpsInits().front() : init, 0));
      auto outType =
          MemRefType::get(resultType.getShape(), resultType.getElementType());
      ScatterKernel scatter{kernel.out, readBuffer(b, gemm.getScatter()),
                            zeroFill ? Value() : readBuffer(b, init),
                            memref::AllocOp::create(b, outType, tokens),
                            memref::AllocOp::create(b, outType, tokens)};
      emitScatterKernel(b, scatter, interpret);
      result = scatter.out;
    }
    gemm.replaceAllUsesWith(asTensor(b, resultType, result));
    gemm.erase();
    if (zeroFill && zeroFill->use_empty())
      zeroFill.erase();
  }

  /// The kernel's choices for `gemm` and what makes them: fixed thresholds
  /// and options, since no GPU has measured a model for this target class
  /// (costmodel.md §8).
  void remarkChoices(GroupedMatmulOp gemm, const GroupedGemmKernel &kernel) {
    std::string shapes;
    llvm::raw_string_ostream os(shapes);
    describeBlockShapes(os, kernel);
    gemm.emitRemark() << "convert-moe-to-gpu: one launch over "
                      << kernel.experts << " experts' segments (their offsets "
                      << (kernel.segmentsOnDevice ? "from the plan kernel"
                                                  : "copied from the host")
                      << "), " << shapes
                      << (gemm.getScatter()
                              ? "; the combine fused: a scatter kernel adds "
                                "the rows in expert order"
                              : "")
                      << ". No GPU class has a learned model until a GPU has "
                         "measured one: fixed thresholds and options decide";
  }

  void lowerCombine(CombineOp combine) {
    ImplicitLocOpBuilder b(combine.getLoc(), combine);
    Value ids = readBuffer(b, combine.getIds());
    CombineKernel kernel{
        cast<RankedTensorType>(combine.getOffsets().getType()).getDimSize(0) -
            1,
        readBuffer(b, combine.getRows()),
        ids,
        readBuffer(b, combine.getLocations()),
        readBuffer(b, combine.getOffsets()),
        combine.getWeights() ? readBuffer(b, combine.getWeights()) : Value(),
        combine.getInit() ? readBuffer(b, combine.getInit()) : Value(),
        resultBuffer(b, combine.getType(), ids)};
    emitCombineKernel(b, kernel, interpret);
    combine.replaceAllUsesWith(asTensor(b, combine.getType(), kernel.out));
    combine.erase();
  }
};

} // namespace
