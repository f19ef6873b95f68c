//===- Tensor.cpp - LoomTensor and LoomTensorList -------------------------===//

#include "BufferCache.h"
#include "Errors.h"

#include "loom-c/Runtime.h"
#include "loom/Runtime/DType.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

struct LoomTensor {
  void *data = nullptr;
  void *allocation = nullptr; // What is released when the tensor owns data.
  LoomDType dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> shape, strides;
  int64_t numElements = 0;
};

struct LoomTensorList {
  std::vector<LoomTensor *> tensors;
};

using mlir::loom::runtime::fail;

size_t loom_dtype_size(LoomDType dtype) {
  return mlir::loom::runtime::dtypeInfo(dtype).size;
}

const char *loom_dtype_name(LoomDType dtype) {
  const char *name = mlir::loom::runtime::dtypeInfo(dtype).name;
  return *name ? name : "invalid";
}

namespace mlir::loom::runtime {

/// Checks the rank, shape and element type of a tensor-to-be and returns
/// its element count, or -1 (with the last error set).
static int64_t checkedElementCount(const int64_t *shape, int64_t rank,
                                   LoomDType dtype) {
  if (rank < 0)
    return fail<int64_t>(-1, "tensor rank must be >= 0, got %lld",
                         (long long)rank);
  if (rank > 0 && !shape)
    return fail<int64_t>(-1, "null shape for a rank-%lld tensor",
                         (long long)rank);
  if (loom_dtype_size(dtype) == 0)
    return fail<int64_t>(-1, "invalid element type %d", int(dtype));
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return fail<int64_t>(-1, "dimension %lld is negative (%lld)",
                           (long long)i, (long long)shape[i]);
    count *= shape[i];
  }
  return count;
}

LoomTensor *makeTensor(void *data, void *allocation, const int64_t *shape,
                       int64_t rank, LoomDType dtype) {
  int64_t count = checkedElementCount(shape, rank, dtype);
  if (count < 0)
    return nullptr;
  if (count > 0 && !data)
    return fail<LoomTensor *>(nullptr, "null data for %lld elements",
                              (long long)count);
  auto *tensor = new (std::nothrow) LoomTensor();
  if (!tensor)
    return fail<LoomTensor *>(nullptr, "out of memory");
  tensor->data = data;
  tensor->allocation = allocation;
  tensor->dtype = dtype;
  tensor->shape.assign(shape, shape + rank);
  tensor->strides.resize(rank);
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    tensor->strides[i] = stride;
    stride *= shape[i];
  }
  tensor->numElements = count;
  return tensor;
}

} // namespace mlir::loom::runtime

LoomTensor *loom_tensor_create(void *data, const int64_t *shape, int64_t rank,
                               LoomDType dtype, int owning) {
  return mlir::loom::runtime::makeTensor(data, owning ? data : nullptr, shape,
                                         rank, dtype);
}

LoomTensor *loom_tensor_create_zeros(const int64_t *shape, int64_t rank,
                                     LoomDType dtype) {
  int64_t count = mlir::loom::runtime::checkedElementCount(shape, rank, dtype);
  if (count < 0)
    return nullptr;
  void *data = std::calloc(count ? count : 1, loom_dtype_size(dtype));
  if (!data)
    return fail<LoomTensor *>(nullptr, "out of memory for %lld elements",
                              (long long)count);
  LoomTensor *tensor =
      mlir::loom::runtime::makeTensor(data, data, shape, rank, dtype);
  if (!tensor)
    std::free(data);
  return tensor;
}

void loom_tensor_destroy(LoomTensor *tensor) {
  if (!tensor)
    return;
  mlir::loom::runtime::releaseBuffer(tensor->allocation);
  delete tensor;
}

void *loom_tensor_data(const LoomTensor *t) { return t ? t->data : nullptr; }
LoomDType loom_tensor_dtype(const LoomTensor *t) {
  return t ? t->dtype : LOOM_DTYPE_INVALID;
}
int64_t loom_tensor_rank(const LoomTensor *t) {
  return t ? static_cast<int64_t>(t->shape.size()) : -1;
}
const int64_t *loom_tensor_shape(const LoomTensor *t) {
  return t ? t->shape.data() : nullptr;
}
const int64_t *loom_tensor_strides(const LoomTensor *t) {
  return t ? t->strides.data() : nullptr;
}
int64_t loom_tensor_num_elements(const LoomTensor *t) {
  return t ? t->numElements : -1;
}
int loom_tensor_is_owning(const LoomTensor *t) {
  return t && t->allocation ? 1 : 0;
}

LoomTensorList *loom_tensor_list_create(LoomTensor **tensors, int64_t count) {
  if (count < 0 || (count > 0 && !tensors))
    return fail<LoomTensorList *>(nullptr, "invalid tensor list (%lld tensors)",
                                  (long long)count);
  auto *list = new (std::nothrow) LoomTensorList();
  if (!list)
    return fail<LoomTensorList *>(nullptr, "out of memory");
  list->tensors.assign(tensors, tensors + count);
  return list;
}

void loom_tensor_list_destroy(LoomTensorList *list) {
  if (!list)
    return;
  for (LoomTensor *t : list->tensors)
    loom_tensor_destroy(t);
  delete list;
}

int64_t loom_tensor_list_size(const LoomTensorList *list) {
  return list ? static_cast<int64_t>(list->tensors.size()) : -1;
}

LoomTensor *loom_tensor_list_get(const LoomTensorList *list, int64_t index) {
  if (!list || index < 0 || index >= static_cast<int64_t>(list->tensors.size()))
    return nullptr;
  return list->tensors[index];
}
