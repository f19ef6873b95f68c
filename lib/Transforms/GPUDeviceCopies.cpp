//===- GPUDeviceCopies.cpp - The loom-gpu-device-copies pass --------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::loom {
#define GEN_PASS_DEF_GPUDEVICECOPIES
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

/// Whether some use of the kernel argument `arg` may have `Effect` on it (a
/// user that does not say, may).
template <typename Effect> bool mayHaveEffect(BlockArgument arg) {
  return llvm::any_of(arg.getUsers(), [&](Operation *user) {
    return mightHaveEffect<Effect>(user, arg);
  });
}

/// The device copy of `host` when it is a 1-D constant global of f32, i32,
/// f16 or bf16 (a folded weight): the runtime uploads it once per process
/// (loom_gpu_constant_<type> in lib/Runtime/CudaShim.cpp). Null otherwise.
Value residentConstant(OpBuilder &b, Location loc, Value host) {
  auto type = cast<MemRefType>(host.getType());
  auto get = host.getDefiningOp<memref::GetGlobalOp>();
  if (!get || type.getRank() != 1 || !type.hasStaticShape())
    return {};
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  Type element = type.getElementType();
  if (!global || !global.getConstant() ||
      !(element.isF32() || element.isF16() || element.isBF16() ||
        element.isSignlessInteger(32)))
    return {};
  std::string name = "loom_gpu_constant_";
  llvm::raw_string_ostream(name) << element;
  auto module = get->getParentOfType<ModuleOp>();
  auto any = MemRefType::get({ShapedType::kDynamic}, element);
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder atEnd = OpBuilder::atBlockEnd(module.getBody());
    callee = func::FuncOp::create(atEnd, loc, name,
                                  atEnd.getFunctionType({any}, {any}));
    callee.setPrivate();
    // Descriptors passed by pointer: the C function's ABI.
    callee->setAttr("llvm.emit_c_interface", atEnd.getUnitAttr());
  }
  Value cast = memref::CastOp::create(b, loc, any, host);
  Value device = func::CallOp::create(b, loc, callee, cast).getResult(0);
  return memref::CastOp::create(b, loc, type, device);
}

/// Whether the host never touches the buffer `alloc` allocates: only
/// kernels read and write it (the host may still ask its sizes and free
/// it), so it can live in device memory alone.
bool kernelsOnly(memref::AllocOp alloc) {
  if (!alloc.getType().getLayout().isIdentity())
    return false;
  bool launched = false;
  for (Operation *user : alloc->getUsers()) {
    if (isa<gpu::LaunchFuncOp>(user))
      launched = true;
    else if (!isa<memref::DeallocOp, memref::DimOp>(user))
      return false;
  }
  return launched;
}

/// The kernel `launch` calls, or null.
gpu::GPUFuncOp kernelOf(gpu::LaunchFuncOp launch) {
  return SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
      launch, launch.getKernel());
}

/// The argument of `launch`'s kernel that `use`, one of the launch's
/// operands, binds: null for a grid, stream or size operand, or when the
/// kernel is not a gpu.func.
BlockArgument kernelArgument(gpu::LaunchFuncOp launch, OpOperand &use) {
  gpu::GPUFuncOp kernel = kernelOf(launch);
  unsigned first = launch.getKernelOperands().getBeginOperandIndex();
  if (!kernel || use.getOperandNumber() < first)
    return {};
  return kernel.getArgument(use.getOperandNumber() - first);
}

/// Whether a device copy of `host` made just before `point` (an op of the
/// function body that defines `host`) holds its value for every later
/// launch: no user makes a view of it, and every user that may write it (a
/// launch whose kernel stores to it too) lies before `point`. So are a
/// function's inputs (bufferization leaves its tensor arguments unwritten)
/// and the buffers host code fills before the launches read them.
bool writtenOnlyBefore(Value host, Operation *point) {
  Block *body = point->getBlock();
  if (host.getParentBlock() != body || !isa<func::FuncOp>(body->getParentOp()))
    return false;
  return llvm::all_of(host.getUses(), [&](OpOperand &use) {
    Operation *user = use.getOwner();
    if (llvm::any_of(user->getResultTypes(), llvm::IsaPred<BaseMemRefType>))
      return false;
    bool writes = mightHaveEffect<MemoryEffects::Write>(user, host);
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(user)) {
      BlockArgument arg = kernelArgument(launch, use);
      writes = !arg || mayHaveEffect<MemoryEffects::Write>(arg);
    }
    Operation *at = body->findAncestorOpInBlock(*user);
    return !writes || (at && at->isBeforeInBlock(point));
  });
}

