//===- CostModelBench.cpp - What the cost model costs ---------------------===//
//
// costmodel.md §7: µs per candidate for each shipped model, and the
// compile time of the passes that decide. Each model scores its own probe
// rows (the held-out feature vectors its metadata keeps), repeated to 4096
// candidates, next to the roofline scoring the same rows; each module given
// on the command line runs loom-cpu-pipeline with the shipped models, one
// thread, and the deciding passes' share of the pipeline's time is printed.
//
//   loom-costmodel-bench [--isa ISA] MODULE.mlir...
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/CostModel.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/ShippedModels.h"
#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/TreeEnsemble.h"
#include "loom/CostModel/TunableOpInterface.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace mlir;
using namespace mlir::loom;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The median over `rounds` rounds of `call`'s seconds.
double medianSeconds(const std::function<void()> &call, int rounds) {
  call();
  std::vector<double> times;
  for (int r = 0; r < rounds; ++r) {
    Clock::time_point start = Clock::now();
    call();
    times.push_back(secondsSince(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// The probe rows of a model's metadata, repeated to `count` rows.
std::vector<cost::FeatureVector> probeRows(llvm::StringRef meta, size_t count) {
  std::vector<cost::FeatureVector> rows;
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(meta);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return rows;
  }
  const llvm::json::Array *probes =
      parsed->getAsObject()->getArray("probe_rows");
  std::vector<cost::FeatureVector> distinct;
  for (const llvm::json::Value &probe : probes ? *probes : llvm::json::Array())
    if (const llvm::json::Array *features =
            probe.getAsObject()->getArray("features")) {
      cost::FeatureVector row;
      for (const llvm::json::Value &f : *features)
        row.push_back(f.getAsNumber() ? float(*f.getAsNumber()) : NAN);
      distinct.push_back(std::move(row));
    }
  for (size_t i = 0; !distinct.empty() && i < count; ++i)
    rows.push_back(distinct[i % distinct.size()]);
  return rows;
}

int benchModels(llvm::StringRef isa) {
  std::optional<cost::TargetInfo> target = cost::TargetInfo::forIsa(isa);
  llvm::outs() << "## evaluation cost per candidate (goal < 50 us)\n"
               << llvm::formatv("{0,-28} {1,8} {2,14} {3,14} {4,8}\n", "model",
                                "trees", "us/candidate", "roofline us", "goal");
  int failures = 0;
  for (const cost::ShippedModel &shipped : cost::shippedModels()) {
    if (shipped.targetClass != target->targetClass)
      continue;
    const cost::FeatureSchema *schema = cost::schemaFor(shipped.decision);
    // The shipped trees themselves: a stale model would make `auto` time
    // the roofline in their place.
    auto learned = cost::TreeEnsembleCostModel::parse(
        shipped.model, shipped.decision, *schema, "bench");
    std::string passedOver;
    auto roofline =
        cost::selectCostModel("roofline", *target, *schema, passedOver);
    if (!learned || !roofline) {
      llvm::errs() << "loom-costmodel-bench: "
                   << llvm::toString(learned ? roofline.takeError()
                                             : learned.takeError())
                   << "\n";
      return 1;
    }
    std::vector<cost::FeatureVector> rows = probeRows(shipped.meta, 4096);
    double perLearned =
        medianSeconds([&] { (void)(*learned)->predict(rows); }, 15) /
        rows.size() * 1e6;
    double perRoofline =
        medianSeconds([&] { (void)(*roofline)->predict(rows); }, 15) /
        rows.size() * 1e6;
    bool pass = perLearned < 50;
    failures += !pass;
    size_t treeCount = (*learned)->getNumTrees();
    llvm::outs() << llvm::formatv(
        "{0,-28} {1,8} {2,14:F2} {3,14:F4} {4,8}\n",
        (shipped.targetClass + "/" + shipped.decision).str(), treeCount,
        perLearned, perRoofline, pass ? "PASS" : "FAIL");
  }
  return failures;
}

/// Wall time per pass argument, for the passes a pipeline nests, and the
/// ops loom-decide finds to decide.
struct PassTimes : PassInstrumentation {
  llvm::StringMap<double> seconds;
  std::vector<Clock::time_point> starts;
  size_t tunable = 0;
  void runBeforePass(Pass *pass, Operation *op) override {
    if (pass->getArgument() == "loom-decide")
      op->walk([&](cost::TunableOpInterface t) { tunable += t.hasDecision(); });
    starts.push_back(Clock::now());
  }
  void runAfterPass(Pass *pass, Operation *) override { stop(pass); }
  void runAfterPassFailed(Pass *pass, Operation *) override { stop(pass); }
  void stop(Pass *pass) {
    seconds[pass->getArgument()] += secondsSince(starts.back());
    starts.pop_back();
  }
};

/// The passes that rank candidates (and do their own rewriting after).
const char *const kDecidingPasses[] = {"loom-decide", "moe-select-strategy",
                                       "loom-tile-linalg", "wf-schedule"};

int benchCompile(llvm::ArrayRef<std::string> files, llvm::StringRef isa) {
  DialectRegistry registry;
  registerAllDialects(registry);
  llvm::outs() << "\n## compile time of the deciding passes "
                  "(loom-cpu-pipeline, cost-model=auto, one thread)\n"
               << llvm::formatv("{0,-24} {1,10} {2,12} {3,12} {4,8}\n",
                                "module", "to decide", "deciding ms",
                                "pipeline ms", "share");
  for (const std::string &file : files) {
    MLIRContext context(registry);
    context.disableMultithreading();
    llvm::SourceMgr sources;
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(file, sources, &context);
    if (!module) {
      llvm::errs() << "loom-costmodel-bench: cannot parse " << file << "\n";
      return 1;
    }
    PassManager pm(&context);
    std::string pipeline =
        ("loom-cpu-pipeline{isa=" + isa + " cost-model=auto}").str();
    if (failed(parsePassPipeline(pipeline, pm))) {
      llvm::errs() << "loom-costmodel-bench: bad pipeline " << pipeline << "\n";
      return 1;
    }
    auto times = std::make_unique<PassTimes>();
    PassTimes *recorded = times.get();
    pm.addInstrumentation(std::move(times));
    Clock::time_point start = Clock::now();
    if (failed(pm.run(*module))) {
      llvm::errs() << "loom-costmodel-bench: " << file
                   << " failed to compile\n";
      return 1;
    }
    double total = secondsSince(start);
    double deciding = 0;
    for (const char *pass : kDecidingPasses)
      deciding += recorded->seconds.lookup(pass);
    llvm::outs() << llvm::formatv(
        "{0,-24} {1,10} {2,12:F1} {3,12:F1} {4,7:F1}%\n",
        (llvm::sys::path::filename(llvm::sys::path::parent_path(file)) + "/" +
         llvm::sys::path::filename(file))
            .str(),
        recorded->tunable, deciding * 1e3, total * 1e3, 100 * deciding / total);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  registerAllPasses();
  std::string isa = "avx512-vbmi";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--isa" && i + 1 < argc)
      isa = argv[++i];
    else
      files.push_back(arg.str());
  }
  if (!cost::TargetInfo::forIsa(isa)) {
    llvm::errs() << "loom-costmodel-bench: unknown isa '" << isa << "'\n";
    return 1;
  }
  int failures = benchModels(isa);
  if (benchCompile(files, isa))
    return 1;
  return failures ? 1 : 0;
}
