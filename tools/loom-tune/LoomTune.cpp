//===- LoomTune.cpp - Measures, trains and evaluates the cost model -------===//
//
//   loom-tune tasks    -o tasks.json               the deterministic task list
//   loom-tune collect  --tasks T --dataset D ...   measure (resumable)
//   loom-tune refeaturize --dataset D              features of a new schema
//   loom-tune train    --dataset D --models DIR    XGBoost rank or regression
//   loom-tune evaluate --dataset D --models DIR --report DIR
//   loom-tune export   --dataset D --csv F         the dataset as CSV
//   loom-tune calibrate -o target.json              the roofline's peaks
//
// See docs/CostModel.md and costmodel.md §4.
//
//===----------------------------------------------------------------------===//

#include "Calibrate.h"
#include "Collect.h"
#include "CollectSupport.h"
#include "Export.h"
#include "Train.h"

#include "loom/CostModel/ShippedModels.h"
#include "loom/InitAllDialects.h"
#include "loom/Target/ObjectEmission.h"

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>
#include <thread>

using namespace mlir;
using namespace mlir::loom;
namespace cl = llvm::cl;

static cl::SubCommand tasksCommand("tasks", "Write the task list");
static cl::SubCommand collectCommand("collect",
                                     "Measure every candidate of every task");
static cl::SubCommand refeaturizeCommand(
    "refeaturize", "Recompute the dataset's features with the current schema");
static cl::SubCommand trainCommand("train", "Train a model on the dataset");
static cl::SubCommand
    evaluateCommand("evaluate",
                    "Score the model on the held-out tasks and write a report");

static cl::SubCommand exportCommand("export", "Write the dataset as CSV");
static cl::SubCommand
    calibrateCommand("calibrate",
                     "Measure this core's peaks for the roofline model");

static cl::opt<std::string> decision("decision", cl::desc("Decision id"),
                                     cl::init("lut.gemm"),
                                     cl::sub(cl::SubCommand::getAll()));
static cl::opt<std::string> output("o", cl::desc("Output file"),
                                   cl::sub(tasksCommand),
                                   cl::sub(calibrateCommand), cl::Required);
static cl::opt<unsigned> seed("seed", cl::desc("Seed of random choices"),
                              cl::init(0), cl::sub(tasksCommand),
                              cl::sub(collectCommand));
static cl::opt<std::string> tasksPath("tasks", cl::desc("Task list (JSON)"),
                                      cl::sub(collectCommand), cl::Required);
static cl::opt<std::string>
    dataset("dataset", cl::desc("Dataset file (JSON lines)"),
            cl::sub(collectCommand), cl::sub(refeaturizeCommand),
            cl::sub(trainCommand), cl::sub(evaluateCommand),
            cl::sub(exportCommand), cl::Required);
static cl::opt<std::string> csv("csv", cl::desc("CSV file to write"),
                                cl::sub(exportCommand), cl::Required);
static cl::opt<std::string> compiler("compiler", cl::desc("loom-compile"),
                                     cl::sub(collectCommand), cl::Required);
static cl::opt<std::string> kernelCpu(
    "cpu",
    cl::desc("Compile the kernels for this CPU (LLVM's name) instead of "
             "the host's; the host must run them, and the rows belong to "
             "its class"),
    cl::sub(collectCommand));
static cl::opt<std::string> workdir("workdir",
                                    cl::desc("Directory for task libraries"),
                                    cl::sub(collectCommand), cl::Required);
static cl::opt<int> rounds("rounds", cl::desc("Rounds per candidate (probe)"),
                           cl::init(5), cl::sub(collectCommand),
                           cl::sub(calibrateCommand));
static cl::opt<unsigned> limit("limit",
                               cl::desc("Measure at most this many tasks of "
                                        "the list (0: all)"),
                               cl::init(0), cl::sub(collectCommand));
static cl::opt<double> retest("retest",
                              cl::desc("Fraction of tasks measured twice"),
                              cl::init(0.2), cl::sub(collectCommand));
static cl::opt<std::string> models("models",
                                   cl::desc("Model directory (of one target "
                                            "class)"),
                                   cl::sub(trainCommand),
                                   cl::sub(evaluateCommand), cl::Required);
static cl::opt<double> heldOut("held-out",
                               cl::desc("Fraction of tasks held out"),
                               cl::init(0.5), cl::sub(trainCommand),
                               cl::sub(evaluateCommand));
static cl::opt<int> trees("trees", cl::desc("Boosting rounds"), cl::init(200),
                          cl::sub(trainCommand));
static cl::opt<int> depth("depth", cl::desc("Tree depth"), cl::init(6),
                          cl::sub(trainCommand));
static cl::opt<double> eta("eta", cl::desc("Learning rate"), cl::init(0.1),
                           cl::sub(trainCommand));
