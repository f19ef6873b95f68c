//===- DecisionFile.cpp - Decisions saved to and replayed from JSON -------===//

#include "loom/Dialect/Loom/Utils/DecisionFile.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

#include <map>
#include <tuple>

using namespace mlir;
using namespace mlir::loom;
namespace json = llvm::json;

namespace {

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

/// The decision file at `path`, parsed; an error names the file.
llvm::Expected<json::Object> readFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("reading " + path + ": " +
                                   buffer.getError().message());
  llvm::Expected<json::Value> value = json::parse((*buffer)->getBuffer());
  if (!value)
    return llvm::createStringError(path + ": " +
                                   llvm::toString(value.takeError()));
  if (json::Object *object = value->getAsObject())
    return std::move(*object);
  return llvm::createStringError(
      path + ": expected a JSON object of sections, one per deciding pass");
}

} // namespace

SmallVector<DecisionEntry>
mlir::loom::keyDecisionEntries(ArrayRef<cost::TunableOpInterface> ops) {
  SmallVector<DecisionEntry> entries;
  std::map<std::pair<std::string, std::string>, unsigned> seen;
  for (cost::TunableOpInterface op : ops) {
    auto symbol = op->getParentOfType<SymbolOpInterface>();
    std::string function = symbol ? symbol.getName().str() : "";
    std::string kind = op.getDecisionKind().str();
    unsigned ordinal = seen[{function, kind}]++;
    entries.push_back({op, function, kind, ordinal, fingerprint(op), {}});
  }
  return entries;
}

LogicalResult mlir::loom::loadDecisions(
    Operation *anchor, StringRef path, StringRef section,
    MutableArrayRef<DecisionEntry> entries,
    function_ref<LogicalResult(Operation *, Attribute)> check) {
  llvm::Expected<json::Object> file = readFile(path);
  if (!file)
    return emitError(anchor->getLoc())
           << section << ": " << llvm::toString(file.takeError());
  const json::Value *recorded = file->get(section);
  if (!recorded)
    return success();
  if (!recorded->getAsArray())
    return emitError(anchor->getLoc())
           << section << ": " << path << ": section " << section
           << " must be an array of entries";
  std::map<std::tuple<std::string, std::string, unsigned>, DecisionEntry *>
      byKey;
  for (DecisionEntry &entry : entries)
    byKey[{entry.function, entry.kind, entry.ordinal}] = &entry;
  for (auto [i, item] : llvm::enumerate(*recorded->getAsArray())) {
    const json::Object *object = item.getAsObject();
    std::optional<StringRef> function =
        object ? object->getString("function") : std::nullopt;
    std::optional<StringRef> kind =
        object ? object->getString("decision") : std::nullopt;
    std::optional<int64_t> ordinal =
        object ? object->getInteger("ordinal") : std::nullopt;
    std::optional<StringRef> print =
        object ? object->getString("fingerprint") : std::nullopt;
    std::optional<StringRef> attribute =
        object ? object->getString("attribute") : std::nullopt;
    if (!function || !kind || !ordinal || *ordinal < 0 || !print || !attribute)
      return emitError(anchor->getLoc())
             << section << ": " << path << ": entry " << i
             << " needs function, decision, ordinal, fingerprint and "
                "attribute";
    auto it = byKey.find({function->str(), kind->str(), unsigned(*ordinal)});
    if (it == byKey.end())
      return emitError(anchor->getLoc())
             << section << ": " << path << ": no " << *kind << " op #"
             << *ordinal << " in @" << *function;
    DecisionEntry &entry = *it->second;
    if (entry.fingerprint != *print)
      return entry.op->emitError()
             << section << ": the decision recorded in " << path
             << " for this op (" << *kind << " #" << *ordinal << " in @"
             << *function << ") is for a different op: fingerprint " << *print
             << ", this op's " << entry.fingerprint;
    Attribute decision = parseAttribute(*attribute, anchor->getContext());
    if (!decision)
      return entry.op->emitError() << section << ": " << path << ": entry " << i
                                   << " holds no attribute";
    if (failed(check(entry.op, decision)))
      return failure();
    entry.decision = decision;
  }
  return success();
}

LogicalResult
mlir::loom::pinLoomDecisions(Operation *anchor, StringRef path,
                             StringRef section,
                             MutableArrayRef<DecisionEntry> entries) {
  auto check = [](Operation *op, Attribute decision) -> LogicalResult {
    auto loom = dyn_cast<DecisionAttr>(decision);
    if (!loom)
      return op->emitError() << "expected a #loom.decision, got " << decision;
    return verifyDecision(op, loom);
  };
  if (failed(loadDecisions(anchor, path, section, entries, check)))
    return failure();
  for (const DecisionEntry &entry : entries)
    if (entry.decision)
      entry.op->setAttr(DecisionAttr::kAttrName, entry.decision);
  return success();
}

LogicalResult mlir::loom::saveDecisions(Operation *anchor, StringRef path,
                                        StringRef section,
                                        ArrayRef<DecisionEntry> entries) {
  json::Object file;
  if (llvm::sys::fs::exists(path)) {
    llvm::Expected<json::Object> existing = readFile(path);
    if (existing)
      file = std::move(*existing);
    else
      llvm::consumeError(existing.takeError());
  }
  json::Array recorded;
  for (const DecisionEntry &entry : entries) {
    if (!entry.decision)
      continue;
    std::string attribute;
    llvm::raw_string_ostream(attribute) << entry.decision;
    recorded.push_back(json::Object{{"function", entry.function},
                                    {"decision", entry.kind},
                                    {"ordinal", entry.ordinal},
                                    {"fingerprint", entry.fingerprint},
                                    {"attribute", attribute}});
  }
  file[section] = std::move(recorded);
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return emitError(anchor->getLoc())
           << section << ": writing " << path << ": " << error.message();
  os << llvm::formatv("{0:2}", json::Value(std::move(file))) << "\n";
  return success();
}
