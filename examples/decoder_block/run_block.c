/* Runs the decoder block compiled by loom-compile: a prefill of N tokens,
 * then M single-token decode steps that thread the KV cache, and times the
 * glue: one decode step against its two halves run separately.
 *
 * usage: run_block TOKENS.npy N M OUT.bin
 *   TOKENS.npy  float32 [N + M, 64] (written by generate.py)
 *   OUT.bin     float32 outputs of every step, row after row */
#include "block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { D = 64, S = 64 };

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what) {
  fprintf(stderr, "run_block: %s: %s\n", what, loom_last_error());
  exit(1);
}

/* Reads a C-ordered little-endian float32 .npy file of `count` values. */
static float *read_npy(const char *path, long count) {
  FILE *f = fopen(path, "rb");
  unsigned char head[10];
  if (!f || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6))
    return fprintf(stderr, "run_block: cannot read %s\n", path), NULL;
  unsigned length = head[8] | head[9] << 8;
  char header[4096];
  if (length >= sizeof(header) || fread(header, 1, length, f) != length)
    return fprintf(stderr, "run_block: bad header in %s\n", path), NULL;
  header[length] = 0;
  if (!strstr(header, "'<f4'") || strstr(header, "True"))
    return fprintf(stderr, "run_block: %s is not C-ordered float32\n", path), NULL;
  float *data = malloc(count * sizeof(float));
  if (fread(data, sizeof(float), count, f) != (size_t)count)
    return fprintf(stderr, "run_block: %s is too short\n", path), NULL;
  fclose(f);
  return data;
}

/* One call of `entry` on (x rows [row, row + n), pos, k, v): returns the
 * outputs; `k` and `v` may be owned by a previous output list. */
static LoomTensorList *call_step(const char *entry, float *tokens, int64_t row,
                                 int64_t n, LoomTensor *k, LoomTensor *v) {
  int64_t xshape[2] = {n, D}, one = 1, cshape[2] = {S, D};
  int64_t *pos = malloc(sizeof(int64_t));
  *pos = row;
  LoomTensor *in[4] = {
      loom_tensor_create(tokens + row * D, xshape, 2, LOOM_F32, 0),
      loom_tensor_create(pos, &one, 1, LOOM_I64, 1),
      loom_tensor_create(loom_tensor_data(k), cshape, 2, LOOM_F32, 0),
      loom_tensor_create(loom_tensor_data(v), cshape, 2, LOOM_F32, 0)};
  LoomTensorList *inputs = loom_tensor_list_create(in, 4), *outputs = NULL;
  if (loom_run(entry, inputs, &outputs) != LOOM_OK)
    die(entry);
  loom_tensor_list_destroy(inputs);
  return outputs;
}

int main(int argc, char **argv) {
  if (argc != 5)
    return fprintf(stderr, "usage: run_block TOKENS.npy N M OUT.bin\n"), 2;
  int64_t n = atol(argv[2]), m = atol(argv[3]);
  if (n < 1 || m < 0 || n + m > S)
    return fprintf(stderr, "run_block: need 1 <= N and N + M <= %d\n", S), 2;
  float *tokens = read_npy(argv[1], (n + m) * D);
  if (!tokens)
    return 1;
  FILE *out = fopen(argv[4], "wb");

  int64_t cshape[2] = {S, D};
  LoomTensor *k = loom_tensor_create_zeros(cshape, 2, LOOM_F32);
  LoomTensor *v = loom_tensor_create_zeros(cshape, 2, LOOM_F32);
  double t0 = now_us();
  LoomTensorList *state = call_step("step", tokens, 0, n, k, v);
  double prefill = now_us() - t0;
  loom_tensor_destroy(k);
  loom_tensor_destroy(v);
  fwrite(loom_tensor_data(loom_tensor_list_get(state, 0)), sizeof(float), n * D, out);

  double decode = 0;
  for (int64_t i = 0; i < m; ++i) {
    t0 = now_us();
    LoomTensorList *next = call_step("step", tokens, n + i, 1,
                                     loom_tensor_list_get(state, 1),
                                     loom_tensor_list_get(state, 2));
    decode += now_us() - t0;
    loom_tensor_list_destroy(state);
    state = next;
    fwrite(loom_tensor_data(loom_tensor_list_get(state, 0)), sizeof(float), D, out);
  }
  fclose(out);
  printf("prefill: %lld tokens in %.1f us (%.0f tokens/s)\n", (long long)n,
         prefill, n / (prefill * 1e-6));
  if (m)
    printf("decode: %lld steps, %.1f us per token (%.0f tokens/s)\n",
           (long long)m, decode / m, m / (decode * 1e-6));

  /* Glue: the last decode step again, whole and as its two halves, the
   * better of 5 rounds of 20 calls each. */
  int64_t row = n + m - 1;
  LoomTensor *kc = loom_tensor_list_get(state, 1), *vc = loom_tensor_list_get(state, 2);
  double whole = 1e30, parts = 1e30;
  for (int round = 0; round < 5; ++round) {
    t0 = now_us();
    for (int r = 0; r < 20; ++r)
      loom_tensor_list_destroy(call_step("step", tokens, row, 1, kc, vc));
    double w = (now_us() - t0) / 20;
    t0 = now_us();
    for (int r = 0; r < 20; ++r) {
      LoomTensorList *a = call_step("attention_part", tokens, row, 1, kc, vc);
      LoomTensor *x1[1] = {loom_tensor_create(
          loom_tensor_data(loom_tensor_list_get(a, 0)),
          loom_tensor_shape(loom_tensor_list_get(a, 0)), 2, LOOM_F32, 0)};
      LoomTensorList *in = loom_tensor_list_create(x1, 1), *y = NULL;
      if (loom_run_ffn_part(in, &y) != LOOM_OK)
        die("ffn_part");
      loom_tensor_list_destroy(in);
      loom_tensor_list_destroy(y);
      loom_tensor_list_destroy(a);
    }
    double p = (now_us() - t0) / 20;
    whole = whole < w ? whole : w;
    parts = parts < p ? parts : p;
  }
  printf("glue: decode step %.1f us, attention + ffn called separately %.1f us, "
         "ratio %.2f\n", whole, parts, whole / parts);
  loom_tensor_list_destroy(state);
  free(tokens);
  return 0;
}
