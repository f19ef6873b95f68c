//===- RuntimeTest.cpp - The C runtime, under AddressSanitizer ------------===//
//
// Entry points are driven through hand-written trampolines that behave as
// compiled functions do: they read input descriptors and return freshly
// allocated, aliased or strided result descriptors.
//
//===----------------------------------------------------------------------===//

#include "loom-c/RuntimeInvoke.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

/// A rank-N memref descriptor, as the compiled code lays it out.
template <int N> struct Descriptor {
  void *allocated, *aligned;
  int64_t offset, sizes[N], strides[N];
};

LoomTensorList *listOf(std::initializer_list<LoomTensor *> tensors) {
  std::vector<LoomTensor *> v(tensors);
  return loom_tensor_list_create(v.data(), static_cast<int64_t>(v.size()));
}

TEST(RuntimeTensor, CreateChecksItsArguments) {
  float data[6] = {};
  int64_t shape[2] = {2, 3};
  LoomTensor *t = loom_tensor_create(data, shape, 2, LOOM_F32, 0);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(loom_tensor_num_elements(t), 6);
  EXPECT_EQ(loom_tensor_strides(t)[0], 3);
  EXPECT_EQ(loom_tensor_strides(t)[1], 1);
  EXPECT_FALSE(loom_tensor_is_owning(t));
  loom_tensor_destroy(t);

  EXPECT_EQ(loom_tensor_create(data, shape, -1, LOOM_F32, 0), nullptr);
  EXPECT_STREQ(loom_last_error(), "tensor rank must be >= 0, got -1");
  EXPECT_EQ(loom_tensor_create(data, nullptr, 2, LOOM_F32, 0), nullptr);
  EXPECT_STREQ(loom_last_error(), "null shape for a rank-2 tensor");
  EXPECT_EQ(loom_tensor_create(data, shape, 2, LOOM_DTYPE_INVALID, 0), nullptr);
  EXPECT_STREQ(loom_last_error(), "invalid element type 0");
  EXPECT_EQ(loom_tensor_create(nullptr, shape, 2, LOOM_F32, 0), nullptr);
  EXPECT_STREQ(loom_last_error(), "null data for 6 elements");
  int64_t empty[1] = {0};
  LoomTensor *none = loom_tensor_create(nullptr, empty, 1, LOOM_I8, 0);
  EXPECT_NE(none, nullptr);
  loom_tensor_destroy(none);
  loom_tensor_destroy(nullptr);
}

TEST(RuntimeTensor, ZerosOwnTheirStorage) {
  int64_t shape[3] = {2, 0, 5};
  LoomTensor *empty = loom_tensor_create_zeros(shape, 3, LOOM_BF16);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(loom_tensor_num_elements(empty), 0);
  loom_tensor_destroy(empty);
  int64_t four = 4;
  LoomTensor *t = loom_tensor_create_zeros(&four, 1, LOOM_I64);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(loom_tensor_is_owning(t));
  EXPECT_EQ(static_cast<int64_t *>(loom_tensor_data(t))[3], 0);
  loom_tensor_destroy(t);
  int64_t negative = -2;
  EXPECT_EQ(loom_tensor_create_zeros(&negative, 1, LOOM_F32), nullptr);
  EXPECT_STREQ(loom_last_error(), "dimension 0 is negative (-2)");
}

TEST(RuntimeTensor, ListsOwnTheirTensors) {
  int64_t two = 2;
  LoomTensorList *list = listOf({loom_tensor_create_zeros(&two, 1, LOOM_F32),
                                 loom_tensor_create_zeros(&two, 1, LOOM_I8)});
  EXPECT_EQ(loom_tensor_list_size(list), 2);
  EXPECT_EQ(loom_tensor_dtype(loom_tensor_list_get(list, 1)), LOOM_I8);
  EXPECT_EQ(loom_tensor_list_get(list, 2), nullptr);
  EXPECT_EQ(loom_tensor_list_get(list, -1), nullptr);
  loom_tensor_list_destroy(list); // ASan reports the leak if it does not.
  EXPECT_EQ(loom_tensor_list_create(nullptr, 3), nullptr);
  EXPECT_EQ(loom_tensor_list_size(nullptr), -1);
}

