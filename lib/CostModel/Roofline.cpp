//===- Roofline.cpp - The analytical time of a candidate ------------------===//

#include "loom/CostModel/Roofline.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir::loom::cost;

void mlir::loom::cost::accumulate(WorkEstimate &total,
                                  const WorkEstimate &work) {
  for (auto [sum, part] : llvm::zip_equal(total.ops, work.ops))
    sum += part;
  for (auto [sum, part] : llvm::zip_equal(total.bytes, work.bytes))
    sum += part;
  total.overheadSeconds += work.overheadSeconds;
}

RooflineTime mlir::loom::cost::rooflineTime(const WorkEstimate &work,
                                            const MachineThroughput &machine) {
  double compute = 0, memory = 0;
  for (size_t i = 0; i < work.ops.size() && i < machine.opsPerSecond.size();
       ++i)
    if (machine.opsPerSecond[i] > 0)
      compute = std::max(compute, work.ops[i] / machine.opsPerSecond[i]);
  for (size_t i = 0; i < work.bytes.size() && i < machine.bytesPerSecond.size();
       ++i)
    if (machine.bytesPerSecond[i] > 0)
      memory = std::max(memory, work.bytes[i] / machine.bytesPerSecond[i]);
  return {std::max(compute, memory) + work.overheadSeconds, memory > compute};
}
