//===- Verification.cpp - Shared helpers for op verifiers -----------------===//

#include "loom/Support/Verification.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

LogicalResult mlir::loom::verifyTensorShape(Operation *op, StringRef what,
                                            Type type,
                                            ArrayRef<int64_t> expected) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  bool ok = tensor && tensor.getRank() == static_cast<int64_t>(expected.size());
  for (int64_t i = 0; ok && i < tensor.getRank(); ++i)
    ok = ShapedType::isDynamic(expected[i]) ||
         ShapedType::isDynamic(tensor.getDimSize(i)) ||
         expected[i] == tensor.getDimSize(i);
  if (ok)
    return success();
  auto diag = op->emitOpError() << what << " must have shape ";
  llvm::interleave(
      expected,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          diag << "?";
        else
          diag << d;
      },
      [&] { diag << "x"; });
  return diag << ", got " << type;
}
