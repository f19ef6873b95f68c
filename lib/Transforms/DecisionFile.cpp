//===- DecisionFile.cpp - Decisions saved to and replayed from JSON -------===//

#include "DecisionFile.h"

#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

#include <map>
#include <tuple>

using namespace mlir;
using namespace mlir::loom;
namespace json = llvm::json;

namespace {

/// (function, decision kind, ordinal among that kind's ops in it).
using Key = std::tuple<std::string, std::string, unsigned>;

struct KeyedOp {
  cost::TunableOpInterface op;
  Key key;
};

/// The tunable ops of `module` in walk order, keyed.
std::vector<KeyedOp> keyedOps(ModuleOp module) {
  std::vector<KeyedOp> ops;
  std::map<std::pair<std::string, std::string>, unsigned> seen;
  module.walk([&](cost::TunableOpInterface op) {
    if (!op.hasDecision())
      return;
    auto symbol = op->getParentOfType<SymbolOpInterface>();
    std::string function = symbol ? symbol.getName().str() : "";
    std::string kind = op.getDecisionKind().str();
    ops.push_back({op, {function, kind, seen[{function, kind}]++}});
  });
  return ops;
}

/// XXH3 of the op's name, operand and result types and its attributes but
/// the decision, printed.
std::string fingerprint(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName();
  for (Type type : op->getOperandTypes())
    os << " " << type;
  os << " ->";
  for (Type type : op->getResultTypes())
    os << " " << type;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != DecisionAttr::kAttrName)
      os << " " << attr.getName().getValue() << "=" << attr.getValue();
  std::string hash;
  llvm::raw_string_ostream(hash)
      << llvm::format_hex_no_prefix(llvm::xxh3_64bits(text), 16);
  return hash;
}

} // namespace

LogicalResult mlir::loom::writeDecisionFile(ModuleOp module, StringRef path) {
  json::Array entries;
  for (const KeyedOp &keyed : keyedOps(module)) {
    auto decision =
        keyed.op->getAttrOfType<DecisionAttr>(DecisionAttr::kAttrName);
    if (!decision)
      continue;
    auto &[function, kind, ordinal] = keyed.key;
    std::string attribute;
    llvm::raw_string_ostream(attribute) << decision;
    entries.push_back(json::Object{{"function", function},
                                   {"decision", kind},
                                   {"ordinal", ordinal},
                                   {"fingerprint", fingerprint(keyed.op)},
                                   {"attribute", attribute}});
  }
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return module.emitError()
           << "loom-decide: writing " << path << ": " << error.message();
  os << llvm::formatv("{0:2}", json::Value(std::move(entries))) << "\n";
  return success();
}

LogicalResult mlir::loom::applyDecisionFile(ModuleOp module, StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return module.emitError() << "loom-decide: reading " << path << ": "
                              << buffer.getError().message();
  llvm::Expected<json::Value> value = json::parse((*buffer)->getBuffer());
  if (!value || !value->getAsArray())
    return module.emitError() << "loom-decide: " << path << ": "
                              << (value ? "expected a JSON array of decisions"
                                        : llvm::toString(value.takeError()));
  std::map<Key, const KeyedOp *> byKey;
  std::vector<KeyedOp> ops = keyedOps(module);
  for (const KeyedOp &keyed : ops)
    byKey[keyed.key] = &keyed;
  for (auto [i, entry] : llvm::enumerate(*value->getAsArray())) {
    const json::Object *object = entry.getAsObject();
    std::optional<llvm::StringRef> function =
        object ? object->getString("function") : std::nullopt;
    std::optional<llvm::StringRef> kind =
        object ? object->getString("decision") : std::nullopt;
    std::optional<int64_t> ordinal =
        object ? object->getInteger("ordinal") : std::nullopt;
    std::optional<llvm::StringRef> print =
        object ? object->getString("fingerprint") : std::nullopt;
    std::optional<llvm::StringRef> attribute =
        object ? object->getString("attribute") : std::nullopt;
    if (!function || !kind || !ordinal || *ordinal < 0 || !print || !attribute)
      return module.emitError()
             << "loom-decide: " << path << ": entry " << i
             << " needs function, decision, ordinal, fingerprint and "
                "attribute";
    auto it = byKey.find({function->str(), kind->str(), unsigned(*ordinal)});
    if (it == byKey.end())
      return module.emitError() << "loom-decide: " << path << ": no " << *kind
                                << " op #" << *ordinal << " in @" << *function;
    Operation *op = it->second->op;
    if (fingerprint(op) != *print)
      return op->emitError()
             << "loom-decide: the decision recorded in " << path
             << " for this op (" << *kind << " #" << *ordinal << " in @"
             << *function << ") is for a different op: fingerprint " << *print
             << ", this op's " << fingerprint(op);
    auto decision = dyn_cast_or_null<DecisionAttr>(
        parseAttribute(*attribute, module.getContext()));
    if (!decision)
      return op->emitError() << "loom-decide: " << path << ": entry " << i
                             << " holds no #loom.decision";
    op->setAttr(DecisionAttr::kAttrName, decision);
  }
  return success();
}
