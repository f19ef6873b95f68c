//===- BufferCache.cpp - The models' buffer allocator ---------------------===//

#include "BufferCache.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>

namespace {

class BufferCache {
public:
  void *allocate(size_t size) {
    if (size < mlir::loom::runtime::kCachedBlockBytes)
      return std::malloc(size);
    // Page multiples, so that sizes differing by a few bytes (alignment
    // padding) share blocks.
    size = (size + 4095) & ~size_t(4095);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = idle.find(size);
      if (it != idle.end()) {
        void *block = it->second;
        idle.erase(it);
        idleBytes -= size;
        live.emplace(block, size);
        return block;
      }
    }
    void *block = std::malloc(size);
    if (block) {
      std::lock_guard<std::mutex> lock(mutex);
      live.emplace(block, size);
    }
    return block;
  }

  void release(void *block) {
    if (!block)
      return;
    std::unique_lock<std::mutex> lock(mutex);
    auto it = live.find(block);
    if (it == live.end()) {
      lock.unlock();
      std::free(block);
      return;
    }
    size_t size = it->second;
    live.erase(it);
    if (size > mlir::loom::runtime::kIdleLimitBytes) {
      lock.unlock();
      std::free(block);
      return;
    }
    // Make room by freeing the largest idle blocks first: they are the
    // likeliest to be stale sizes of an earlier, larger call.
    while (idleBytes + size > mlir::loom::runtime::kIdleLimitBytes) {
      auto largest = std::prev(idle.end());
      idleBytes -= largest->first;
      std::free(largest->second);
      idle.erase(largest);
    }
    idle.emplace(size, block);
    idleBytes += size;
  }

  /// Frees every idle block.
  void trim() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto &entry : idle)
      std::free(entry.second);
    idle.clear();
    idleBytes = 0;
  }

private:
  std::mutex mutex;
  /// Blocks handed out, with their (rounded) sizes.
  std::unordered_map<void *, size_t> live;
  /// Blocks kept for reuse, by size.
  std::multimap<size_t, void *> idle;
  size_t idleBytes = 0;
};

/// Never destroyed: tensors may be released from other static destructors.
BufferCache &cache() {
  static BufferCache *instance = new BufferCache;
  return *instance;
}

/// Each model library carries its own runtime, and so its own cache: a
/// process that loads and unloads many (loom-tune collect, one library per
/// task) would keep up to kIdleLimitBytes per library it ever loaded. The
/// idle blocks go back to malloc when the library is unloaded (or the
/// process exits); the cache object itself stays for late releases.
__attribute__((destructor)) void trimAtUnload() { cache().trim(); }

} // namespace

void *mlir::loom::runtime::allocateBuffer(size_t size) {
  return cache().allocate(size);
}

void mlir::loom::runtime::releaseBuffer(void *block) { cache().release(block); }

// The allocation functions MLIR's memref-to-LLVM lowering calls with
// `use-generic-functions` (loom-compile's pipelines set it).
extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  return mlir::loom::runtime::allocateBuffer(size);
}

extern "C" void _mlir_memref_to_llvm_free(void *block) {
  mlir::loom::runtime::releaseBuffer(block);
}
