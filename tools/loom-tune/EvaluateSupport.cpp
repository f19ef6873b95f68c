//===- EvaluateSupport.cpp - What loom-tune's evaluations share -----------===//

#include "EvaluateSupport.h"

#include "loom/CostModel/ShippedModels.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

double tune::mean(const std::vector<double> &values) {
  return values.empty() ? 0
                        : std::accumulate(values.begin(), values.end(), 0.0) /
                              values.size();
}

double tune::quantile(std::vector<double> values, double q) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, size_t(q * values.size()))];
}

double tune::kendallTauB(const std::vector<double> &a,
                         const std::vector<double> &b) {
  double concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = i + 1; j < a.size(); ++j) {
      double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0)
        continue;
      if (da == 0)
        ++tiesA;
      else if (db == 0)
        ++tiesB;
      else if ((da > 0) == (db > 0))
        ++concordant;
      else
        ++discordant;
    }
  double denominator = std::sqrt((concordant + discordant + tiesA) *
                                 (concordant + discordant + tiesB));
  return denominator > 0 ? (concordant - discordant) / denominator : 0;
}

FailureOr<EvaluatedModel>
tune::loadEvaluatedModel(const cost::FeatureSchema &schema,
                         const std::string &modelDir) {
  EvaluatedModel evaluated;
  llvm::SmallString<128> base(modelDir);
  llvm::sys::path::append(base, schema.decision);
  evaluated.base = base.str().str();
  auto json = llvm::MemoryBuffer::getFile(base + ".json");
  auto meta = llvm::MemoryBuffer::getFile(base + ".meta.json");
  if (!json || !meta) {
    llvm::errs() << "loom-tune: reading " << base << ".json and .meta.json: "
                 << (json ? meta.getError() : json.getError()).message()
                 << "\n";
    return failure();
  }
  // Scored on the dataset's own features, whatever throughputs they were
  // computed with.
  auto model =
      cost::loadModel((*json)->getBuffer(), (*meta)->getBuffer(), schema,
                      /*calibration=*/std::nullopt, base, "evaluated");
  if (!model) {
    llvm::errs() << "loom-tune: " << llvm::toString(model.takeError()) << "\n";
    return failure();
  }
  evaluated.model = std::move(*model);
  evaluated.json = std::move(*json);
  evaluated.meta = std::move(*meta);
  return evaluated;
}

std::vector<Goal> tune::budgetGoals(double usPerEvaluation, const char *unit,
                                    uint64_t modelBytes) {
  return {{llvm::formatv("< 50 us per {0}", unit).str(), usPerEvaluation < 50,
           llvm::formatv("{0:F2} us", usPerEvaluation)},
          {"model file < 2 MB", modelBytes < 2'000'000,
           llvm::formatv("{0} bytes", modelBytes)}};
}

void tune::writeGoals(llvm::raw_ostream &os, llvm::ArrayRef<Goal> goals) {
  os << "\n| goal | | measured |\n|---|---|---|\n";
  for (const Goal &g : goals)
    os << "| " << g.what << " | " << (g.pass ? "PASS" : "FAIL") << " | "
       << g.figure << " |\n";
}

void tune::recordMetrics(const EvaluatedModel &evaluated,
                         llvm::json::Value metrics) {
  llvm::Expected<llvm::json::Value> meta =
      llvm::json::parse(evaluated.meta->getBuffer());
  if (!meta) {
    llvm::consumeError(meta.takeError());
    return;
  }
  if (llvm::json::Object *object = meta->getAsObject()) {
    (*object)["metrics"] = std::move(metrics);
    std::error_code error;
    llvm::raw_fd_ostream file(evaluated.base + ".meta.json", error);
    file << llvm::formatv("{0:2}", *meta) << "\n";
  }
}

void tune::convertPlots(const std::string &reportDir,
                        llvm::ArrayRef<const char *> plots) {
  // PNG copies where rsvg-convert (librsvg2-bin) is installed.
  llvm::ErrorOr<std::string> converter =
      llvm::sys::findProgramByName("rsvg-convert");
  if (!converter)
    return;
  for (const char *plot : plots) {
    std::string svg = reportDir + "/" + plot + ".svg",
                png = reportDir + "/" + plot + ".png";
    llvm::StringRef args[] = {*converter, "-o", png, svg};
    llvm::sys::ExecuteAndWait(*converter, args);
  }
}
