//===- ModelLibrary.cpp - A compiled model opened with dlopen -------------===//

#include "loom/Runtime/ModelLibrary.h"

#include <dlfcn.h>

std::unique_ptr<mlir::loom::ModelLibrary>
mlir::loom::ModelLibrary::open(const std::string &path, std::string &error) {
  // `libm.so` names a file here, not a library for the dynamic linker to
  // search its paths for.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    error = dlerror();
    return nullptr;
  }
  std::unique_ptr<ModelLibrary> library(new ModelLibrary());
  library->handle = handle;
#define LOOM_RESOLVE(name)                                                     \
  library->runtime.name = reinterpret_cast<decltype(&::loom_##name)>(          \
      dlsym(handle, "loom_" #name));                                           \
  if (!library->runtime.name) {                                                \
    error = path + " is not a Loom model (no loom_" #name ")";                 \
    return nullptr;                                                            \
  }
  LOOM_RUNTIME_FUNCTIONS(LOOM_RESOLVE)
#undef LOOM_RESOLVE
  return library;
}

mlir::loom::ModelLibrary::~ModelLibrary() {
  if (handle)
    dlclose(handle);
}

void *mlir::loom::ModelLibrary::lookup(const char *symbol) const {
  return dlsym(handle, symbol);
}