struct GPUDeviceCopiesPass
    : loom::impl::GPUDeviceCopiesBase<GPUDeviceCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp op) {
      if (kernelsOnly(op))
        allocs.push_back(op);
    });
    for (memref::AllocOp alloc : allocs)
      deviceOnly.insert(allocateOnDevice(alloc));
    dominance = &getAnalysis<DominanceInfo>();
    SmallVector<gpu::LaunchFuncOp> launches;
    getOperation().walk([&](gpu::LaunchFuncOp op) { launches.push_back(op); });
    for (gpu::LaunchFuncOp launch : launches)
      if (failed(stage(launch)))
        return signalPassFailure();
  }

  /// `alloc` as gpu.alloc, its deallocations as gpu.dealloc: a buffer one
  /// kernel writes and the next reads (a MoE layer's hidden rows) never
  /// crosses the bus.
  static Value allocateOnDevice(memref::AllocOp alloc) {
    OpBuilder b(alloc);
    Location loc = alloc.getLoc();
    Value device =
        gpu::AllocOp::create(b, loc, alloc.getType(), Type(), ValueRange{},
                             alloc.getDynamicSizes(), ValueRange{})
            .getMemref();
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers())) {
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        b.setInsertionPoint(dealloc);
        gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{},
                               device);
        dealloc.erase();
      }
    }
    alloc.replaceAllUsesWith(device);
    alloc.erase();
    return device;
  }

  /// Buffers in device memory alone (allocateOnDevice).
  DenseSet<Value> deviceOnly;
  /// Device copies of host buffers made at their functions' top level,
  /// which every launch after them shares (writtenOnlyBefore): a layer's
  /// input crosses the bus once for its routing and its GEMM, a normalized
  /// activation once for the Q, K and V GEMMs.
  DenseMap<Value, Value> sharedCopies;
  DominanceInfo *dominance = nullptr;

  /// The shared device copy of `host` that `launch` may read, or null.
  Value sharedCopy(Value host, gpu::LaunchFuncOp launch) {
    auto copy = sharedCopies.find(host);
    if (copy == sharedCopies.end() ||
        !dominance->properlyDominates(copy->second, launch))
      return {};
    return copy->second;
  }

  /// Frees `device`, a copy every launch of its function may share, before
  /// each of the function's returns.
  static void freeAtReturns(Value device) {
    auto fn = device.getParentRegion()->getParentOfType<func::FuncOp>();
    fn.walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      gpu::DeallocOp::create(b, ret.getLoc(), Type(), ValueRange{}, device);
    });
  }

  LogicalResult stage(gpu::LaunchFuncOp launch) {
    gpu::GPUFuncOp kernel = kernelOf(launch);
    if (!kernel)
      return launch.emitOpError("calls a kernel that is not a gpu.func");
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    SmallVector<std::pair<Value, Value>> copyBack;
    SmallVector<Value> deviceBuffers;
    MutableOperandRange operands = launch.getKernelOperandsMutable();
    // The resident constants first: their calls would otherwise split the
    // stream of the launch's copies in two (gpu-async-region synchronizes
    // at a call).
    SmallVector<unsigned> staged;
    for (unsigned i = 0; i < operands.size(); ++i) {
      OpOperand &operand = operands[i];
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      if (!type || deviceOnly.contains(operand.get()))
        continue;
      if (!type.getLayout().isIdentity())
        return launch.emitOpError("has a memref operand with a layout "
                                  "(")
               << type << "): only contiguous buffers are staged";
      Value resident;
      if (!mayHaveEffect<MemoryEffects::Write>(kernelArgument(launch, operand)))
        resident = residentConstant(b, loc, operand.get());
      if (resident)
        operand.set(resident);
      else
        staged.push_back(i);
    }
    for (unsigned i : staged) {
      OpOperand &operand = operands[i];
      Value host = operand.get();
      BlockArgument arg = kernelArgument(launch, operand);
      bool reads = mayHaveEffect<MemoryEffects::Read>(arg);
      if (Value shared = reads ? sharedCopy(host, launch) : Value()) {
        operand.set(shared);
        continue;
      }
      // A shared copy is made at its function's top level, before the op
      // that holds the launch (the guard of an empty grid, the branch of a
      // block shape), so that it dominates every later launch.
      Operation *point = host.getParentBlock()->findAncestorOpInBlock(*launch);
      bool shareable = reads && !mayHaveEffect<MemoryEffects::Write>(arg) &&
                       point && writtenOnlyBefore(host, point);
      OpBuilder::InsertionGuard restore(b);
      if (shareable)
        b.setInsertionPoint(point);
      auto type = cast<MemRefType>(host.getType());
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(memref::DimOp::create(b, loc, host, d));
      Value device = gpu::AllocOp::create(b, loc, type, Type(), ValueRange{},
                                          sizes, ValueRange{})
                         .getMemref();
      if (reads)
        gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, device, host);
      if (mayHaveEffect<MemoryEffects::Write>(arg))
        copyBack.push_back({host, device});
      operand.set(device);
      if (shareable) {
        sharedCopies[host] = device;
        freeAtReturns(device);
      } else {
        deviceBuffers.push_back(device);
      }
    }
    b.setInsertionPointAfter(launch);
    for (auto [host, device] : copyBack)
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, host, device);
    for (Value device : deviceBuffers)
      gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, device);
    return success();
  }
};

} // namespace
