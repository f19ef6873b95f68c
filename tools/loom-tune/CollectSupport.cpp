//===- CollectSupport.cpp - What loom-tune's collections share ------------===//

#include "CollectSupport.h"

#include "loom/CostModel/SelectModel.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <thread>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

/// Writes `source` next to `library` and compiles it with
/// `options.compiler` (the reference pipeline if `reference`); the error
/// text on failure.
static std::optional<std::string> compile(const CollectOptions &options,
                                          const std::string &source,
                                          const std::string &library,
                                          bool reference) {
  std::string mlirPath = library + ".mlir", logPath = library + ".log";
  std::ofstream(mlirPath) << source;
  std::string command = options.compiler + " " + mlirPath + " -o " + library +
                        (reference ? " --pipeline=reference" : "") +
                        (options.cpuAskedFor ? " --mcpu=" + options.cpu : "") +
                        " > " + logPath + " 2>&1";
  int status = std::system(command.c_str());
  std::remove(mlirPath.c_str());
  if (status == 0) {
    std::remove(logPath.c_str());
    return std::nullopt;
  }
  return "failed: " + command + " (see " + logPath + ")";
}

std::optional<std::string> tune::compileAll(const CollectOptions &options,
                                            llvm::ArrayRef<std::string> sources,
                                            llvm::ArrayRef<std::string> paths,
                                            std::optional<size_t> reference) {
  std::vector<std::optional<std::string>> errors(sources.size());
  std::vector<std::thread> compiles;
  for (size_t i = 0; i < sources.size(); ++i)
    compiles.emplace_back([&, i] {
      errors[i] = compile(options, sources[i], paths[i], reference == i);
    });
  for (std::thread &compile : compiles)
    compile.join();
  for (std::optional<std::string> &error : errors)
    if (error)
      return error;
  return std::nullopt;
}

/// APFloat's semantics of a 16-bit element type of the C API.
static const llvm::fltSemantics &halfSemantics(LoomDType dtype) {
  return dtype == LOOM_BF16 ? llvm::APFloat::BFloat()
                            : llvm::APFloat::IEEEhalf();
}

tune::EntryCaller::EntryCaller(const ModelLibrary &library,
                               const std::vector<TaskInput> &shapes,
                               std::vector<std::vector<float>> &data)
    : api(library.api()), shapes(shapes) {
  for (auto [input, values] : llvm::zip_equal(this->shapes, data)) {
    if (input.element == "f32") {
      tensors.push_back(api.tensor_create(values.data(), input.shape.data(),
                                          input.shape.size(), LOOM_F32, 0));
      continue;
    }
    LoomDType dtype = input.element == "bf16" ? LOOM_BF16 : LOOM_F16;
    std::vector<uint16_t> &bits = narrowed.emplace_back();
    for (float v : values) {
      llvm::APFloat value(v);
      bool lost;
      value.convert(halfSemantics(dtype), llvm::APFloat::rmNearestTiesToEven,
                    &lost);
      bits.push_back(value.bitcastToAPInt().getZExtValue());
    }
    tensors.push_back(api.tensor_create(bits.data(), input.shape.data(),
                                        input.shape.size(), dtype, 0));
  }
  inputs = api.tensor_list_create(tensors.data(), tensors.size());
}

bool tune::EntryCaller::run(const char *entry, std::vector<float> *y) const {
  LoomTensorList *outputs = nullptr;
  if (api.run(entry, inputs, &outputs) != LOOM_OK)
    return false;
  if (y) {
    const LoomTensor *out = api.tensor_list_get(outputs, 0);
    int64_t size = api.tensor_num_elements(out);
    LoomDType dtype = api.tensor_dtype(out);
    if (dtype == LOOM_F32) {
      const float *data = static_cast<const float *>(api.tensor_data(out));
      y->assign(data, data + size);
    } else {
      const llvm::fltSemantics &semantics = halfSemantics(dtype);
      const uint16_t *bits =
          static_cast<const uint16_t *>(api.tensor_data(out));
      y->clear();
      for (int64_t i = 0; i < size; ++i)
        y->push_back(llvm::APFloat(semantics, llvm::APInt(16, bits[i]))
                         .convertToFloat());
    }
  }
  api.tensor_list_destroy(outputs);
  return true;
}

std::vector<std::vector<float>>
tune::randomInputs(const std::vector<TaskInput> &inputs, std::mt19937 &rng) {
  std::vector<std::vector<float>> data;
  for (const TaskInput &input : inputs) {
    std::uniform_real_distribution<float> value(-input.scale, input.scale);
    data.emplace_back(std::accumulate(input.shape.begin(), input.shape.end(),
                                      int64_t(1), std::multiplies<>()));
    for (float &v : data.back())
      v = value(rng);
  }
  return data;
}

FailureOr<cost::TargetInfo>
tune::featureTarget(llvm::StringRef isa, llvm::StringRef cpu,
                    llvm::StringRef calibrationDir) {
  std::optional<cost::TargetInfo> target = cost::TargetInfo::forIsa(isa, cpu);
  if (!target) {
    llvm::errs() << "loom-tune: unknown isa '" << isa << "'\n";
    return failure();
  }
  if (calibrationDir.empty())
    return *target;
  if (!llvm::sys::fs::is_directory(calibrationDir)) {
    llvm::errs() << "loom-tune: --calibration-dir " << calibrationDir
                 << " is not a directory\n";
    return failure();
  }
  if (llvm::Error error = cost::useCalibrationOf(calibrationDir, *target)) {
    llvm::errs() << "loom-tune: " << llvm::toString(std::move(error)) << "\n";
    return failure();
  }
  return *target;
}

FailureOr<CollectionStart>
tune::startCollection(const CollectOptions &options) {
  FailureOr<cost::TargetInfo> target =
      featureTarget(options.isa, options.cpu, options.calibrationDir);
  if (failed(target))
    return failure();
  if (llvm::Error error = dropTruncatedLine(options.datasetPath)) {
    llvm::errs() << "loom-tune: " << llvm::toString(std::move(error)) << "\n";
    return failure();
  }
  llvm::Expected<std::vector<Row>> existing = readDataset(options.datasetPath);
  if (!existing) {
    llvm::errs() << "loom-tune: " << llvm::toString(existing.takeError())
                 << "\n";
    return failure();
  }
  CollectionStart start{*target, {}};
  for (const Row &row : *existing)
    ++start.have[{row.task.id(), row.pass}];
  llvm::sys::fs::create_directories(options.workdir);
  return start;
}

void Progress::show(size_t index, size_t measured, const std::string &what,
                    const std::string &phase, int done, int total) {
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  double eta = measured ? elapsed / measured * (tasks - index) : 0;
  status.show(llvm::formatv("task {0}/{1} {2}: {3} {4}/{5}  ETA {6:F0} s",
                            index + 1, tasks, what, phase, done, total, eta)
                  .str());
}

Row tune::measuredRow(const cost::FeatureSchema &schema,
                      const CollectionStart &start,
                      const CollectOptions &options, const Task &task,
                      unsigned candidate, const std::string &pass,
                      const Measurement *m) {
  Row row;
  row.schema = schema.decision.str();
  row.version = schema.version;
  row.schemaHash = schema.hashString();
  row.target = start.target.targetClass;
  row.machine = options.machine;
  row.task = task;
  row.candidate = candidate;
  row.pass = pass;
  if (!m) {
    row.status = "invalid";
    return row;
  }
  row.medianUs = m->medianUs;
  row.madUs = m->madUs;
  row.samples = m->samples;
  row.cpuShare = m->cpuShare;
  row.status = m->contended ? "contended" : "ok";
  return row;
}
