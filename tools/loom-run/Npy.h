//===- Npy.h - Read and write NumPy .npy files as LoomTensors ---*- C++ -*-===//
#ifndef LOOM_TOOLS_LOOMRUN_NPY_H
#define LOOM_TOOLS_LOOMRUN_NPY_H

#include "loom/Runtime/ModelLibrary.h"

#include <string>

namespace mlir::loom::npy {

/// Reads a little-endian, C-ordered .npy file (format 1.0-3.0) into an
/// owning tensor; null with `error` set otherwise.
LoomTensor *read(const RuntimeApi &api, const std::string &path,
                 std::string &error);

/// Writes `tensor` as a .npy file (format 1.0).
bool write(const RuntimeApi &api, const std::string &path,
           const LoomTensor *tensor, std::string &error);

} // namespace mlir::loom::npy

#endif // LOOM_TOOLS_LOOMRUN_NPY_H
