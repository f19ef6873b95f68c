//===- SelectStrategy.cpp - The lut-select-strategy pass ------------------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"
#include "loom/Dialect/Lut/Transforms/StrategyModel.h"

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
      emitError(getOperation()->getLoc())
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
      int64_t indexBits = op.getDotPathIndexBits();
      if (indexBits == 0)
        return;
      // trit3 has no lookup crossover model: int8 dots at every N.
      PackedType packed = op.getWeight().getType();
      std::optional<int64_t> from = 1;
      if (packed.getLayout().getKind() == LayoutKind::Bitplane)
        from = dotCrossover(packed.getM(), packed.getK(),
                            packed.getQuant().getNumPlanes(), indexBits, host);
      if (from)
        decision.setAttr(
            op, IntegerAttr::get(IntegerType::get(&getContext(), 64), *from));
    });
  }
};

} // namespace
