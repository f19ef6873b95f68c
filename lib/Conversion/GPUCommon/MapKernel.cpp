//===- MapKernel.cpp - Element-wise linalg maps as GPU kernels ------------===//

#include "loom/Conversion/MapKernel.h"

#include "loom/Conversion/BlockKernel.h"
#include "loom/Conversion/HostBuffers.h"
#include "loom/Conversion/KernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::gpu_kernels;

/// Threads per block of a map kernel.
static constexpr int64_t kThreads = 256;

bool mlir::loom::isElementwiseMap(linalg::GenericOp map) {
  // The kernel's grid is sized by the first input.
  if (map.getNumLoops() != 1 || map.getNumParallelLoops() != 1 ||
      map.getNumDpsInputs() == 0 || map.getNumDpsInits() != 1 ||
      !map.hasPureTensorSemantics() ||
      !llvm::all_of(map.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block &body = map.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return false;
  return llvm::all_of(body.without_terminator(), [&](Operation &op) {
    if (auto extract = dyn_cast<tensor::ExtractOp>(op))
      return extract.getTensor().getParentBlock() != &body;
    return isa<arith::ArithDialect>(op.getDialect());
  });
}

void mlir::loom::lowerElementwiseMap(linalg::GenericOp map, bool interpret) {
  ImplicitLocOpBuilder b(map.getLoc(), map);
  SmallVector<Value> inputs = llvm::map_to_vector(
      map.getDpsInputs(), [&](Value v) { return readBuffer(b, v); });
  Block &body = map.getRegion().front();
  // What the body extracts from, as buffers made on the host.
  IRMapping sources;
  for (auto extract : body.getOps<tensor::ExtractOp>())
    if (!sources.contains(extract.getTensor()))
      sources.map(extract.getTensor(), readBuffer(b, extract.getTensor()));
  Type resultType = map.getResult(0).getType();
  Value out = resultBuffer(b, resultType, inputs.front());
  BlockKernel::emitPerElement(
      b, dim(b, out, 0), kThreads, interpret, [&](Value i) {
        IRMapping values;
        for (auto [arg, input] : llvm::zip(body.getArguments(), inputs))
          values.map(arg, memref::LoadOp::create(b, input, i));
        for (Operation &op : body.without_terminator()) {
          auto extract = dyn_cast<tensor::ExtractOp>(op);
          if (!extract) {
            b.clone(op, values);
            continue;
          }
          SmallVector<Value> at =
              llvm::map_to_vector(extract.getIndices(), [&](Value v) {
                return values.lookupOrDefault(v);
              });
          values.map(extract.getResult(),
                     memref::LoadOp::create(
                         b, sources.lookup(extract.getTensor()), at));
        }
        memref::StoreOp::create(
            b, values.lookupOrDefault(body.getTerminator()->getOperand(0)), out,
            i);
      });
  map.getResult(0).replaceAllUsesWith(asTensor(b, resultType, out));
  map.erase();
}
