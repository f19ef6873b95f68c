//===- LoadModel.cpp - A model file and its metadata ----------------------===//

#include "loom/CostModel/ShippedModels.h"
#include "loom/CostModel/TreeEnsemble.h"

#include "llvm/Support/JSON.h"

using namespace mlir::loom::cost;

llvm::Expected<std::unique_ptr<CostModel>>
mlir::loom::cost::loadModel(llvm::StringRef model, llvm::StringRef meta,
                            const FeatureSchema &schema, llvm::StringRef source,
                            llvm::StringRef modelId) {
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
  std::string file = (source + ".json").str();
  auto ensemble = TreeEnsembleCostModel::parse(model, file, schema, modelId);
  if (!ensemble)
    return ensemble.takeError();
  return std::unique_ptr<CostModel>(std::move(*ensemble));
}
