//===- MoEDialect.cpp - moe dialect and attributes ------------------------===//

#include "loom/Dialect/MoE/IR/MoEDialect.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "loom/Dialect/MoE/IR/StrategyModel.h"
#include "loom/Support/Format.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

#include "loom/Dialect/MoE/IR/MoEDialect.cpp.inc"
#include "loom/Dialect/MoE/IR/MoEEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/MoE/IR/MoEAttrs.cpp.inc"

void MoEDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loom/Dialect/MoE/IR/MoEAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "loom/Dialect/MoE/IR/MoEOps.cpp.inc"
      >();
  registerTensorExpertWeights();
}

//===----------------------------------------------------------------------===//
// RoutingAttr
//===----------------------------------------------------------------------===//

Attribute RoutingAttr::parse(AsmParser &parser, Type) {
  int64_t k = 0, groups = 1, groupTopk = 0;
  Scoring scoring = Scoring::Softmax;
  GroupScore groupScore = GroupScore::Max;
  bool renormalize = false, prioritized = false, sawK = false;
  double scale = 1.0;
  if (parser.parseLess())
    return {};
  do {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    if (key == "renormalize") {
      renormalize = true;
      continue;
    }
    if (key == "prioritized") {
      prioritized = true;
      continue;
    }
    if (parser.parseEqual())
      return {};
    if (key == "k") {
      sawK = true;
      if (parser.parseInteger(k))
        return {};
    } else if (key == "scoring") {
      FailureOr<Scoring> parsed = FieldParser<Scoring>::parse(parser);
      if (failed(parsed))
        return {};
      scoring = *parsed;
    } else if (key == "scale") {
      if (parser.parseFloat(scale))
        return {};
    } else if (key == "groups") {
      if (parser.parseInteger(groups))
        return {};
    } else if (key == "group_topk") {
      if (parser.parseInteger(groupTopk))
        return {};
    } else if (key == "group_score") {
      FailureOr<GroupScore> parsed =
          FieldParser<GroupScore>::parse(parser);
      if (failed(parsed))
        return {};
      groupScore = *parsed;
    } else {
      parser.emitError(keyLoc) << "unknown #moe.routing parameter '" << key
                               << "'";
      return {};
    }
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  if (!sawK) {
    parser.emitError(parser.getNameLoc(), "#moe.routing needs 'k'");
    return {};
  }
  if (groupTopk == 0)
    groupTopk = groups;
  return RoutingAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), k, scoring, renormalize, APFloat(scale), groups,
      groupTopk, groupScore, prioritized);
}

void RoutingAttr::print(AsmPrinter &printer) const {
  printer << "<k = " << getK();
  if (getScoring() != Scoring::Softmax)
    printer << ", scoring = " << stringifyScoring(getScoring());
  if (getRenormalize())
    printer << ", renormalize";
  if (getScale().convertToDouble() != 1.0)
    printer << ", scale = " << getScale().convertToDouble();
  if (getGroups() != 1)
    printer << ", groups = " << getGroups() << ", group_topk = "
            << getGroupTopk() << ", group_score = "
            << stringifyGroupScore(getGroupScore());
  if (getPrioritized())
    printer << ", prioritized";
  printer << ">";
}

LogicalResult RoutingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t k, Scoring, bool, APFloat scale,
                                  int64_t groups, int64_t groupTopk,
                                  GroupScore, bool) {
  return verifyRoutingParams(emitError, k, scale.convertToDouble(), groups,
                             groupTopk);
}

LogicalResult
mlir::loom::moe::verifyRoutingParams(function_ref<InFlightDiagnostic()> emitError,
                                     int64_t k, double scale, int64_t groups,
                                     int64_t groupTopk) {
  if (k < 1)
    return emitError() << "routing needs k >= 1, got " << k;
  if (!std::isfinite(scale) || scale <= 0)
    return emitError() << "routing scale must be finite and positive, got "
                       << formatNumber(scale);
  if (groups < 1 || groupTopk < 1 || groupTopk > groups)
    return emitError() << "routing needs 1 <= group_topk <= groups, got "
                       << groupTopk << " of " << groups;
  return success();
}

//===----------------------------------------------------------------------===//
// CapacityAttr, LayoutAttr
//===----------------------------------------------------------------------===//

Attribute CapacityAttr::parse(AsmParser &parser, Type) {
  double factor = 0.0;
  int64_t align = 1;
  if (parser.parseLess() || parser.parseKeyword("factor") ||
      parser.parseEqual() || parser.parseFloat(factor))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("align") || parser.parseEqual() ||
       parser.parseInteger(align)))
    return {};
  if (parser.parseGreater())
    return {};
  return CapacityAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), APFloat(factor), align);
}

void CapacityAttr::print(AsmPrinter &printer) const {
  printer << "<factor = " << getFactor().convertToDouble();
  if (getAlign() != 1)
    printer << ", align = " << getAlign();
  printer << ">";
}

LogicalResult
CapacityAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     APFloat factorValue, int64_t align) {
  double factor = factorValue.convertToDouble();
  if (!std::isfinite(factor))
    return emitError() << "capacity factor must be finite";
  if (align < 1)
    return emitError() << "capacity align must be >= 1, got " << align;
  return success();
}

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 LayoutKind kind, int64_t rowAlign) {
  if (rowAlign < 1)
    return emitError() << "row_align must be >= 1, got " << rowAlign;
  if (kind == LayoutKind::Padded && rowAlign != 1)
    return emitError() << "the padded layout takes no row_align";
  return success();
}

//===----------------------------------------------------------------------===//
// TileAttr
//===----------------------------------------------------------------------===//

LogicalResult TileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t rows, int64_t weightRows) {
  if (rows < 1 || weightRows < 2 || weightRows % 2)
    return emitError() << "a tile needs rows >= 1 and an even weight_rows >= "
                          "2, got "
                       << rows << " and " << weightRows;
  // The kernel unrolls over the tile: a tile past the registers only
  // spills, and its code grows as rows * weight_rows.
  if (!tileFitsRegisters(rows, weightRows))
    return emitError() << "a tile of " << rows << " x " << weightRows
                       << " keeps " << rows * weightRows
                       << " accumulators, its row vectors and a weight vector: "
                          "more than the 32 vector registers";
  return success();
}

//===----------------------------------------------------------------------===//
// FfnAttr
//===----------------------------------------------------------------------===//

Attribute FfnAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  SMLoc loc = parser.getCurrentLocation();
  FailureOr<Activation> activation =
      FieldParser<Activation>::parse(parser);
  if (failed(activation))
    return {};
  if (*activation == Activation::None) {
    parser.emitError(loc, "an expert FFN needs an activation");
    return {};
  }
  bool biasIn = false, biasOut = false;
  while (succeeded(parser.parseOptionalComma())) {
    if (succeeded(parser.parseOptionalKeyword("bias_in")))
      biasIn = true;
    else if (succeeded(parser.parseOptionalKeyword("bias_out")))
      biasOut = true;
    else
      return (parser.emitError(parser.getCurrentLocation(),
                               "expected 'bias_in' or 'bias_out'"),
              Attribute());
  }
  if (parser.parseGreater())
    return {};
  return FfnAttr::get(parser.getContext(), *activation, biasIn, biasOut);
}

void FfnAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyActivation(getActivation());
  if (getBiasIn())
    printer << ", bias_in";
  if (getBiasOut())
    printer << ", bias_out";
  printer << ">";
}
