//===- SelectModel.cpp - The model a decision is made with ----------------===//

#include "loom/CostModel/SelectModel.h"

#include "loom/CostModel/ShippedModels.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace mlir::loom::cost;

bool mlir::loom::cost::isCostModelOption(llvm::StringRef option) {
  return option == "auto" || option == "roofline" ||
         llvm::sys::fs::is_directory(option);
}

/// "<target class>/<decision>@<hash of the model bytes>": what decisions
/// record as their model.
static std::string modelId(const TargetInfo &target, llvm::StringRef kind,
                           llvm::StringRef bytes) {
  std::string id;
  llvm::raw_string_ostream(id)
      << target.targetClass << "/" << kind << "@"
      << llvm::format_hex_no_prefix(llvm::xxh3_64bits(bytes) >> 32, 8);
  return id;
}

llvm::Error mlir::loom::cost::useCalibrationOf(llvm::StringRef option,
                                               TargetInfo &target) {
  if (option == "auto" || option == "roofline")
    return llvm::Error::success();
  std::optional<TargetInfo> builtin = TargetInfo::builtinForIsa(target.isa);
  target.throughput = builtin->throughput;
  target.calibration = builtin->calibration;
  std::string ownClass = cpuClass(builtin->targetClass, target.cpu);
  llvm::SmallString<128> ownDir(option);
  llvm::sys::path::append(ownDir, ownClass);
  target.targetClass =
      llvm::sys::fs::is_directory(ownDir) ? ownClass : builtin->targetClass;
  std::optional<CalibrationText> calibration =
      directoryCalibration(option, target.targetClass);
  if (!calibration)
    return llvm::Error::success();
  return applyCalibration(target, calibration->json, calibration->source);
}

/// Whether `option` (auto or a directory) has a model of `decision` for
/// `targetClass`.
static bool hasModel(llvm::StringRef option, llvm::StringRef targetClass,
                     llvm::StringRef decision) {
  if (option == "auto")
    return llvm::any_of(shippedModels(), [&](const ShippedModel &shipped) {
      return shipped.targetClass == targetClass && shipped.decision == decision;
    });
  llvm::SmallString<128> path(option);
  llvm::sys::path::append(path, targetClass, decision + ".json");
  return llvm::sys::fs::exists(path);
}

/// `isa` on `cpu` in the class `costModel` gives it (decisionTarget
/// without the per-decision fallback).
static llvm::Expected<TargetInfo> classTarget(llvm::StringRef isa,
                                              llvm::StringRef cpu,
                                              llvm::StringRef costModel) {
  std::optional<TargetInfo> target = TargetInfo::forIsa(isa, cpu);
  if (!target)
    return llvm::createStringError(
        "unknown isa '%s' (have avx512-vbmi, avx512-vnni, avx512, avx2, "
        "generic)",
        isa.str().c_str());
  if (!isCostModelOption(costModel))
    return llvm::createStringError("cost-model must be auto, roofline or a "
                                   "directory of models, got '%s'",
                                   costModel.str().c_str());
  if (llvm::Error error = useCalibrationOf(costModel, *target))
    return std::move(error);
  return *target;
}

llvm::Expected<TargetInfo>
mlir::loom::cost::decisionTarget(llvm::StringRef isa, llvm::StringRef cpu,
                                 llvm::StringRef costModel,
                                 llvm::StringRef decision) {
  llvm::Expected<TargetInfo> target = classTarget(isa, cpu, costModel);
  if (!target || cpu.empty() || costModel == "roofline" ||
      hasModel(costModel, target->targetClass, decision))
    return target;
  llvm::Expected<TargetInfo> isaWide = classTarget(isa, "", costModel);
  if (isaWide && hasModel(costModel, isaWide->targetClass, decision))
    return isaWide;
  llvm::consumeError(isaWide.takeError());
  return target;
}

llvm::Expected<std::unique_ptr<CostModel>> mlir::loom::cost::selectCostModel(
    llvm::StringRef option, const TargetInfo &target,
    const FeatureSchema &schema, std::string &passedOver) {
  llvm::StringRef kind = schema.decision;
  if (option == "auto") {
    for (const ShippedModel &shipped : shippedModels()) {
      if (shipped.targetClass != target.targetClass || shipped.decision != kind)
        continue;
      std::string source = "models/" + target.targetClass + "/" + kind.str();
      auto model =
          loadModel(shipped.model, shipped.meta, schema, target.calibration,
                    source, modelId(target, kind, shipped.model));
      if (model)
        return model;
      passedOver = llvm::toString(model.takeError());
    }
  } else if (option != "roofline") {
    llvm::SmallString<128> path(option);
    llvm::sys::path::append(path, target.targetClass, kind);
    auto buffer = llvm::MemoryBuffer::getFile(path + ".json");
    auto meta = llvm::MemoryBuffer::getFile(path + ".meta.json");
    if (buffer && meta)
      return loadModel((*buffer)->getBuffer(), (*meta)->getBuffer(), schema,
                       target.calibration, path,
                       modelId(target, kind, (*buffer)->getBuffer()));
    passedOver = buffer ? ("no " + path + ".meta.json beside its model").str()
                        : ("no model " + path + ".json").str();
  }
  std::optional<unsigned> roofline = schema.indexOf("roofline_log2_s");
  if (!roofline)
    return llvm::createStringError("decision " + kind.str() +
                                   " has no roofline_log2_s feature to fall "
                                   "back on");
  return std::make_unique<RooflineCostModel>(schema, *roofline);
}