static cl::opt<bool>
    search("search",
           cl::desc("Choose --trees, --depth and --eta by cross-validation "
                    "on the training tasks"),
           cl::sub(trainCommand));
static cl::opt<std::string> report("report", cl::desc("Report directory"),
                                   cl::sub(evaluateCommand), cl::Required);
static cl::opt<std::string> plots("report-dir",
                                  cl::desc("Where to write roofline.svg"),
                                  cl::sub(calibrateCommand));
static cl::opt<bool> quick("quick", cl::desc("Small probes (for tests)"),
                           cl::sub(calibrateCommand));
static cl::opt<std::string> calibrationDir(
    "calibration-dir",
    cl::desc("A model directory whose <class>/target.json the features use "
             "(without one there, the built-in figures; default: the "
             "build's shipped calibration)"),
    cl::sub(collectCommand), cl::sub(refeaturizeCommand),
    cl::sub(trainCommand));

/// "<model name> x<cores>" from /proc/cpuinfo.
static std::string machineFingerprint() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown";
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + " x" + std::to_string(std::thread::hardware_concurrency());
}

/// The kernels' ISA and CPU loom-compile picks on this host, or for `cpu`.
struct HostKernels {
  std::string isa, cpu;
};
static std::optional<HostKernels> hostKernels(llvm::StringRef cpu = {}) {
  llvm::InitializeNativeTarget();
  std::string error;
  CodegenOptions codegen;
  codegen.cpu = cpu.str();
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(codegen, error);
  if (!machine) {
    llvm::errs() << "loom-tune: " << error << "\n";
    return std::nullopt;
  }
  return HostKernels{kernelIsa(*machine).str(), machine->getTargetCPU().str()};
}

/// The kernel ISA recorded in the calibration of `targetClass`:
/// --calibration-dir's where it has one, else the build's shipped one.
static FailureOr<std::string> calibratedIsa(llvm::StringRef targetClass) {
  std::optional<cost::CalibrationText> calibration =
      cost::findCalibration(targetClass, calibrationDir);
  if (!calibration) {
    llvm::errs() << "loom-tune: " << dataset << " was measured on "
                 << targetClass
                 << ", which has no calibration to name its ISA\n";
    return failure();
  }
  llvm::Expected<std::string> isa = cost::calibratedIsa(*calibration);
  if (!isa) {
    llvm::errs() << "loom-tune: " << llvm::toString(isa.takeError()) << "\n";
    return failure();
  }
  return *isa;
}

/// The target the features of --dataset were computed on: the dataset's
/// own class (its rows', which may be another CPU's than this host's) and
/// the kernels' ISA there — this host's where the class is of the host's
/// ISA, else the one the class's calibration records, so that data
/// measured on any machine retrain anywhere — with the throughputs of
/// --calibration-dir.
static FailureOr<cost::TargetInfo> datasetFeatureTarget() {
  std::optional<HostKernels> host = hostKernels();
  if (!host)
    return failure();
  llvm::Expected<std::vector<tune::Row>> rows =
      tune::readDataset(dataset, /*maxRows=*/1);
  if (!rows) {
    llvm::errs() << "loom-tune: " << llvm::toString(rows.takeError()) << "\n";
    return failure();
  }
  auto isaClassOf = [](llvm::StringRef isa) {
    return cost::TargetInfo::builtinForIsa(isa)->targetClass;
  };
  std::string isa = host->isa;
  std::string rowClass = rows->empty() ? isaClassOf(isa) : rows->front().target;
  llvm::StringRef cpu = rowClass;
  if (cpu != isaClassOf(isa) && !cpu.starts_with(isaClassOf(isa) + "-")) {
    FailureOr<std::string> calibrated = calibratedIsa(rowClass);
    if (failed(calibrated))
      return failure();
    if (!cost::TargetInfo::builtinForIsa(*calibrated)) {
      llvm::errs() << "loom-tune: unknown isa '" << *calibrated
                   << "' in the calibration of " << rowClass << "\n";
      return failure();
    }
    isa = *calibrated;
  }
  // The class is the ISA's, or a CPU's within it.
  if (cpu == isaClassOf(isa))
    cpu = "";
  else if (!cpu.consume_front(isaClassOf(isa) + "-")) {
    llvm::errs() << "loom-tune: the calibration of " << rowClass
                 << " names isa " << isa << ", of class " << isaClassOf(isa)
                 << "\n";
    return failure();
  }
  return tune::featureTarget(isa, cpu, calibrationDir);
}

static DialectRegistry dialects() {
  DialectRegistry registry;
  registerAllDialects(registry);
  return registry;
}

static int runTasks(const cost::FeatureSchema &schema) {
  llvm::json::Array list;
  for (const tune::Task &task :
       tune::generateTasks(schema.decision.str(), seed))
    list.push_back(task.toJson());
  std::error_code error;
  llvm::raw_fd_ostream os(output, error);
  if (error) {
    llvm::errs() << "loom-tune: writing " << output << ": " << error.message()
                 << "\n";
    return 1;
  }
  os << llvm::formatv("{0:1}", llvm::json::Value(std::move(list))) << "\n";
  return 0;
}

