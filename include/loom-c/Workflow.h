/*===- loom-c/Workflow.h - Native tools and code for workflow graphs -----===*
 *
 * A wf.tool_def or wf.code_def whose `external` (code) or name (tool) is
 * SYM is bound to a C function of this type that the process exports, for
 * example from a library given to `loom-run --load`. Text in, text out:
 * arguments are rendered as text (lists as "[a, b]"); the result is a
 * malloc'ed string the runtime frees. A nonzero return is a failure: *out
 * then holds the message (or NULL), and the runtime retries a tool as its
 * def's retry policy says.
 *
 *===---------------------------------------------------------------------===*/
#ifndef LOOM_C_WORKFLOW_H
#define LOOM_C_WORKFLOW_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*LoomWfNativeFn)(const char *const *args, unsigned long long count,
                              char **out);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_C_WORKFLOW_H */
