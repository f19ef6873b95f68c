//===- Invoke.cpp - Checked calls into compiled entry points --------------===//
//
// A memref descriptor of rank N is {allocated, aligned, offset, sizes[N],
// strides[N]}: 3 + 2N eight-byte words, and several results are laid out
// back to back (every field is 8 bytes, so the LLVM struct has no padding).
//
//===----------------------------------------------------------------------===//

#include "BufferCache.h"
#include "Errors.h"

#include "loom-c/RuntimeInvoke.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using mlir::loom::runtime::fail;

namespace {

using Word = int64_t;
static_assert(sizeof(void *) == sizeof(Word),
              "descriptors need 64-bit pointers");

int64_t descriptorWords(int64_t rank) { return 3 + 2 * rank; }

void writeDescriptor(Word *d, const LoomTensor *t) {
  int64_t rank = loom_tensor_rank(t);
  void *data = loom_tensor_data(t);
  std::memcpy(&d[0], &data, sizeof(Word));
  std::memcpy(&d[1], &data, sizeof(Word));
  d[2] = 0;
  for (int64_t i = 0; i < rank; ++i) {
    d[3 + i] = loom_tensor_shape(t)[i];
    d[3 + rank + i] = loom_tensor_strides(t)[i];
  }
}

std::string shapeString(const int64_t *shape, int64_t rank) {
  std::string s = "[";
  for (int64_t i = 0; i < rank; ++i)
    s += (i ? ", " : "") +
         (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

LoomStatus checkInput(const LoomEntrySpec *spec, int64_t index,
                      const LoomTensor *t) {
  const LoomArgSpec &arg = spec->inputs[index];
  if (!t)
    return fail(LOOM_ERROR_INVALID_ARGUMENT, "%s: input %lld (%s) is null",
                spec->name, (long long)index, arg.name);
  if (loom_tensor_dtype(t) != arg.dtype)
    return fail(LOOM_ERROR_DTYPE,
                "%s: input %lld (%s) has element type %s, "
                "expected %s",
                spec->name, (long long)index, arg.name,
                loom_dtype_name(loom_tensor_dtype(t)),
                loom_dtype_name(arg.dtype));
  int64_t rank = loom_tensor_rank(t);
  const int64_t *shape = loom_tensor_shape(t);
  if (rank != arg.rank)
    return fail(LOOM_ERROR_RANK,
                "%s: input %lld (%s) has rank %lld, "
                "expected %lld",
                spec->name, (long long)index, arg.name, (long long)rank,
                (long long)arg.rank);
  for (int64_t i = 0; i < rank; ++i)
    if (arg.shape[i] >= 0 && shape[i] != arg.shape[i])
      return fail(LOOM_ERROR_SHAPE,
                  "%s: input %lld (%s) has shape %s, "
                  "expected %s",
                  spec->name, (long long)index, arg.name,
                  shapeString(shape, rank).c_str(),
                  shapeString(arg.shape, arg.rank).c_str());
  return LOOM_OK;
}

/// Turns one result descriptor into a tensor. A contiguous result whose
/// allocation is fresh is adopted, wherever in that allocation its data
/// starts (aligned allocations start past the malloc'ed pointer); anything
/// else (a strided view, storage shared with an input or an earlier result)
/// is copied.
LoomTensor *adoptResult(const LoomArgSpec &spec, const Word *d,
                        const std::vector<const void *> &taken) {
  int64_t rank = spec.rank;
  void *allocated, *aligned;
  std::memcpy(&allocated, &d[0], sizeof(Word));
  std::memcpy(&aligned, &d[1], sizeof(Word));
  const Word *sizes = d + 3, *strides = d + 3 + rank;
  size_t elt = loom_dtype_size(spec.dtype);
  char *base = static_cast<char *>(aligned) + d[2] * elt;

  bool contiguous = true;
  int64_t expected = 1, count = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (sizes[i] != 1 && strides[i] != expected)
      contiguous = false;
    expected *= sizes[i];
    count *= sizes[i];
  }
  bool shared = false;
  for (const void *p : taken)
    shared |= p == allocated;
  if (contiguous && !shared)
    return mlir::loom::runtime::makeTensor(base, allocated, sizes, rank,
                                           spec.dtype);

  LoomTensor *copy = loom_tensor_create_zeros(sizes, rank, spec.dtype);
  if (!copy)
    return nullptr;
  char *out = static_cast<char *>(loom_tensor_data(copy));
  if (contiguous) {
    std::memcpy(out, base, count * elt);
  } else {
    for (int64_t flat = 0; flat < count; ++flat) {
      int64_t rem = flat, offset = 0;
      for (int64_t i = rank - 1; i >= 0; --i) {
        offset += (rem % sizes[i]) * strides[i];
        rem /= sizes[i];
      }
      std::memcpy(out + flat * elt, base + offset * elt, elt);
    }
  }
  if (!shared)
    mlir::loom::runtime::releaseBuffer(allocated);
  return copy;
}

} // namespace

LoomStatus loom_invoke(const LoomEntrySpec *spec, const LoomTensorList *inputs,
                       LoomTensorList **outputs) {
  if (!spec || !inputs || !outputs)
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "loom_run: null entry, inputs or outputs pointer");
  *outputs = nullptr;
  int64_t count = loom_tensor_list_size(inputs);
  if (count != spec->num_inputs)
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "%s: expected %lld inputs, got %lld", spec->name,
                (long long)spec->num_inputs, (long long)count);

  std::vector<std::vector<Word>> descriptors(count);
  std::vector<void *> args(count);
  std::vector<const void *> taken;
  for (int64_t i = 0; i < count; ++i) {
    const LoomTensor *t = loom_tensor_list_get(inputs, i);
    if (LoomStatus status = checkInput(spec, i, t); status != LOOM_OK)
      return status;
    descriptors[i].resize(descriptorWords(spec->inputs[i].rank));
    writeDescriptor(descriptors[i].data(), t);
    args[i] = descriptors[i].data();
    taken.push_back(loom_tensor_data(t));
  }

  int64_t resultWords = 0;
  for (int64_t i = 0; i < spec->num_outputs; ++i)
    resultWords += descriptorWords(spec->outputs[i].rank);
  std::vector<Word> results(resultWords ? resultWords : 1, 0);
  spec->trampoline(results.data(), args.data());

  std::vector<LoomTensor *> tensors;
  const Word *d = results.data();
  for (int64_t i = 0; i < spec->num_outputs; ++i) {
    LoomTensor *t = adoptResult(spec->outputs[i], d, taken);
    if (!t) {
      for (LoomTensor *done : tensors)
        loom_tensor_destroy(done);
      return LOOM_ERROR_OUT_OF_MEMORY;
    }
    taken.push_back(reinterpret_cast<const void *>(d[0]));
    tensors.push_back(t);
    d += descriptorWords(spec->outputs[i].rank);
  }
  *outputs = loom_tensor_list_create(tensors.data(),
                                     static_cast<int64_t>(tensors.size()));
  return *outputs ? LOOM_OK : LOOM_ERROR_OUT_OF_MEMORY;
}

const LoomEntrySpec *loom_find_entry(const LoomEntrySpec *specs, int64_t count,
                                     const char *name) {
  if (!name)
    return fail<const LoomEntrySpec *>(nullptr, "null entry name");
  for (int64_t i = 0; i < count; ++i)
    if (std::strcmp(specs[i].name, name) == 0)
      return &specs[i];
  return fail<const LoomEntrySpec *>(nullptr, "no entry point named '%s'",
                                     name);
}

LoomStatus loom_cpu_lacks(const char *feature) {
  return fail(LOOM_ERROR_UNSUPPORTED,
              "this model was compiled for a CPU with %s, which this machine "
              "lacks (recompile with loom-compile -mcpu/-mattr for it)",
              feature);
}
