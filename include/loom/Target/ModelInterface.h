//===- ModelInterface.h - Entry points of a compiled model ------*- C++ -*-===//
//
// What loom-compile needs to know about a model's public functions before
// they are lowered (their tensor signatures), and the C it generates from
// that: the entry-point table linked into the library and model.h.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TARGET_MODELINTERFACE_H
#define LOOM_TARGET_MODELINTERFACE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::loom {

/// One tensor argument or result: its C element type name (see
/// loom-c/Runtime.h's LoomDType) and shape, -1 for a dynamic dimension.
struct TensorSpec {
  std::string name;
  std::string dtype; // "f32", "i8", ...
  SmallVector<int64_t> shape;
};

struct EntrySignature {
  std::string name;
  SmallVector<TensorSpec> inputs, outputs;
};

/// The public func.func and wf.graph ops of `module`, in order. Fails with a
/// located error on an entry point whose arguments or results are not
/// ranked tensors of a supported element type.
FailureOr<std::vector<EntrySignature>> collectEntryPoints(ModuleOp module);

/// The JSON that loom_signature() returns for `entry`.
std::string signatureJson(const EntrySignature &entry);

/// C source defining the entry-point table, loom_entry_points(),
/// loom_signature(), loom_run() and one loom_run_<entry>() per entry.
/// `cpuFeatures` are the instruction-set features the model was compiled
/// for, as `__builtin_cpu_supports` names: every run checks them first and
/// fails with LOOM_ERROR_UNSUPPORTED on a machine without one. With
/// `usesGpu`, every run also checks that the GPU is usable and fails on a
/// GPU error inside it.
void emitEntryPointSource(ArrayRef<EntrySignature> entries,
                          ArrayRef<StringRef> cpuFeatures, bool usesGpu,
                          raw_ostream &os);

/// The header users include (model.h): the runtime API plus one declaration
/// per entry point, each documented with its signature, and, for a library
/// of workflow graphs, the accessor of their task tables.
void emitModelHeader(ArrayRef<EntrySignature> entries, StringRef modelName,
                     raw_ostream &os,
                     ArrayRef<std::string> workflowGraphs = {});

} // namespace mlir::loom

#endif // LOOM_TARGET_MODELINTERFACE_H
