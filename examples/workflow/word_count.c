/* The native code node of summarize.mlir, through the C ABI of
 * loom-c/Workflow.h: text in, a malloc'ed text out, 0 on success. */
#include "loom-c/Workflow.h"

#include <stdio.h>
#include <stdlib.h>

int word_count(const char *const *args, unsigned long long count,
               char **out) {
  if (count != 1) {
    *out = NULL;
    return 1;
  }
  unsigned long long words = 0;
  int inWord = 0;
  for (const char *c = args[0]; *c; ++c) {
    int space = *c == ' ' || *c == '\n' || *c == '\t';
    words += !space && !inWord;
    inWord = !space;
  }
  *out = malloc(24);
  snprintf(*out, 24, "%llu", words);
  return 0;
}
