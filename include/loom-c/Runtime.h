/*===- loom-c/Runtime.h - The C ABI of models compiled by Loom -----*- C -*-===*\
|*                                                                            *|
|* A library made by loom-compile exports, besides this runtime:             *|
|*   const char *const *loom_entry_points(void);   NULL-terminated names      *|
|*   const char *loom_signature(const char *entry); JSON, NULL if unknown     *|
|*   LoomStatus loom_run_<entry>(const LoomTensorList *inputs,                *|
|*                               LoomTensorList **outputs);                  *|
|*   LoomStatus loom_run(const char *entry, const LoomTensorList *inputs,     *|
|*                       LoomTensorList **outputs);                          *|
|* Every run checks the number, element types, ranks and shapes of its       *|
|* inputs and returns an error status instead of reading out of bounds;      *|
|* loom_last_error() then says what was wrong. Modelled on onnx-mlir's       *|
|* OMTensor API.                                                              *|
\*===----------------------------------------------------------------------===*/
#ifndef LOOM_C_RUNTIME_H
#define LOOM_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LOOM_EXPORT __attribute__((visibility("default")))
#else
#define LOOM_EXPORT
#endif

typedef enum LoomDType {
  LOOM_DTYPE_INVALID = 0,
  LOOM_F32 = 1,
  LOOM_F64 = 2,
  LOOM_F16 = 3,
  LOOM_BF16 = 4,
  LOOM_I8 = 5,
  LOOM_I16 = 6,
  LOOM_I32 = 7,
  LOOM_I64 = 8,
  LOOM_BOOL = 9, /* one byte per element */
} LoomDType;

typedef enum LoomStatus {
  LOOM_OK = 0,
  LOOM_ERROR_INVALID_ARGUMENT = 1, /* null pointer, unknown entry, bad count */
  LOOM_ERROR_DTYPE = 2,            /* element type differs from the signature */
  LOOM_ERROR_RANK = 3,             /* rank differs from the signature */
  LOOM_ERROR_SHAPE = 4,            /* a static dimension differs, or a negative one */
  LOOM_ERROR_OUT_OF_MEMORY = 5,
  LOOM_ERROR_UNSUPPORTED = 6,      /* e.g. a GPU entry on a machine without one */
  LOOM_ERROR_INTERNAL = 7,
} LoomStatus;

typedef struct LoomTensor LoomTensor;
typedef struct LoomTensorList LoomTensorList;

/* Size in bytes of one element; 0 for an invalid type. */
LOOM_EXPORT size_t loom_dtype_size(LoomDType dtype);
/* "f32", "i8", ...; "invalid" for anything else. */
LOOM_EXPORT const char *loom_dtype_name(LoomDType dtype);

/* A row-major tensor over `data` (not copied). With `owning` != 0 the
 * tensor frees `data` with free() when destroyed. Returns NULL (and sets the
 * last error) for a null shape with rank > 0, a negative dimension or rank,
 * an invalid dtype, or null data with a non-zero element count. */
LOOM_EXPORT LoomTensor *loom_tensor_create(void *data, const int64_t *shape,
                                           int64_t rank, LoomDType dtype,
                                           int owning);
/* A zero-filled tensor that owns its storage. */
LOOM_EXPORT LoomTensor *loom_tensor_create_zeros(const int64_t *shape,
                                                 int64_t rank, LoomDType dtype);
LOOM_EXPORT void loom_tensor_destroy(LoomTensor *tensor);

LOOM_EXPORT void *loom_tensor_data(const LoomTensor *tensor);
LOOM_EXPORT LoomDType loom_tensor_dtype(const LoomTensor *tensor);
LOOM_EXPORT int64_t loom_tensor_rank(const LoomTensor *tensor);
LOOM_EXPORT const int64_t *loom_tensor_shape(const LoomTensor *tensor);
LOOM_EXPORT const int64_t *loom_tensor_strides(const LoomTensor *tensor);
LOOM_EXPORT int64_t loom_tensor_num_elements(const LoomTensor *tensor);
LOOM_EXPORT int loom_tensor_is_owning(const LoomTensor *tensor);

/* A list that owns its tensors: destroying it destroys them. `tensors` may be
 * NULL when `count` is 0; the array itself is copied. */
LOOM_EXPORT LoomTensorList *loom_tensor_list_create(LoomTensor **tensors,
                                                    int64_t count);
LOOM_EXPORT void loom_tensor_list_destroy(LoomTensorList *list);
LOOM_EXPORT int64_t loom_tensor_list_size(const LoomTensorList *list);
/* The i-th tensor, still owned by the list; NULL if out of range. */
LOOM_EXPORT LoomTensor *loom_tensor_list_get(const LoomTensorList *list,
                                             int64_t index);

/* The message of the last error of this thread ("" if none). */
LOOM_EXPORT const char *loom_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_C_RUNTIME_H */
