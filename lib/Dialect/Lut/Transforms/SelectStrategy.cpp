//===- SelectStrategy.cpp - The lut-select-strategy pass ------------------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"
#include "loom/Dialect/Lut/Transforms/StrategyModel.h"

#include "mlir/IR/Matchers.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTSELECTSTRATEGY
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

struct LutSelectStrategyPass
    : mlir::loom::lut::impl::LutSelectStrategyBase<LutSelectStrategyPass> {
  using Base::Base;

  void runOnOperation() override {
    if (bandwidth <= 0 || pairLookupStep <= 0 || singleLookupStep <= 0 ||
        dotStep <= 0) {
      getOperation()->emitError()
          << "lut-select-strategy: the bandwidth and step times must be "
             "positive";
      return signalPassFailure();
    }
    // vpdpbusd emulated: vpmaddubsw, vpmaddwd and an add.
    bool vnni = isa == "avx512-vnni" || isa == "avx512-vbmi";
    double dotStepNs = vnni ? dotStep : 3 * dotStep;
    HostThroughput host{bandwidth, pairLookupStep, singleLookupStep, dotStepNs};
    auto *dialect = getContext().getLoadedDialect<LutDialect>();
    getOperation()->walk([&](MpGemmOp op) {
      auto decision = dialect->getDotFromNAttrHelper();
      if (decision.isAttrPresent(op) || !op.hasIntActivations())
        return;
      // The cost model chose the path already (loom-decide's dot_from_n).
      if (auto decided = op->getAttrOfType<loom::DecisionAttr>(
              loom::DecisionAttr::kAttrName);
          decided && decided.getIntKnob("dot_from_n"))
        return;
      // Both kernels fold a lut.pack of constants; the dot kernel steps
      // over 8 or 16 K at a time within a segment.
      auto pack = op.getWeight().getDefiningOp<PackOp>();
      std::optional<int64_t> segment = op.getLookupSegment();
      PackedType packed = op.getWeight().getType();
      if (!pack || !matchPattern(pack.getCodes(), m_Constant()) || !segment ||
          packed.getDotIndexBits(*segment) == 0)
        return;
      std::optional<int64_t> from = 1;
      if (packed.getLayout().getKind() == LayoutKind::Bitplane)
        from = dotCrossover(packed.getM(), packed.getK(),
                            packed.getQuant().getNumPlanes(),
                            packed.getDotIndexBits(*segment), host);
      else if (packed.getLayout().getKind() != LayoutKind::Trit3)
        return;
      if (from)
        decision.setAttr(
            op, IntegerAttr::get(IntegerType::get(&getContext(), 64), *from));
    });
  }
};

} // namespace
