/* Calls the model compiled from c-api.mlir through its generated header. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static int failures = 0;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAILED: %s (line %d)\n", #cond, __LINE__);                      \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

static LoomTensorList *list2(LoomTensor *a, LoomTensor *b) {
  LoomTensor *tensors[2] = {a, b};
  return loom_tensor_list_create(tensors, b ? 2 : 1);
}

static void expect_error(const char *what, const LoomTensorList *inputs) {
  LoomTensorList *outputs = NULL;
  LoomStatus status = loom_run_add(inputs, inputs ? &outputs : NULL);
  printf("%s: status %d: %s\n", what, (int)status, loom_last_error());
  EXPECT(status != LOOM_OK);
  EXPECT(outputs == NULL);
}

int main(void) {
  printf("entry points:");
  for (const char *const *name = loom_entry_points(); *name; ++name)
    printf(" %s", *name);
  printf("\nsignature(add): %s\n", loom_signature("add"));

  /* A valid call. */
  float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {10, 20, 30, 40, 50, 60, 70, 80};
  int64_t shape[2] = {2, 4};
  LoomTensorList *inputs = list2(loom_tensor_create(a, shape, 2, LOOM_F32, 0),
                                 loom_tensor_create(b, shape, 2, LOOM_F32, 0));
  LoomTensorList *outputs = NULL;
  EXPECT(loom_run_add(inputs, &outputs) == LOOM_OK);
  LoomTensor *sum = loom_tensor_list_get(outputs, 0);
  EXPECT(loom_tensor_list_size(outputs) == 1);
  EXPECT(loom_tensor_dtype(sum) == LOOM_F32 && loom_tensor_is_owning(sum));
  const float *s = (const float *)loom_tensor_data(sum);
  for (int i = 0; i < 8; ++i)
    EXPECT(s[i] == a[i] + b[i]);
  printf("add: ok %lldx%lld\n", (long long)loom_tensor_shape(sum)[0],
         (long long)loom_tensor_shape(sum)[1]);
  loom_tensor_list_destroy(outputs);
  loom_tensor_list_destroy(inputs);

  /* Two results, one of them the input itself. */
  int32_t v[3] = {1, 2, 3};
  int64_t three = 3;
  inputs = list2(loom_tensor_create(v, &three, 1, LOOM_I32, 0), NULL);
  EXPECT(loom_run("pair", inputs, &outputs) == LOOM_OK);
  const int32_t *doubled = loom_tensor_data(loom_tensor_list_get(outputs, 0));
  const int32_t *same = loom_tensor_data(loom_tensor_list_get(outputs, 1));
  EXPECT(doubled[2] == 6 && same[2] == 3 && (const void *)same != (void *)v);
  loom_tensor_list_destroy(outputs);
  loom_tensor_list_destroy(inputs);
  printf("pair: ok\n");

  /* Bad inputs: each returns an error status and a message. */
  int32_t ints[8] = {0};
  inputs = list2(loom_tensor_create(a, shape, 2, LOOM_F32, 0),
                 loom_tensor_create(ints, shape, 2, LOOM_I32, 0));
  expect_error("wrong dtype", inputs);
  loom_tensor_list_destroy(inputs);

  int64_t flat = 8;
  inputs = list2(loom_tensor_create(a, &flat, 1, LOOM_F32, 0),
                 loom_tensor_create(b, shape, 2, LOOM_F32, 0));
  expect_error("wrong rank", inputs);
  loom_tensor_list_destroy(inputs);

  int64_t wrong[2] = {2, 3};
  inputs = list2(loom_tensor_create(a, wrong, 2, LOOM_F32, 0),
                 loom_tensor_create(b, shape, 2, LOOM_F32, 0));
  expect_error("wrong shape", inputs);
  loom_tensor_list_destroy(inputs);

  inputs = list2(loom_tensor_create(a, shape, 2, LOOM_F32, 0), NULL);
  expect_error("wrong count", inputs);
  loom_tensor_list_destroy(inputs);

  LoomTensor *none[2] = {NULL, NULL};
  inputs = loom_tensor_list_create(none, 2);
  expect_error("null input", inputs);
  loom_tensor_list_destroy(inputs);

  expect_error("null list", NULL);

  inputs = list2(loom_tensor_create(a, shape, 2, LOOM_F32, 0), NULL);
  LoomStatus status = loom_run("nope", inputs, &outputs);
  printf("unknown entry: status %d: %s\n", (int)status, loom_last_error());
  EXPECT(status == LOOM_ERROR_INVALID_ARGUMENT);
  loom_tensor_list_destroy(inputs);

  int64_t negative[2] = {-1, 4};
  LoomTensor *bad = loom_tensor_create(a, negative, 2, LOOM_F32, 0);
  printf("negative dim: tensor %s: %s\n", bad ? "created" : "NULL",
         loom_last_error());
  EXPECT(bad == NULL);

  if (failures)
    return 1;
  printf("all checks passed\n");
  return 0;
}