TEST(RuntimeTensor, DTypes) {
  EXPECT_EQ(loom_dtype_size(LOOM_BF16), 2u);
  EXPECT_EQ(loom_dtype_size(LOOM_BOOL), 1u);
  EXPECT_EQ(loom_dtype_size(LOOM_DTYPE_INVALID), 0u);
  EXPECT_STREQ(loom_dtype_name(LOOM_I32), "i32");
  EXPECT_STREQ(loom_dtype_name(static_cast<LoomDType>(42)), "invalid");
}

/// Where the last call of threeResults put its fresh result's data.
float *freshData = nullptr;

// f(x: [?, 3] f32) -> (doubled x: fresh, aligned past the start of its
// allocation as memref.alloc's are; x itself: aliased; column 1 of x as a
// strided view of a fresh buffer).
void threeResults(void *results, void **args) {
  auto *x = static_cast<Descriptor<2> *>(args[0]);
  auto *out = static_cast<char *>(results);
  auto *fresh = reinterpret_cast<Descriptor<2> *>(out);
  auto *alias = reinterpret_cast<Descriptor<2> *>(out + sizeof(Descriptor<2>));
  auto *column =
      reinterpret_cast<Descriptor<1> *>(out + 2 * sizeof(Descriptor<2>));
  int64_t n = x->sizes[0];
  auto *in = static_cast<float *>(x->aligned);
  auto *allocation =
      static_cast<float *>(std::malloc((n * 3 + 4) * sizeof(float)));
  float *doubled = freshData = allocation + 4;
  for (int64_t i = 0; i < n * 3; ++i)
    doubled[i] = 2 * in[i];
  *fresh = {allocation, doubled, 0, {n, 3}, {3, 1}};
  *alias = *x;
  auto *copy = static_cast<float *>(std::malloc(n * 3 * sizeof(float)));
  std::memcpy(copy, in, n * 3 * sizeof(float));
  *column = {copy, copy, 1, {n}, {3}};
}

const int64_t anyBy3[2] = {-1, 3}, anyN[1] = {-1};
const LoomArgSpec inputs[1] = {{"x", LOOM_F32, 2, anyBy3}};
const LoomArgSpec outputs[3] = {{"doubled", LOOM_F32, 2, anyBy3},
                                {"same", LOOM_F32, 2, anyBy3},
                                {"column", LOOM_F32, 1, anyN}};
const LoomEntrySpec spec = {"three", 1, inputs, 3, outputs, threeResults, "{}"};

TEST(RuntimeThreads, SetNumThreadsChecksTheCount) {
  EXPECT_EQ(loom_set_num_threads(0), LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(loom_last_error(),
               "loom_set_num_threads: 0 is not a thread count (>= 1)");
  // Without OpenMP linked in (this test), a valid count is a no-op.
  EXPECT_EQ(loom_set_num_threads(2), LOOM_OK);
}

TEST(RuntimeInvoke, AdoptsCopiesAndChecks) {
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t shape[2] = {2, 3};
  LoomTensorList *in = listOf({loom_tensor_create(x, shape, 2, LOOM_F32, 0)});
  LoomTensorList *out = nullptr;
  ASSERT_EQ(loom_invoke(&spec, in, &out), LOOM_OK) << loom_last_error();
  ASSERT_EQ(loom_tensor_list_size(out), 3);
  auto values = [&](int i) {
    return static_cast<float *>(loom_tensor_data(loom_tensor_list_get(out, i)));
  };
  EXPECT_EQ(values(0)[5], 10.f);
  // The fresh result is adopted, not copied, though its data starts past
  // its allocation (which the tensor frees: AddressSanitizer checks it).
  EXPECT_EQ(values(0), freshData);
  // The aliased result is a copy: the caller's buffer is not handed back.
  EXPECT_NE(values(1), x);
  EXPECT_EQ(values(1)[4], 4.f);
  // The strided view is made contiguous.
  EXPECT_EQ(loom_tensor_shape(loom_tensor_list_get(out, 2))[0], 2);
  EXPECT_EQ(values(2)[0], 1.f);
  EXPECT_EQ(values(2)[1], 4.f);
  loom_tensor_list_destroy(out);
  loom_tensor_list_destroy(in);
}

// What compiled models call for memref.alloc / memref.dealloc.
extern "C" void *_mlir_memref_to_llvm_alloc(size_t size);
extern "C" void _mlir_memref_to_llvm_free(void *block);

TEST(RuntimeBuffers, LargeBlocksAreReused) {
  // A released large block comes back for the next request of its size (a
  // model called in a loop does not page-fault its buffers in again) ...
  const size_t large = size_t(1) << 20;
  void *first = _mlir_memref_to_llvm_alloc(large);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, large);
  _mlir_memref_to_llvm_free(first);
  void *second = _mlir_memref_to_llvm_alloc(large - 100);
  EXPECT_EQ(second, first);
  // ... but not for a different size, and while it is in use.
  void *other = _mlir_memref_to_llvm_alloc(2 * large);
  EXPECT_NE(other, first);
  std::memset(other, 2, 2 * large);
  // Small blocks, and blocks the cache never saw (a tensor's calloc'ed
  // storage), are plain malloc blocks: AddressSanitizer checks every free.
  void *small = _mlir_memref_to_llvm_alloc(100);
  std::memset(small, 3, 100);
  _mlir_memref_to_llvm_free(small);
  _mlir_memref_to_llvm_free(nullptr);
  _mlir_memref_to_llvm_free(other);
  _mlir_memref_to_llvm_free(second);
  int64_t shape[1] = {1 << 18};
  loom_tensor_destroy(loom_tensor_create_zeros(shape, 1, LOOM_F32));
}

