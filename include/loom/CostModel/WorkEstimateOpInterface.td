//===- WorkEstimateOpInterface.td - Ops that size their own work -*- tablegen -*-===//
#ifndef LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_TD
#define LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def WorkEstimateOpInterface : OpInterface<"WorkEstimateOpInterface"> {
  let cppNamespace = "::mlir::loom::cost";
  let description = [{
    An op that knows the work its lowering does, from its types alone: the
    operations per compute class and the bytes per memory level of the
    cost model's roofline (`cost::WorkEstimate`). `cost::estimateSeconds`
    sums the roofline times of a region's ops (costmodel.md's `wf.latency`,
    Ansor's pack-sum), so that `wf-schedule` costs a `wf.compute` node as
    it costs an LLM call. Ops without the interface get a generic estimate
    (linalg ops by their iteration space, elementwise ops by their
    elements).
  }];
  let methods = [
    InterfaceMethod<
      [{The op's work, or std::nullopt if a dynamic size keeps it unknown.}],
      "std::optional<::mlir::loom::cost::WorkEstimate>", "estimateWork">,
  ];
}

#endif // LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_TD
