//===- CacheFlush.h - Evicting data before a cold timing --------*- C++ -*-===//
//
// Cold timings stream a model's weights from DRAM: the weights are constants
// inside the compiled library, so instead of rotating over copies the
// callers flush the library's mapped file before each timed call. Shared by
// bench/ and loom-tune; header-only, since neither links the same libraries.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_SUPPORT_CACHEFLUSH_H
#define LOOM_SUPPORT_CACHEFLUSH_H

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <immintrin.h>
#include <string>

namespace mlir::loom {

/// Every cache line of [begin, end) out of every cache level.
__attribute__((target("clflushopt"))) inline void flushRange(const void *begin,
                                                             const void *end) {
  for (auto p = reinterpret_cast<uintptr_t>(begin) & ~uintptr_t(63);
       p < reinterpret_cast<uintptr_t>(end); p += 64)
    _mm_clflushopt(reinterpret_cast<void *>(p));
  _mm_sfence();
}

/// Flushes every readable mapping of the file `path` in this process.
inline void flushMappedFile(const std::string &path) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() < path.size() ||
        line.compare(line.size() - path.size(), path.size(), path) != 0)
      continue;
    unsigned long lo, hi;
    char perms[5];
    // clflushopt faults on a page it may not read.
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
        perms[0] == 'r')
      flushRange(reinterpret_cast<void *>(lo), reinterpret_cast<void *>(hi));
  }
}

} // namespace mlir::loom

#endif // LOOM_SUPPORT_CACHEFLUSH_H
