//===- TreeEnsemble.cpp - Evaluates shipped XGBoost models ----------------===//

#include "loom/CostModel/TreeEnsemble.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/Support/JSON.h"

#include <cmath>

using namespace mlir::loom::cost;
namespace json = llvm::json;

namespace {

/// Reads the fields of one model file. The first error is kept, naming the
/// file and the field; reads below a missing object quietly give nothing,
/// so a parse reads on and checks once.
class ModelReader {
public:
  explicit ModelReader(llvm::StringRef source) : source(source) {}

  void fail(const llvm::Twine &message) {
    if (firstError.empty())
      firstError = (source + ": " + message).str();
  }
  bool failed() const { return !firstError.empty(); }
  llvm::Error takeError() const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   firstError.c_str());
  }

  const json::Object *object(const json::Object *parent, llvm::StringRef key) {
    const json::Object *found = parent ? parent->getObject(key) : nullptr;
    if (parent && !found)
      fail("expected an object '" + key + "'");
    return found;
  }

  const json::Array *array(const json::Object *parent, llvm::StringRef key) {
    const json::Array *found = parent ? parent->getArray(key) : nullptr;
    if (parent && !found)
      fail("expected an array '" + key + "'");
    return found;
  }

  std::optional<llvm::StringRef> string(const json::Object *parent,
                                        llvm::StringRef key) {
    std::optional<llvm::StringRef> found =
        parent ? parent->getString(key) : std::nullopt;
    if (parent && !found)
      fail("expected a string '" + key + "'");
    return found;
  }

  /// XGBoost writes its parameters as strings ("5E-1", "4").
  double numberString(const json::Object *parent, llvm::StringRef key) {
    std::optional<llvm::StringRef> text = string(parent, key);
    double value = 0;
    if (text && text->getAsDouble(value))
      fail("expected a number in '" + key + "'");
    return value;
  }

  /// The `size` numbers of `key`. default_left is written as 0/1 by
  /// XGBoost 1.x and as booleans by later writers.
  std::vector<double> numbers(const json::Object *tree, llvm::StringRef key,
                              size_t size) {
    const json::Array *values = array(tree, key);
    std::vector<double> result;
    if (!values)
      return result;
    if (values->size() != size) {
      fail("'" + key + "' has " + llvm::Twine(values->size()) +
           " entries, expected " + llvm::Twine(size));
      return result;
    }
    for (const json::Value &value : *values) {
      if (std::optional<double> number = value.getAsNumber())
        result.push_back(*number);
      else if (std::optional<bool> flag = value.getAsBoolean())
        result.push_back(*flag);
      else
        fail("'" + key + "' holds a non-number");
    }
    return result;
  }

private:
  llvm::StringRef source;
  std::string firstError;
};

} // namespace

