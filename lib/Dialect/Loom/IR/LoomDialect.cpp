//===- LoomDialect.cpp - Attributes shared by Loom's dialects -------------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "loom/CostModel/TunableOpInterface.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom;

#include "loom/Dialect/Loom/IR/LoomDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Loom/IR/LoomAttrs.cpp.inc"

void LoomDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loom/Dialect/Loom/IR/LoomAttrs.cpp.inc"
      >();
}

LogicalResult DecisionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   StringAttr kind, DictionaryAttr knobs,
                                   StringAttr source, StringAttr model) {
  if (!llvm::is_contained({"roofline", "learned", "user"}, source.getValue()))
    return emitError() << "decision source must be \"roofline\", \"learned\" "
                          "or \"user\", got "
                       << source;
  for (NamedAttribute knob : knobs)
    if (!isa<IntegerAttr, StringAttr>(knob.getValue()))
      return emitError() << "knob '" << knob.getName().getValue()
                         << "' must be an integer or a string";
  return success();
}

std::optional<int64_t> DecisionAttr::getIntKnob(StringRef name) const {
  if (auto value = getKnobs().getAs<IntegerAttr>(name))
    return value.getInt();
  return std::nullopt;
}

std::optional<StringRef> DecisionAttr::getStringKnob(StringRef name) const {
  if (auto value = getKnobs().getAs<StringAttr>(name))
    return value.getValue();
  return std::nullopt;
}

DecisionAttr DecisionAttr::getForCandidate(MLIRContext *context, StringRef kind,
                                           const cost::KnobSpace &space,
                                           const cost::Candidate &candidate,
                                           StringRef source, StringRef model) {
  Builder b(context);
  SmallVector<NamedAttribute> knobs;
  for (auto [knob, option] : llvm::zip_equal(space.getKnobs(), candidate)) {
    const cost::KnobValue &value = knob.options[option];
    Attribute attr;
    if (const auto *number = std::get_if<int64_t>(&value))
      attr = b.getI64IntegerAttr(*number);
    else
      attr = b.getStringAttr(std::get<std::string>(value));
    knobs.push_back(b.getNamedAttr(knob.name, attr));
  }
  return get(context, b.getStringAttr(kind), b.getDictionaryAttr(knobs),
             b.getStringAttr(source), b.getStringAttr(model));
}

/// The knob value `attr` writes down, if it writes one.
static std::optional<cost::KnobValue> knobValueOf(Attribute attr) {
  if (auto integer = dyn_cast_if_present<IntegerAttr>(attr))
    return cost::KnobValue(integer.getInt());
  if (auto string = dyn_cast_if_present<StringAttr>(attr))
    return cost::KnobValue(string.getValue().str());
  return std::nullopt;
}

LogicalResult LoomDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() == kMinRowsAttrName) {
    auto rows = dyn_cast<IntegerAttr>(attr.getValue());
    if (!rows || rows.getInt() < 1)
      return op->emitError()
             << "'" << kMinRowsAttrName << "' must be a positive integer";
    return success();
  }
  if (attr.getName() != DecisionAttr::kAttrName)
    return op->emitError() << "unknown loom attribute '"
                           << attr.getName().getValue() << "'";
  auto decision = dyn_cast<DecisionAttr>(attr.getValue());
  if (!decision)
    return op->emitError() << "'" << DecisionAttr::kAttrName
                           << "' must be a #loom.decision";
  return verifyDecision(op, decision);
}

LogicalResult mlir::loom::verifyDecision(Operation *op, DecisionAttr decision) {
  auto tunable = dyn_cast<cost::TunableOpInterface>(op);
  if (!tunable)
    return success();
  if (!tunable.hasDecision())
    return op->emitError() << "this " << op->getName()
                           << " has no decision of kind "
                           << tunable.getDecisionKind() << " to make";
  if (decision.getKind() != tunable.getDecisionKind())
    return op->emitError() << "decision of kind " << decision.getKind()
                           << " on an op that takes \""
                           << tunable.getDecisionKind() << "\" decisions";
  // Knob names and options do not depend on the target, only legality
  // does; the attribute does not name its target, so a decision must be
  // legal on the largest one (32 vector registers of 64 bytes, VBMI, f16
  // arithmetic).
  cost::TargetInfo largest = *cost::TargetInfo::forIsa("avx512-vbmi");
  largest.halfArithmetic = true;
  cost::KnobSpace space = tunable.getKnobSpace(largest);
  cost::Candidate candidate;
  for (const cost::Knob &knob : space.getKnobs()) {
    Attribute value = decision.getKnobs().get(knob.name);
    if (!value)
      return op->emitError() << "decision lacks knob '" << knob.name << "'";
    std::optional<cost::KnobValue> written = knobValueOf(value);
    std::optional<unsigned> option =
        written ? knob.indexOf(*written) : std::nullopt;
    if (!option)
      return op->emitError()
             << "knob '" << knob.name << "' = " << value
             << " is not one of its options (" << knob.describeOptions() << ")";
    candidate.push_back(*option);
  }
  for (NamedAttribute knob : decision.getKnobs())
    if (!llvm::any_of(space.getKnobs(), [&](const cost::Knob &k) {
          return k.name == knob.getName().getValue();
        }))
      return op->emitError()
             << "decision has knob '" << knob.getName().getValue()
             << "', which " << op->getName() << " does not have";
  if (!space.isLegal(candidate))
    return op->emitError() << "decision [" << space.describe(candidate)
                           << "] is not a legal candidate of this op";
  return success();
}
