// loom-compile builds a library of workflow task tables; loom-run runs a
// graph of it on the simulated service, with native code from a plugin,
// a journal it resumes from, and located errors for bad input.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/libwf.so 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s --check-prefix=HEADER < %t/wf.h
// RUN: printf 'int shout(const char *const *a, unsigned long long n, char **out) {\n  extern char *strdup(const char *); extern unsigned long strlen(const char *);\n  *out = strdup(a[0]);\n  for (char *c = *out; *c; ++c) if (*c >= 97 && *c <= 122) *c -= 32;\n  return 0;\n}\n' > %t/plugin.c
// RUN: %cc -shared -fPIC %t/plugin.c -o %t/libplugin.so
// RUN: printf 'alpha\nbeta\ngamma\n' > %t/items.txt
// RUN: loom-run %t/libwf.so --graph digest --load %t/libplugin.so --arg lines:%t/items.txt --arg text:summary --journal %t/journal --timeline %t/timeline.json > %t/first.txt 2>&1
// RUN: FileCheck %s --check-prefix=FIRST < %t/first.txt
// RUN: loom-run %t/libwf.so --graph digest --load %t/libplugin.so --arg lines:%t/items.txt --arg text:summary --journal %t/journal --resume | FileCheck %s --check-prefix=RESUME
// RUN: %python -c "import json; t = json.load(open('%t/timeline.json')); ev = [e for e in t['traceEvents'] if e['ph'] == 'X']; assert len(ev) == 4 and all(e['tid'] == 1 for e in ev), t"
// RUN: not loom-run %t/libwf.so --graph digest --load %t/libplugin.so --arg i64:3 --arg text:x 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not loom-run %t/libwf.so --graph digest --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=CODE
// RUN: not loom-run %t/libwf.so --graph digest --load %t/libplugin.so --bind m=http://localhost:1#served --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=BIND
// RUN: not loom-run %t/libwf.so --graph digest --load %t/libplugin.so --bind m=http://localhost:1#served --retry m=3:5 --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=RETRY
// RUN: not loom-run %t/libwf.so --graph digest --retry m=0 --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=RETRYBAD
// RUN: not loom-run %t/libwf.so --graph digest --retry q=2 --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=RETRYMODEL
// RUN: not loom-run %t/libwf.so --graph digest --timeout m=50 --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=TIMEOUTSIM
// RUN: not loom-run %t/libwf.so --graph digest --bind m=http://localhost:1 --timeout m=0 --arg lines:%t/items.txt --arg text:x 2>&1 | FileCheck %s --check-prefix=TIMEOUTBAD
// RUN: not loom-run %t/libwf.so --graph nope 2>&1 | FileCheck %s --check-prefix=GRAPH
// RUN: not loom-run %t/libwf.so --graph digest --load %t/libplugin.so --arg lines:%t/items.txt --arg text:x --trace - 2>&1 | FileCheck %s --check-prefix=TRACE
// RUN: not loom-run %t/libwf.so --graph digest --load %t/libplugin.so --arg lines:%t/items.txt --arg text:x --param instr=i64:1 2>&1 | FileCheck %s --check-prefix=PARAM

// REMARK: remark: makespan_est = {{.*}} ms, critical_path = {{.*}} ms, lower_bound = {{.*}} ms
// HEADER: The task tables of the workflow graphs @digest
// HEADER: const unsigned char *loom_wf_program(unsigned long long *size);
// HEADER: const char *loom_wf_trace(void);
// FIRST-DAG: note: @m runs on the simulated service (sim)
// FIRST-DAG: output 0: {{[a-z]{3} [a-z]{3} [a-z]{3} [a-z]{3} [a-z]{3} [a-z]{3} $}}
// FIRST-DAG: output 1: SUMMARY
// FIRST-DAG: makespan: {{.*}} s (virtual), 4 LLM calls, 0 tool attempts, 0 retries, 0 reused from the journal
// RESUME: makespan: {{.*}} s (virtual), 0 LLM calls, 0 tool attempts, 0 retries, 4 reused from the journal
// KIND: loom-run: error: argument 0 of @digest has the wrong kind
// CODE: loom-run: error: code function shout is not exported by this process; --load a library that defines it
// BIND: output 0: error in llm:0[0]: (TransportError) http://localhost:1/chat/completions: {{.*}}
// A refused connection is transient: each of the three calls that start
// is tried three times (two retries each) before its error is the answer.
// RETRY: output 0: error in llm:0[{{[0-2]}}]: (TransportError)
// RETRY: makespan: {{.*}} s (real), 9 LLM calls, 0 tool attempts, 6 retries
// RETRYBAD: loom-run: error: --retry m=0: expected ATTEMPTS[:BACKOFF_MS], ATTEMPTS >= 1
// RETRYMODEL: loom-run: error: --retry names @q, which is not a wf.model
// TIMEOUTSIM: loom-run: error: --timeout m: the simulated service answers in virtual time; timeouts are for http bindings
// TIMEOUTBAD: loom-run: error: --timeout m=0: expected milliseconds >= 1
// GRAPH: loom-run: error: no graph @nope in the program
// TRACE: loom-run: error: no trace for graph 'digest' (only graphs with wf.feedback have one)
// PARAM: loom-run: error: the value for parameter @instr has the wrong kind

wf.model @m {max_concurrency = 8 : i64}
wf.param @instr : !wf.text = "Describe:" {kind = #wf.param_kind<prompt>, trainable}
wf.code_def @shout : (!wf.text) -> !wf.text {external = "shout"}
wf.graph @digest(%items: !wf.list<!wf.text>, %title: !wf.text) -> (!wf.text, !wf.text) {
  %parts = wf.map %items : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%item: !wf.text):
    %d = wf.llm @m [#wf.seg<param @instr>, #wf.seg<operand 0>] (%item) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
    wf.yield %d : !wf.text
  }
  %all = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<text "Summarize: ">, #wf.seg<operand 0>] (%all) {max_tokens = 6 : i64} : (!wf.text) -> !wf.text
  %loud = wf.code @shout(%title) : (!wf.text) -> !wf.text
  wf.return %sum, %loud : !wf.text, !wf.text
}