static int runCollect() {
  auto buffer = llvm::MemoryBuffer::getFile(tasksPath);
  if (!buffer) {
    llvm::errs() << "loom-tune: reading " << tasksPath << ": "
                 << buffer.getError().message() << "\n";
    return 1;
  }
  llvm::Expected<llvm::json::Value> list =
      llvm::json::parse((*buffer)->getBuffer());
  if (!list || !list->getAsArray()) {
    llvm::errs() << "loom-tune: " << tasksPath << ": "
                 << (list ? "expected a JSON array"
                          : llvm::toString(list.takeError()))
                 << "\n";
    return 1;
  }
  std::vector<tune::Task> tasks;
  for (const llvm::json::Value &value : *list->getAsArray()) {
    llvm::Expected<tune::Task> task = tune::Task::fromJson(value);
    if (!task) {
      llvm::errs() << "loom-tune: " << tasksPath << ": "
                   << llvm::toString(task.takeError()) << "\n";
      return 1;
    }
    if (task->decision == decision)
      tasks.push_back(*task);
  }
  if (limit && tasks.size() > limit)
    tasks.resize(limit);

  std::optional<HostKernels> host = hostKernels(kernelCpu);
  if (!host)
    return 1;
  tune::CollectOptions options;
  options.cpuAskedFor = !kernelCpu.empty();
  options.datasetPath = dataset;
  options.compiler = compiler;
  options.workdir = workdir;
  options.isa = host->isa;
  options.cpu = host->cpu;
  options.calibrationDir = calibrationDir;
  options.machine = machineFingerprint();
  options.protocol.rounds = rounds;
  options.retestFraction = retest;
  options.seed = seed;
  MLIRContext context(dialects());
  context.loadAllAvailableDialects();
  if (decision == "wf.latency")
    return failed(tune::collectLatency(context, tasks, options)) ? 1 : 0;
  return failed(tune::collect(context, tasks, options)) ? 1 : 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "loom-tune: measures Loom's lowering choices, "
                              "trains and evaluates the cost model\n");
  const cost::FeatureSchema *schema = cost::schemaFor(decision);
  if (!schema) {
    llvm::errs() << "loom-tune: unknown decision '" << decision << "'\n";
    return 1;
  }
  // Zero rounds would write rows of no samples as measured.
  if ((collectCommand || calibrateCommand) && rounds < 1) {
    llvm::errs() << "loom-tune: --rounds must be at least 1, got " << rounds
                 << "\n";
    return 1;
  }
  if (collectCommand && !(retest >= 0 && retest <= 1)) {
    llvm::errs() << "loom-tune: --retest is a fraction of the tasks, from 0 "
                    "to 1, got "
                 << llvm::format("%g", double(retest)) << "\n";
    return 1;
  }
  if (tasksCommand)
    return runTasks(*schema);
  if (collectCommand)
    return runCollect();
  if (refeaturizeCommand) {
    FailureOr<cost::TargetInfo> target = datasetFeatureTarget();
    if (failed(target))
      return 1;
    MLIRContext context(dialects());
    context.loadAllAvailableDialects();
    return failed(tune::refeaturize(context, dataset, *target)) ? 1 : 0;
  }
  if (calibrateCommand) {
    std::optional<HostKernels> host = hostKernels();
    if (!host)
      return 1;
    tune::CalibrateOptions options;
    options.isa = host->isa;
    options.cpu = host->cpu;
    options.machine = machineFingerprint();
    options.outputPath = output;
    options.reportDir = plots;
    options.protocol.rounds = rounds;
    options.protocol.sampleSeconds = quick ? 1e-3 : 20e-3;
    options.quick = quick;
    return failed(tune::calibrate(options)) ? 1 : 0;
  }
  if (trainCommand) {
    FailureOr<cost::TargetInfo> target = datasetFeatureTarget();
    if (failed(target))
      return 1;
    tune::TrainOptions options{dataset, models, heldOut, trees,
                               depth,   eta,    search};
    // The throughputs the dataset was featurized with (the same option).
    options.calibration = target->calibration;
    return failed(tune::train(*schema, options)) ? 1 : 0;
  }
  if (evaluateCommand) {
    tune::EvaluateOptions options{dataset, models, report, heldOut};
    return failed(tune::evaluate(*schema, options)) ? 1 : 0;
  }
  if (exportCommand)
    return failed(tune::exportCsv(*schema, dataset, csv)) ? 1 : 0;
  llvm::errs() << "loom-tune: a subcommand is required (tasks, collect, "
                  "refeaturize, train, evaluate, export, calibrate); see "
                  "--help\n";
  return 1;
}
