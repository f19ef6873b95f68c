//===- HostBuffers.cpp - Tensors as the host buffers of launches ----------===//

#include "loom/Conversion/HostBuffers.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

Value mlir::loom::readBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*readOnly=*/true);
}

Value mlir::loom::resultBuffer(ImplicitLocOpBuilder &b, Type type, Value like) {
  auto tensorType = cast<RankedTensorType>(type);
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < tensorType.getRank(); ++d)
    if (tensorType.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, like, d));
  return memref::AllocOp::create(
      b, MemRefType::get(tensorType.getShape(), tensorType.getElementType()),
      sizes);
}

Value mlir::loom::asTensor(ImplicitLocOpBuilder &b, Type type, Value buffer) {
  return bufferization::ToTensorOp::create(b, type, buffer, /*restrict=*/true,
                                           /*writable=*/true);
}
