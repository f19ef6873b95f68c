//===- LoadModel.cpp - A model file and its metadata ----------------------===//

#include "loom/CostModel/ShippedModels.h"
#include "loom/CostModel/TreeEnsemble.h"

#include "llvm/Support/JSON.h"

using namespace mlir::loom::cost;

llvm::Expected<std::unique_ptr<CostModel>>
mlir::loom::cost::loadModel(llvm::StringRef model, llvm::StringRef meta,
                            const FeatureSchema &schema,
                            std::optional<llvm::StringRef> calibration,
                            llvm::StringRef source, llvm::StringRef modelId) {
  llvm::Expected<llvm::json::Value> metadata = llvm::json::parse(meta);
  if (!metadata)
    return llvm::createStringError(source + ".meta.json: malformed JSON: " +
                                   llvm::toString(metadata.takeError()));
  const llvm::json::Object *object = metadata->getAsObject();
  std::optional<llvm::StringRef> hash =
      object ? object->getString("schema_hash") : std::nullopt;
  if (!hash)
    return llvm::createStringError(source +
                                   ".meta.json: expected 'schema_hash'");
  if (*hash != schema.hashString())
    return llvm::createStringError(
        source + " is stale: trained on schema hash " + *hash +
        ", the "
        "compiler's " +
        schema.decision + " v" + std::to_string(schema.version) + " is " +
        schema.hashString());
  // The roofline estimate is a feature: other constants shift it.
  llvm::StringRef trainedWith =
      object->getString("calibration").value_or("built-in");
  if (calibration && trainedWith != *calibration)
    return llvm::createStringError(
        source + " is stale: its roofline features were computed with the " +
        trainedWith + " throughputs, the compiler's are " + *calibration +
        " (loom-tune refeaturize, then train)");
  std::string file = (source + ".json").str();
  auto ensemble = TreeEnsembleCostModel::parse(model, file, schema, modelId);
  if (!ensemble)
    return ensemble.takeError();
  // Optional: models trained before ranges were recorded have none.
  if (const llvm::json::Array *ranges = object->getArray("feature_ranges")) {
    std::vector<std::pair<float, float>> bounds;
    for (const llvm::json::Value &range : *ranges) {
      const llvm::json::Array *pair = range.getAsArray();
      if (!pair || pair->size() != 2 || !(*pair)[0].getAsNumber() ||
          !(*pair)[1].getAsNumber())
        return llvm::createStringError(
            source + ".meta.json: feature_ranges holds a non-[min, max]");
      bounds.push_back(
          {float(*(*pair)[0].getAsNumber()), float(*(*pair)[1].getAsNumber())});
    }
    if (bounds.size() != schema.size())
      return llvm::createStringError(source +
                                     ".meta.json: one feature range per "
                                     "feature expected");
    (*ensemble)->setTrainingRanges(std::move(bounds));
  }
  return std::unique_ptr<CostModel>(std::move(*ensemble));
}
