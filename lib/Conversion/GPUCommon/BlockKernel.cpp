//===- BlockKernel.cpp - A kernel for the GPU or the interpreter ----------===//

#include "loom/Conversion/BlockKernel.h"
#include "loom/Conversion/KernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::loom;

static MemRefType arrayType(MLIRContext *ctx, ArraySpec array,
                            int64_t copies = 1, unsigned addressSpace = 0) {
  Attribute space;
  if (addressSpace)
    space = gpu::AddressSpaceAttr::get(
        ctx, static_cast<gpu::AddressSpace>(addressSpace));
  return MemRefType::get({copies * array.size}, array.element,
                         MemRefLayoutAttrInterface(), space);
}

void BlockKernel::emit(ImplicitLocOpBuilder &b, const BlockKernelSpec &spec,
                       function_ref<void(BlockKernel &)> body) {
  OpBuilder::InsertionGuard restore(b);
  MLIRContext *ctx = b.getContext();
  Value c0 = arith::ConstantIndexOp::create(b, 0);
  Value c1 = arith::ConstantIndexOp::create(b, 1);
  BlockKernel kernel(b, spec);
  if (spec.interpret) {
    // One set of arrays for all blocks, made before their loops: blocks run
    // one after another, and on the device a block's arrays start undefined
    // too, so nothing may read what an earlier block left.
    for (ArraySpec array : spec.shared)
      kernel.sharedArrays.push_back(
          memref::AllocaOp::create(b, arrayType(ctx, array)));
    for (ArraySpec array : spec.local)
      kernel.localArrays.push_back(
          memref::AllocaOp::create(b, arrayType(ctx, array, spec.threads)));
    auto xs = scf::ForOp::create(b, c0, spec.gridX, c1);
    b.setInsertionPointToStart(xs.getBody());
    auto ys = scf::ForOp::create(b, c0, spec.gridY, c1);
    b.setInsertionPointToStart(ys.getBody());
    auto zs = scf::ForOp::create(b, c0, spec.gridZ, c1);
    b.setInsertionPointToStart(zs.getBody());
    kernel.blockIds[0] = xs.getInductionVar();
    kernel.blockIds[1] = ys.getInductionVar();
    kernel.blockIds[2] = zs.getInductionVar();
    body(kernel);
    return;
  }
  Value any = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  for (Value size : {spec.gridX, spec.gridY, spec.gridZ})
    any = arith::AndIOp::create(
        b, any, arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, size, c0));
  auto guard = scf::IfOp::create(b, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&guard.getThenRegion().front());
  SmallVector<Type> sharedTypes, localTypes;
  for (ArraySpec array : spec.shared)
    sharedTypes.push_back(arrayType(
        ctx, array, 1, unsigned(gpu::GPUDialect::getWorkgroupAddressSpace())));
  for (ArraySpec array : spec.local)
    localTypes.push_back(arrayType(
        ctx, array, 1, unsigned(gpu::GPUDialect::getPrivateAddressSpace())));
  auto launch = gpu::LaunchOp::create(
      b, spec.gridX, spec.gridY, spec.gridZ,
      arith::ConstantIndexOp::create(b, spec.threads), c1, c1,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      ValueRange{}, sharedTypes, localTypes);
  b.setInsertionPointToStart(&launch.getBody().front());
  kernel.blockIds[0] = launch.getBlockIds().x;
  kernel.blockIds[1] = launch.getBlockIds().y;
  kernel.blockIds[2] = launch.getBlockIds().z;
  kernel.threadId = launch.getThreadIds().x;
  llvm::append_range(kernel.sharedArrays, launch.getWorkgroupAttributions());
  llvm::append_range(kernel.localArrays, launch.getPrivateAttributions());
  body(kernel);
  gpu::TerminatorOp::create(b);
}

void BlockKernel::phase(function_ref<void(Value)> body, bool barrier) {
  if (threadId) {
    body(threadId);
    if (barrier)
      gpu::BarrierOp::create(b);
    return;
  }
  OpBuilder::InsertionGuard restore(b);
  auto threads =
      scf::ForOp::create(b, arith::ConstantIndexOp::create(b, 0),
                         arith::ConstantIndexOp::create(b, spec.threads),
                         arith::ConstantIndexOp::create(b, 1));
  b.setInsertionPointToStart(threads.getBody());
  body(threads.getInductionVar());
}

SmallVector<Value> BlockKernel::localIndices(unsigned array, Value thread,
                                             int64_t i) {
  Value at = arith::ConstantIndexOp::create(b, i);
  if (!threadId)
    at = arith::AddIOp::create(
        b,
        arith::MulIOp::create(
            b, thread,
            arith::ConstantIndexOp::create(b, spec.local[array].size)),
        at);
  return {at};
}

Value BlockKernel::loadLocal(unsigned array, Value thread, int64_t i) {
  return memref::LoadOp::create(b, localArrays[array],
                                localIndices(array, thread, i));
}

void BlockKernel::storeLocal(unsigned array, Value thread, int64_t i,
                             Value value) {
  memref::StoreOp::create(b, value, localArrays[array],
                          localIndices(array, thread, i));
}

void BlockKernel::emitPerElement(ImplicitLocOpBuilder &b, Value n,
                                 int64_t threads, bool interpret,
                                 function_ref<void(Value i)> body) {
  Value perBlock = arith::ConstantIndexOp::create(b, threads);
  Value one = arith::ConstantIndexOp::create(b, 1);
  BlockKernelSpec spec{arith::CeilDivUIOp::create(b, n, perBlock),
                       one,
                       one,
                       threads,
                       {},
                       {},
                       interpret};
  emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    block.phase(
        [&](Value thread) {
          Value i = arith::AddIOp::create(
              b, arith::MulIOp::create(b, block.blockX(), perBlock), thread);
          gpu_kernels::when(
              b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i, n),
              [&] { body(i); });
        },
        /*barrier=*/false);
  });
}