extern "C" void memrefCopy(int64_t elementSize, void *src, void *dst);

/// A rank-2 memref descriptor and its unranked form, as MLIR passes them.
struct Strided2D {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct Unranked {
  int64_t rank;
  void *descriptor;
};

TEST(RuntimeBuffers, MemrefCopyFollowsBothLayouts) {
  // A 3 x 4 window of a 5 x 6 buffer (rows of contiguous elements), into a
  // dense 3 x 4 buffer, into its transpose (column stride 1 only on one
  // side), and a wholly contiguous copy back.
  std::vector<float> big(30), dense(12, -1.f), transposed(12, -1.f),
      back(12, -1.f);
  for (int i = 0; i < 30; ++i)
    big[i] = float(i);
  Strided2D window{big.data(), big.data(), 7, {3, 4}, {6, 1}};
  Strided2D denseView{dense.data(), dense.data(), 0, {3, 4}, {4, 1}};
  Strided2D transposedView{
      transposed.data(), transposed.data(), 0, {3, 4}, {1, 3}};
  Strided2D backView{back.data(), back.data(), 0, {3, 4}, {4, 1}};
  Unranked w{2, &window}, d{2, &denseView}, t{2, &transposedView},
      bk{2, &backView};
  memrefCopy(sizeof(float), &w, &d);
  memrefCopy(sizeof(float), &w, &t);
  memrefCopy(sizeof(float), &d, &bk);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) {
      float want = float(7 + 6 * r + c);
      EXPECT_EQ(dense[4 * r + c], want) << r << "," << c;
      EXPECT_EQ(transposed[r + 3 * c], want) << r << "," << c;
      EXPECT_EQ(back[4 * r + c], want) << r << "," << c;
    }
}

TEST(RuntimeInvoke, RejectsBadInputs) {
  float x[8] = {};
  int64_t bad[2] = {2, 4}, flat[1] = {8};
  LoomTensorList *out = reinterpret_cast<LoomTensorList *>(0x1);
  LoomTensorList *shape = listOf({loom_tensor_create(x, bad, 2, LOOM_F32, 0)});
  EXPECT_EQ(loom_invoke(&spec, shape, &out), LOOM_ERROR_SHAPE);
  EXPECT_EQ(out, nullptr);
  EXPECT_STREQ(loom_last_error(),
               "three: input 0 (x) has shape [2, 4], expected [?, 3]");
  LoomTensorList *rank = listOf({loom_tensor_create(x, flat, 1, LOOM_F32, 0)});
  EXPECT_EQ(loom_invoke(&spec, rank, &out), LOOM_ERROR_RANK);
  LoomTensorList *type = listOf({loom_tensor_create(x, flat, 1, LOOM_I32, 0)});
  EXPECT_EQ(loom_invoke(&spec, type, &out), LOOM_ERROR_DTYPE);
  LoomTensorList *empty = listOf({});
  EXPECT_EQ(loom_invoke(&spec, empty, &out), LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(loom_invoke(&spec, nullptr, &out), LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(loom_invoke(nullptr, empty, &out), LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(loom_find_entry(&spec, 1, "other"), nullptr);
  EXPECT_STREQ(loom_last_error(), "no entry point named 'other'");
  EXPECT_EQ(loom_find_entry(&spec, 1, "three"), &spec);
  for (LoomTensorList *l : {shape, rank, type, empty})
    loom_tensor_list_destroy(l);
}

} // namespace