llvm::Expected<std::unique_ptr<TreeEnsembleCostModel>>
TreeEnsembleCostModel::parse(llvm::StringRef text, llvm::StringRef source,
                             const FeatureSchema &schema,
                             llvm::StringRef modelId) {
  ModelReader reader(source);
  llvm::Expected<json::Value> root = json::parse(text);
  if (!root) {
    reader.fail("malformed JSON: " + llvm::toString(root.takeError()));
    return reader.takeError();
  }
  const json::Object *top = root->getAsObject();
  if (!top) {
    reader.fail("expected a JSON object");
    return reader.takeError();
  }

  const json::Array *version = reader.array(top, "version");
  std::optional<int64_t> major = version && !version->empty()
                                     ? (*version)[0].getAsInteger()
                                     : std::nullopt;
  if (version && !major)
    reader.fail("expected the XGBoost version as 'version'");
  else if (major && *major != 1)
    reader.fail("XGBoost major version " + llvm::Twine(*major) +
                " is not supported (1.x is)");

  const json::Object *learner = reader.object(top, "learner");
  std::optional<llvm::StringRef> objective =
      reader.string(reader.object(learner, "objective"), "name");
  if (objective && *objective != "rank:pairwise" &&
      *objective != "reg:squarederror")
    reader.fail("objective '" + *objective +
                "' is not supported (rank:pairwise, reg:squarederror are)");
  else if (objective &&
           (*objective == "rank:pairwise") !=
               (schema.objective == FeatureSchema::Objective::Rank))
    reader.fail("objective '" + *objective + "' does not fit " +
                schema.decision + ", which " +
                (schema.objective == FeatureSchema::Objective::Rank
                     ? "ranks candidates"
                     : "predicts log2 seconds"));

  const json::Object *params = reader.object(learner, "learner_model_param");
  double baseScore = reader.numberString(params, "base_score");
  double numFeature = reader.numberString(params, "num_feature");
  if (params && !reader.failed() &&
      numFeature != static_cast<double>(schema.size()))
    reader.fail("the model has " + llvm::Twine(int64_t(numFeature)) +
                " features, schema " + schema.decision + " v" +
                llvm::Twine(schema.version) + " has " +
                llvm::Twine(schema.size()));
  if (params && params->getString("num_class").value_or("0") != "0")
    reader.fail("multi-class models are not supported");

  const json::Object *booster = reader.object(learner, "gradient_booster");
  if (booster &&
      booster->getString("name") != std::optional<llvm::StringRef>("gbtree"))
    reader.fail("only the gbtree booster is supported");
  const json::Array *trees =
      reader.array(reader.object(booster, "model"), "trees");
  if (reader.failed())
    return reader.takeError();

  std::unique_ptr<TreeEnsembleCostModel> ensemble(new TreeEnsembleCostModel);
  ensemble->baseScore = baseScore;
  ensemble->ranking = *objective == "rank:pairwise";
  ensemble->numFeatures = schema.size();
  ensemble->schemaVersion = schema.version;
  ensemble->modelId = modelId.str();
  for (auto [t, treeValue] : llvm::enumerate(*trees)) {
    const json::Object *tree = treeValue.getAsObject();
    if (!tree) {
      reader.fail("tree " + llvm::Twine(t) + " is not an object");
      return reader.takeError();
    }
    size_t size = static_cast<size_t>(
        reader.numberString(reader.object(tree, "tree_param"), "num_nodes"));
    if (!reader.failed() && size == 0)
      reader.fail("tree " + llvm::Twine(t) + " has no nodes");
    std::vector<double> left = reader.numbers(tree, "left_children", size),
                        right = reader.numbers(tree, "right_children", size),
                        feature = reader.numbers(tree, "split_indices", size),
                        threshold =
                            reader.numbers(tree, "split_conditions", size),
                        defaultLeft =
                            reader.numbers(tree, "default_left", size);
    if (const json::Array *types = tree->getArray("split_type"))
      for (const json::Value &type : *types)
        if (type.getAsInteger() != std::optional<int64_t>(0))
          reader.fail("tree " + llvm::Twine(t) +
                      " has a categorical split, not supported");
    if (reader.failed())
      return reader.takeError();

    uint32_t offset = ensemble->nodes.size();
    ensemble->roots.push_back(offset);
    for (size_t i = 0; i < size; ++i) {
      Node node{static_cast<int32_t>(left[i]), static_cast<int32_t>(right[i]),
                static_cast<uint32_t>(feature[i]),
                static_cast<float>(threshold[i]), defaultLeft[i] != 0};
      bool leaf = node.left == -1;
      // Children come after their parent in XGBoost's numbering; checking
      // it makes every walk end.
      if (!leaf && (node.left <= static_cast<int32_t>(i) ||
                    node.right <= static_cast<int32_t>(i) ||
                    size_t(node.left) >= size || size_t(node.right) >= size))
        reader.fail("tree " + llvm::Twine(t) + " node " + llvm::Twine(i) +
                    " has an invalid child");
      else if (!leaf && node.feature >= ensemble->numFeatures)
        reader.fail("tree " + llvm::Twine(t) + " node " + llvm::Twine(i) +
                    " splits on feature " + llvm::Twine(node.feature) +
                    ", beyond the " + llvm::Twine(ensemble->numFeatures) +
                    " features");
      if (reader.failed())
        return reader.takeError();
      if (!leaf)
        node.left += offset, node.right += offset;
      ensemble->nodes.push_back(node);
    }
  }
  return ensemble;
}

double TreeEnsembleCostModel::evaluate(llvm::ArrayRef<float> features) const {
  assert(features.size() == numFeatures && "row of another schema");
  double sum = baseScore;
  for (uint32_t root : roots) {
    const Node *node = &nodes[root];
    while (node->left != -1) {
      float x = features[node->feature];
      bool goLeft = std::isnan(x) ? node->defaultLeft : x < node->threshold;
      node = &nodes[goLeft ? node->left : node->right];
    }
    sum += node->threshold;
  }
  return sum;
}

llvm::SmallVector<double>
TreeEnsembleCostModel::predict(llvm::ArrayRef<FeatureVector> rows) const {
  // A ranking model scores higher for faster candidates; costs go the other
  // way.
  return llvm::map_to_vector(rows, [&](const FeatureVector &row) {
    double margin = evaluate(row);
    return ranking ? -margin : margin;
  });
}

llvm::SmallVector<unsigned>
TreeEnsembleCostModel::outOfRange(const FeatureVector &row) const {
  llvm::SmallVector<unsigned> outside;
  for (auto [i, range] : llvm::enumerate(trainingRanges))
    if (i < row.size() && !std::isnan(row[i]) &&
        (row[i] < range.first || row[i] > range.second))
      outside.push_back(i);
  return outside;
}

CostModelInfo TreeEnsembleCostModel::info() const {
  return {CostModelInfo::Source::Learned, modelId, schemaVersion,
          /*absolute=*/!ranking};
}
