//===- loom-run.cpp - Run an entry point of a compiled model --------------===//
//
// loom-run libmodel.so [--entry NAME] --input a.npy ... [--output out.npy ...]
//          [--repeat N] [--signature]
// loom-run libworkflow.so [--graph NAME] [--arg KIND:VALUE]...
// (RunWorkflow.cpp)
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "RunWorkflow.h"
#include "loom/Runtime/ModelLibrary.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string library, entry;
  std::vector<std::string> inputs, outputs;
  int repeat = 1;
  bool signature = false;
};

int usage(const char *message) {
  std::fprintf(stderr,
               "loom-run: error: %s\n"
               "usage: loom-run libmodel.so [--entry NAME] [--input a.npy]... "
               "[--output out.npy]... [--repeat N] [--signature]\n",
               message);
  return 1;
}

bool parseArgs(int argc, char **argv, Options &o, std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc)
        return error = arg + " needs a value", false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--entry") {
      if (!value(o.entry))
        return false;
    } else if (arg == "--input") {
      if (!value(v))
        return false;
      o.inputs.push_back(v);
    } else if (arg == "--output") {
      if (!value(v))
        return false;
      o.outputs.push_back(v);
    } else if (arg == "--repeat") {
      if (!value(v))
        return false;
      o.repeat = std::atoi(v.c_str());
      if (o.repeat < 1)
        return error = "--repeat needs a positive count", false;
    } else if (arg == "--signature") {
      o.signature = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return error = "unknown option " + arg, false;
    } else if (o.library.empty()) {
      o.library = arg;
    } else {
      return error = "unexpected argument " + arg, false;
    }
  }
  if (o.library.empty())
    return error = "no library given", false;
  return true;
}

void printTensor(const mlir::loom::RuntimeApi &api, int index, const LoomTensor *t) {
  std::printf("output %d: %s[", index, api.dtype_name(api.tensor_dtype(t)));
  for (int64_t i = 0; i < api.tensor_rank(t); ++i)
    std::printf("%s%lld", i ? ", " : "", (long long)api.tensor_shape(t)[i]);
  std::printf("] =");
  int64_t n = api.tensor_num_elements(t), shown = std::min<int64_t>(n, 16);
  const void *data = api.tensor_data(t);
  for (int64_t i = 0; i < shown; ++i) {
    switch (api.tensor_dtype(t)) {
    case LOOM_F32: std::printf(" %g", ((const float *)data)[i]); break;
    case LOOM_F64: std::printf(" %g", ((const double *)data)[i]); break;
    case LOOM_I8: std::printf(" %d", ((const int8_t *)data)[i]); break;
    case LOOM_I16: std::printf(" %d", ((const int16_t *)data)[i]); break;
    case LOOM_I32: std::printf(" %d", ((const int32_t *)data)[i]); break;
    case LOOM_I64: std::printf(" %lld", (long long)((const int64_t *)data)[i]); break;
    case LOOM_BOOL: std::printf(" %d", ((const uint8_t *)data)[i]); break;
    default: std::printf(" ?"); break;
    }
  }
  std::printf("%s\n", n > shown ? " ..." : "");
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  std::string error;
  // A library of workflow graphs takes its own options.
  if (argc > 1 && argv[1][0] != '-') {
    auto library = mlir::loom::ModelLibrary::open(argv[1], error);
    if (!library)
      return std::fprintf(stderr, "loom-run: error: %s\n", error.c_str()), 1;
    if (library->lookup("loom_wf_program"))
      return mlir::loom::runWorkflow(*library, argc - 2, argv + 2);
  }
  if (!parseArgs(argc, argv, o, error))
    return usage(error.c_str());

  std::unique_ptr<mlir::loom::ModelLibrary> library =
      mlir::loom::ModelLibrary::open(o.library, error);
  if (!library)
    return std::fprintf(stderr, "loom-run: error: %s\n", error.c_str()), 1;
  const mlir::loom::RuntimeApi &api = library->api();
  if (o.entry.empty()) {
    const char *const *names = api.entry_points();
    if (!names[0] || names[1])
      return usage("the model has several entry points: name one with "
                   "--entry");
    o.entry = names[0];
  }
  const char *json = api.signature(o.entry.c_str());
  if (!json)
    return std::fprintf(stderr, "loom-run: error: %s\n", api.last_error()), 1;
  if (o.signature)
    return std::printf("%s\n", json), 0;

  std::vector<LoomTensor *> tensors;
  for (const std::string &path : o.inputs) {
    LoomTensor *t = mlir::loom::npy::read(api, path, error);
    if (!t) {
      for (LoomTensor *done : tensors)
        api.tensor_destroy(done);
      return std::fprintf(stderr, "loom-run: error: %s\n", error.c_str()), 1;
    }
    tensors.push_back(t);
  }
  LoomTensorList *inputs = api.tensor_list_create(
      tensors.data(), static_cast<int64_t>(tensors.size()));

  LoomTensorList *outputs = nullptr;
  std::vector<double> times;
  for (int r = 0; r < o.repeat; ++r) {
    if (outputs)
      api.tensor_list_destroy(outputs);
    auto start = std::chrono::steady_clock::now();
    LoomStatus status = api.run(o.entry.c_str(), inputs, &outputs);
    auto end = std::chrono::steady_clock::now();
    if (status != LOOM_OK) {
      std::fprintf(stderr, "loom-run: error: %s (status %d)\n",
                   api.last_error(), int(status));
      api.tensor_list_destroy(inputs);
      return 2;
    }
    times.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }

  int64_t count = api.tensor_list_size(outputs);
  int exitCode = 0;
  for (int64_t i = 0; i < count; ++i) {
    const LoomTensor *t = api.tensor_list_get(outputs, i);
    if (i < static_cast<int64_t>(o.outputs.size())) {
      if (!mlir::loom::npy::write(api, o.outputs[i], t, error)) {
        std::fprintf(stderr, "loom-run: error: %s\n", error.c_str());
        exitCode = 1;
      }
    } else {
      printTensor(api, static_cast<int>(i), t);
    }
  }
  std::sort(times.begin(), times.end());
  double sum = 0;
  for (double t : times)
    sum += t;
  std::printf("time: %d run(s), min %.1f us, median %.1f us, mean %.1f us\n",
              o.repeat, times.front(), times[times.size() / 2],
              sum / times.size());
  api.tensor_list_destroy(outputs);
  api.tensor_list_destroy(inputs);
  return exitCode;
}
