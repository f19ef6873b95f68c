//===- MemRefCopy.cpp - memrefCopy for self-contained model libraries -----===//
//
// MLIR lowers a memref.copy between buffers with non-identity layouts to a
// call to `memrefCopy` (normally in libmlir_c_runner_utils). Models must not
// depend on that library, so the runtime linked into them provides it.
//
//===----------------------------------------------------------------------===//

#include "loom-c/Runtime.h"

#include <cstdint>
#include <cstring>

namespace {

/// An unranked memref: its rank and a pointer to the ranked descriptor
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

struct View {
  char *base;
  const int64_t *sizes, *strides;
};

View viewOf(const UnrankedDescriptor *m, int64_t elementSize) {
  auto *words = static_cast<int64_t *>(m->descriptor);
  char *aligned;
  std::memcpy(&aligned, &words[1], sizeof(aligned));
  return {aligned + words[2] * elementSize, words + 3, words + 3 + m->rank};
}

} // namespace

extern "C" LOOM_EXPORT void memrefCopy(int64_t elementSize,
                                       UnrankedDescriptor *src,
                                       UnrankedDescriptor *dst) {
  int64_t rank = src->rank;
  View from = viewOf(src, elementSize), to = viewOf(dst, elementSize);
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= from.sizes[i];
  if (count == 0)
    return;
  // Trailing dimensions that are row-major contiguous in both buffers form
  // one run of `run` elements, copied by one memcpy: the copies Loom's
  // kernels emit (a tile of rows into its slice of y, a result out of a
  // loop) are rows of contiguous elements, or wholly contiguous.
  int64_t run = 1, outer = rank;
  while (outer > 0 && from.strides[outer - 1] == run &&
         to.strides[outer - 1] == run) {
    run *= from.sizes[outer - 1];
    --outer;
  }
  int64_t index[16] = {0};
  for (int64_t flat = 0; flat < count; flat += run) {
    int64_t fromOffset = 0, toOffset = 0;
    for (int64_t i = 0; i < outer; ++i) {
      fromOffset += index[i] * from.strides[i];
      toOffset += index[i] * to.strides[i];
    }
    std::memcpy(to.base + toOffset * elementSize,
                from.base + fromOffset * elementSize, run * elementSize);
    for (int64_t i = outer - 1; i >= 0; --i) {
      if (++index[i] < from.sizes[i])
        break;
      index[i] = 0;
    }
  }
}
