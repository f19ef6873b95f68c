#ifndef LOOM_COSTMODEL_TUNABLEOPINTERFACE_TD
#define LOOM_COSTMODEL_TUNABLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def TunableOpInterface : OpInterface<"TunableOpInterface"> {
  let cppNamespace = "::mlir::loom::cost";
  let description = [{
    An op whose lowering has alternatives the cost model chooses between.
    It names its decision, declares the alternatives as a knob space and
    computes the features of each candidate symbolically, without rewriting
    IR, so that ranking hundreds of candidates leaves the IR untouched.
    `loom-decide` records the choice as a `loom.decision` attribute, which
    is all the lowering reads.
  }];
  let methods = [
    InterfaceMethod<
      "The decision id (costmodel.md §1), e.g. \"lut.gemm\".",
      "::llvm::StringRef", "getDecisionKind">,
    InterfaceMethod<
      [{Whether this op has a decision to make: an op type can serve a
        decision for some of its instances only (a linalg.generic that is
        a contraction, not one that adds).}],
      "bool", "hasDecision", (ins), [{}], [{ return true; }]>,
    InterfaceMethod<
      "The feature schema of the decision: the rows getFeatures returns.",
      "const ::mlir::loom::cost::FeatureSchema &", "getFeatureSchema">,
    InterfaceMethod<
      "The knobs and the legality rule of this op on `target`.",
      "::mlir::loom::cost::KnobSpace", "getKnobSpace",
      (ins "const ::mlir::loom::cost::TargetInfo &":$target)>,
    InterfaceMethod<
      [{The feature rows of a candidate, one per problem instance the
        decision serves (a GEMM whose N is dynamic is judged at several N);
        the candidate's cost is the sum over its rows.}],
      "::llvm::SmallVector<::mlir::loom::cost::FeatureVector>", "getFeatures",
      (ins "const ::mlir::loom::cost::KnobSpace &":$space,
           "const ::mlir::loom::cost::Candidate &":$candidate,
           "const ::mlir::loom::cost::TargetInfo &":$target)>,
  ];
}

#endif // LOOM_COSTMODEL_TUNABLEOPINTERFACE_TD
