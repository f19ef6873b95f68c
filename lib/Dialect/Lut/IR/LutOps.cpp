//===- LutOps.cpp - lut dialect operations --------------------------------===//

#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Support/Verification.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

#define GET_OP_CLASSES
#include "loom/Dialect/Lut/IR/LutOps.cpp.inc"

//===----------------------------------------------------------------------===//
// PackOp
//===----------------------------------------------------------------------===//

LogicalResult PackOp::verify() {
  PackedType packed = getResult().getType();
  SmallVector<Type> expected = packed.getLogicalTypes();
  SmallVector<Type> actual = {getCodes().getType(), getScales().getType()};
  if (getOffsets())
    actual.push_back(getOffsets().getType());
  static constexpr StringLiteral names[] = {"codes", "scales", "offsets"};
  if (actual.size() != expected.size())
    return emitOpError() << "the quant " << packed.getQuant()
                         << (expected.size() == 3 ? " needs" : " takes no")
                         << " offsets operand";
  for (auto [index, pair] : llvm::enumerate(llvm::zip(actual, expected))) {
    auto [got, want] = pair;
    if (got != want)
      return emitOpError() << names[index] << " must be " << want << ", got "
                           << got;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// StackOp, ExpertOp, GatherRowsOp
//===----------------------------------------------------------------------===//

ParseResult StackOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> weights;
  StackedType type;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(weights) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(type) ||
      parser.resolveOperands(weights, type.getElement(), loc, result.operands))
    return failure();
  result.addTypes(type);
  return success();
}

void StackOp::print(OpAsmPrinter &printer) {
  printer << ' ' << getWeights();
  printer.printOptionalAttrDict((*this)->getAttrs());
  printer << " : " << getResult().getType();
}

LogicalResult StackOp::verify() {
  StackedType stacked = getResult().getType();
  if (int64_t(getWeights().size()) != stacked.getCount())
    return emitOpError() << "stacks " << getWeights().size()
                         << " weights into a stacked type of "
                         << stacked.getCount();
  for (auto [index, weight] : llvm::enumerate(getWeights()))
    if (weight.getType() != stacked.getElement())
      return emitOpError() << "weight " << index << " has type "
                           << weight.getType() << ", not the element type "
                           << stacked.getElement();
  return success();
}

LogicalResult ExpertOp::verify() {
  int64_t count = getStacked().getType().getCount();
  int64_t index = getIndexAttr().getInt();
  if (index < 0 || index >= count)
    return emitOpError() << "index " << index << " is outside [0, " << count
                         << ")";
  return success();
}

OpFoldResult ExpertOp::fold(FoldAdaptor) {
  if (auto stack = getStacked().getDefiningOp<StackOp>())
    return stack.getWeights()[getIndex()];
  return {};
}

LogicalResult GatherRowsOp::verify() {
  auto source = cast<RankedTensorType>(getSource().getType());
  auto rows = cast<RankedTensorType>(getRows().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  if (source.getRank() < 1 || rows.getRank() != 1)
    return emitOpError() << "needs a source of rank >= 1 and a 1-D row list";
  SmallVector<int64_t> expected(source.getShape());
  expected[0] = rows.getDimSize(0);
  if (result.getElementType() != source.getElementType() ||
      failed(verifyCompatibleShape(result.getShape(), expected)))
    return emitOpError()
           << "result must be " << source.getElementType()
           << " rows shaped like the source's, one per index, got " << result;
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  PackedType packed = getWeight().getType();
  auto result = cast<RankedTensorType>(getResult().getType());
  if (result.getShape() != packed.getShape())
    return emitOpError() << "result shape must be " << packed.getM() << "x"
                         << packed.getK() << " like the weight";
  return success();
}

//===----------------------------------------------------------------------===//
// MpGemmOp
//===----------------------------------------------------------------------===//

Accuracy MpGemmOp::getEffectiveAccuracy() {
  if (std::optional<Accuracy> accuracy = getAccuracy())
    return *accuracy;
  bool i8 = getElementTypeOrSelf(getX().getType()).isInteger(8);
  return i8 || getActQuant() ? Accuracy::Exact : Accuracy::TableI8;
}

bool MpGemmOp::hasIntActivations() {
  return getActQuant() || getElementTypeOrSelf(getX().getType()).isInteger(8);
}

int64_t MpGemmOp::getDotPathIndexBits() {
  auto pack = getWeight().getDefiningOp<PackOp>();
  std::optional<int64_t> segment = getLookupSegment();
  PackedType packed = getWeight().getType();
  LayoutKind layout = packed.getLayout().getKind();
  if (!hasIntActivations() || !pack ||
      !matchPattern(pack.getCodes(), m_Constant()) || !segment ||
      (layout != LayoutKind::Bitplane && layout != LayoutKind::Trit3))
    return 0;
  return packed.getDotIndexBits(*segment);
}

/// K elements per table scale of quantized tables (lut.md §2.4's default).
static constexpr int64_t kTableScaleGroup = 64;

std::optional<int64_t> MpGemmOp::getLookupSegment() {
  PackedType packed = getWeight().getType();
  int64_t k = packed.getK(), g = packed.getLayout().getLookupGroup();
  int64_t group = packed.getQuant().getGroupSizeFor(k);
  // table_i8 tables get one scale per kTableScaleGroup K elements at most,
  // so that a large weight group (or a per-tensor scale) does not share one
  // table scale over all of K.
  int64_t segment = group;
  if (getEffectiveAccuracy() == Accuracy::TableI8 && group > kTableScaleGroup &&
      group % kTableScaleGroup == 0)
    segment = kTableScaleGroup;
  // With int8 activations a segment also has one activation scale: it must
  // fit in a block of the activation scales.
  int64_t block = k;
  if (ActQuantAttr actQuant = getActQuantAttr();
      actQuant && actQuant.getBlock() > 0)
    block = actQuant.getBlock();
  else if (auto scale = dyn_cast_if_present<RankedTensorType>(
               getXScale() ? getXScale().getType() : Type());
           scale && scale.getRank() == 2)
    block = k / scale.getDimSize(1);
  if (hasIntActivations())
    segment = std::min(segment, block);
  bool trit3 = packed.getLayout().getKind() == LayoutKind::Trit3;
  if (g <= 0 || group % segment != 0 || block % segment != 0 ||
      (!trit3 && segment % g != 0))
    return std::nullopt;
  return segment;
}

LogicalResult MpGemmOp::verify() {
  PackedType packed = getWeight().getType();
  auto x = dyn_cast<RankedTensorType>(getX().getType());
  auto y = dyn_cast<RankedTensorType>(getResult().getType());
  if (!x || x.getRank() != 2)
    return emitOpError() << "x must be a rank-2 tensor [N, K]";
  if (!y || y.getRank() != 2)
    return emitOpError() << "result must be a rank-2 tensor [N, M]";
  int64_t k = packed.getK(), m = packed.getM();
  if (!ShapedType::isDynamic(x.getDimSize(1)) && x.getDimSize(1) != k)
    return emitOpError() << "x has K = " << x.getDimSize(1)
                         << " but the weight has K = " << k;
  if (ShapedType::isDynamic(x.getDimSize(1)))
    return emitOpError() << "x must have a static K dimension";
  if (y.getDimSize(1) != m)
    return emitOpError() << "result must have M = " << m << " columns, got "
                         << y.getDimSize(1);
  if (!ShapedType::isDynamic(x.getDimSize(0)) &&
      !ShapedType::isDynamic(y.getDimSize(0)) &&
      x.getDimSize(0) != y.getDimSize(0))
    return emitOpError() << "result has " << y.getDimSize(0)
                         << " rows but x has N = " << x.getDimSize(0);

  // Activation blocks hold whole segments, so whole bit-plane groups;
  // trit3 pads the triple a segment ends in, so any block will do.
  int64_t lookupGroup = packed.getLayout().getKind() == LayoutKind::Trit3
                            ? 1
                            : packed.getLayout().getLookupGroup();
  bool i8 = x.getElementType().isInteger(8);
  std::optional<Accuracy> accuracy = getAccuracy();
  if (i8) {
    if (!getXScale())
      return emitOpError() << "i8 activations require an x_scale operand";
    if (accuracy && *accuracy != Accuracy::Exact)
      return emitOpError()
             << "i8 activations only allow accuracy 'exact', got '"
             << stringifyAccuracy(*accuracy) << "'";
    if (getActQuant())
      return emitOpError() << "act_quant only applies to fp activations";
    auto scale = cast<RankedTensorType>(getXScale().getType());
    if (scale.getRank() == 2) {
      int64_t blocks = scale.getDimSize(1);
      if (ShapedType::isDynamic(blocks) || blocks <= 0 || k % blocks != 0)
        return emitOpError() << "x_scale [N, K/Ga] needs a static block count "
                                "dividing K = "
                             << k;
      int64_t block = k / blocks;
      if (block % lookupGroup != 0)
        return emitOpError()
               << "activation block " << block
               << " is not a multiple of the lookup group " << lookupGroup;
    } else if (scale.getRank() != 1) {
      return emitOpError() << "x_scale must be [N] or [N, K/Ga]";
    }
    if (!ShapedType::isDynamic(scale.getDimSize(0)) &&
        !ShapedType::isDynamic(x.getDimSize(0)) &&
        scale.getDimSize(0) != x.getDimSize(0))
      return emitOpError() << "x_scale has " << scale.getDimSize(0)
                           << " rows but x has N = " << x.getDimSize(0);
  } else {
    if (getXScale())
      return emitOpError() << "fp activations take no x_scale";
    if (accuracy && *accuracy == Accuracy::Exact && !getActQuant())
      return emitOpError()
             << "accuracy 'exact' with fp activations needs act_quant = i8";
    if (ActQuantAttr actQuant = getActQuantAttr()) {
      int64_t block = actQuant.getBlock();
      if (block != 0 && (k % block != 0 || block % lookupGroup != 0))
        return emitOpError()
               << "act_quant block " << block << " must divide K = " << k
               << " and be a multiple of the lookup group " << lookupGroup;
    }
  }

  LayoutKind layout = packed.getLayout().getKind();
  if ((layout == LayoutKind::Codes || layout == LayoutKind::Gguf) &&
      isa<BlockArgument>(getWeight()))
    return emitOpError() << "a '" << stringifyLayoutKind(layout)
                         << "' weight must be a compile-time constant; repack "
                            "it explicitly (lut.repack) before passing it in";
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  PackedType packed = getWeight().getType();
  auto x = cast<RankedTensorType>(getX().getType());
  auto y = cast<RankedTensorType>(getResult().getType());
  if (x.getRank() < 1)
    return emitOpError() << "x must have at least one dimension";
  if (x.getShape().back() != packed.getK())
    return emitOpError() << "x's last dimension must be K = " << packed.getK();
  SmallVector<int64_t> expected(x.getShape());
  expected.back() = packed.getM();
  if (y.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape must match x with the last "
                            "dimension M = "
                         << packed.getM();
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != packed.getM())
      return emitOpError() << "bias must be [" << packed.getM() << "]";
    if (biasType.getElementType() != y.getElementType())
      return emitOpError() << "bias element type must match the result's";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Bit-serial lookup form
//===----------------------------------------------------------------------===//

/// Entries of a table: 2^g sums for bit planes (2^(g-1) mirrored), and the
/// 14 sign-canonical patterns of 3 trits for trit3 (lut.md §2.5).
static int64_t tableEntries(int64_t g, bool mirror) {
  if (g == 3)
    return 14;
  return mirror ? int64_t(1) << (g - 1) : int64_t(1) << g;
}

LogicalResult QuantizeActivationsOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  if (x.getRank() != 2 || ShapedType::isDynamic(x.getDimSize(1)))
    return emitOpError() << "x must be [N, K] with a static K";
  int64_t n = x.getDimSize(0), k = x.getDimSize(1), block = getBlock();
  if (block < 0 || (block > 0 && k % block != 0))
    return emitOpError() << "block " << block << " must divide K = " << k
                         << " (0: one scale per row)";
  if (failed(verifyTensorShape(*this, "quantized", getQuantized().getType(),
                               {n, k})))
    return failure();
  SmallVector<int64_t> scaleShape = {n};
  if (block > 0)
    scaleShape.push_back(k / block);
  return verifyTensorShape(*this, "scale", getScale().getType(), scaleShape);
}

/// The rules both precompute ops share: g, the segment, and the shapes and
/// element types of the tables, sums and table scales of [N, K] activations
/// of element type `activation`.
static LogicalResult verifyTables(Operation *op, int64_t n, int64_t k,
                                  Type activation, int64_t g, int64_t segment,
                                  bool mirror, Value table, Value xsum,
                                  Value tscale) {
  if (g != 3 && g != 4 && g != 8)
    return op->emitOpError() << "lookup group g must be 4 or 8 (bit planes) "
                                "or 3 (trit3), got "
                             << g;
  if (g == 3 && mirror)
    return op->emitOpError() << "trit3 tables are already sign-symmetric; "
                                "they take no mirror";
  if (segment <= 0 || k % segment != 0)
    return op->emitOpError()
           << "segment " << segment << " must be positive and divide K = " << k;
  // Bit-plane groups tile a segment; trit3 pads a segment's last triple.
  if (g != 3 && segment % g != 0)
    return op->emitOpError()
           << "segment " << segment << " is not a multiple of g = " << g;
  Type entry = getElementTypeOrSelf(table.getType());
  if (activation.isInteger(8) != entry.isInteger(16))
    return op->emitOpError() << "i8 activations give exact i16 tables; fp "
                                "activations f32 or i8 tables";
  if (entry.isInteger(8) || entry.isInteger(16)) {
    if (!tscale)
      return op->emitOpError() << "an integer table comes with its tscale";
  } else if (tscale) {
    return op->emitOpError() << "an f32 table takes no tscale";
  }
  if (tscale && failed(verifyTensorShape(op, "tscale", tscale.getType(),
                                         {n, k / segment})))
    return failure();
  if (failed(verifyTensorShape(
          op, "table", table.getType(),
          {n, tableGroups(k, segment, g), tableEntries(g, mirror)})) ||
      failed(verifyTensorShape(op, "xsum", xsum.getType(), {n, k / segment})))
    return failure();
  return success();
}

LogicalResult TablePrecomputeOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  if (x.getRank() != 2 || ShapedType::isDynamic(x.getDimSize(1)))
    return emitOpError() << "x must be [N, K] with a static K";
  int64_t n = x.getDimSize(0), k = x.getDimSize(1);
  if (x.getElementType().isInteger(8) != static_cast<bool>(getXScale()))
    return emitOpError() << "i8 activations come with their x_scale, fp "
                            "activations without";
  if (failed(verifyTables(*this, n, k, x.getElementType(), getG(), getSegment(),
                          getMirror(), getTable(), getXsum(), getTscale())))
    return failure();
  if (Value scale = getXScale()) {
    auto scaleType = cast<RankedTensorType>(scale.getType());
    if (scaleType.getRank() == 2) {
      int64_t blocks = scaleType.getDimSize(1);
      if (ShapedType::isDynamic(blocks) || blocks <= 0 || k % blocks != 0 ||
          (k / blocks) % getSegment() != 0)
        return emitOpError() << "x_scale [N, K/Ga] needs blocks Ga that are "
                                "multiples of the segment "
                             << getSegment();
    } else if (failed(verifyTensorShape(*this, "x_scale", scaleType, {n}))) {
      return failure();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FusedTablePrecomputeOp
//===----------------------------------------------------------------------===//

FloatType FusedTablePrecomputeOp::getActivationType() {
  return cast<FloatType>(
      getProducer().front().getTerminator()->getOperand(0).getType());
}

int64_t FusedTablePrecomputeOp::getK() {
  int64_t groups = cast<RankedTensorType>(getTable().getType()).getDimSize(1);
  int64_t segment = getSegment();
  return groups / groupsPerSegment(segment, getG()) * segment;
}

Value FusedTablePrecomputeOp::createRowCount(OpBuilder &b, Location loc) {
  int64_t n = cast<RankedTensorType>(getTable().getType()).getDimSize(0);
  if (!ShapedType::isDynamic(n))
    return arith::ConstantIndexOp::create(b, loc, n);
  for (auto [input, map] : llvm::zip(getInputs(), getIndexingMaps()))
    if (std::optional<unsigned> position =
            cast<AffineMapAttr>(map).getValue().getResultPosition(
                b.getAffineDimExpr(0)))
      return tensor::DimOp::create(b, loc, input, *position);
  llvm_unreachable("the verifier demands an input indexed by n");
}

bool FusedTablePrecomputeOp::isProducerOp(Operation *op) {
  return op->hasTrait<OpTrait::ConstantLike>() ||
         (op->hasTrait<OpTrait::Elementwise>() &&
          op->hasTrait<OpTrait::Vectorizable>() && isMemoryEffectFree(op));
}

LogicalResult FusedTablePrecomputeOp::verify() {
  auto table = cast<RankedTensorType>(getTable().getType());
  if (table.getRank() != 3 || ShapedType::isDynamic(table.getDimSize(1)))
    return emitOpError()
           << "table must be [N, lookup groups, entries] with static groups";
  int64_t n = table.getDimSize(0), k = getK();
  Block &body = getProducer().front();
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError() << "producer must end in lut.yield";
  Type activation = yield.getValue().getType();
  if (!activation.isF32() && !activation.isF16() && !activation.isBF16())
    return yield.emitOpError()
           << "must yield an f32, f16 or bf16 activation, got " << activation;
  if (failed(verifyTables(*this, n, k, activation, getG(), getSegment(),
                          getMirror(), getTable(), getXsum(), getTscale())))
    return failure();

  ArrayRef<Attribute> maps = getIndexingMaps().getValue();
  if (maps.size() != getInputs().size() ||
      body.getNumArguments() != getInputs().size())
    return emitOpError() << "needs one indexing map and one producer argument "
                            "per input, got "
                         << maps.size() << " maps and "
                         << body.getNumArguments() << " arguments for "
                         << getInputs().size() << " inputs";
  bool rowsIndexed = false;
  for (auto [index, input] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    AffineMap map = cast<AffineMapAttr>(maps[index]).getValue();
    if (map.getNumDims() != 2 || map.getNumSymbols() != 0 ||
        !map.isProjectedPermutation() || map.getNumResults() != type.getRank())
      return emitOpError() << "indexing map #" << index << " must be a "
                           << "projected permutation of (n, k) with one result "
                              "per dimension of input #"
                           << index << ", got " << AffineMapAttr::get(map);
    SmallVector<int64_t> expected;
    for (AffineExpr result : map.getResults()) {
      unsigned dim = cast<AffineDimExpr>(result).getPosition();
      rowsIndexed |= dim == 0;
      expected.push_back(dim == 0 ? n : k);
    }
    if (failed(verifyTensorShape(*this, "input #" + std::to_string(index), type,
                                 expected)))
      return failure();
    if (body.getArgument(index).getType() != type.getElementType())
      return emitOpError() << "producer argument #" << index << " must be "
                           << type.getElementType() << ", got "
                           << body.getArgument(index).getType();
  }
  if (ShapedType::isDynamic(n) && !rowsIndexed)
    return emitOpError() << "a dynamic N needs an input indexed by n";
  for (Operation &op : body.without_terminator())
    if (!isProducerOp(&op))
      return op.emitOpError() << "cannot be part of a fused producer: it is "
                                 "not a pure elementwise op or a constant";
  return success();
}

/// The table-lookup ops read weights in the bitplane or trit3 layout,
/// whose segments lie within the weight's scale groups.
static LogicalResult verifyLookupWeight(Operation *op, PackedType packed,
                                        int64_t segment) {
  LayoutAttr layout = packed.getLayout();
  if (layout.getKind() != LayoutKind::Bitplane &&
      layout.getKind() != LayoutKind::Trit3)
    return op->emitOpError()
           << "needs a weight in the bitplane or trit3 layout, got " << layout;
  int64_t group = packed.getQuant().getGroupSizeFor(packed.getK());
  if (segment <= 0 || group % segment != 0)
    return op->emitOpError()
           << "segment " << segment << " must divide the weight's group size "
           << group;
  // trit3 pads a segment's last triple.
  if (layout.getKind() != LayoutKind::Trit3 &&
      segment % layout.getLookupGroup() != 0)
    return op->emitOpError()
           << "segment " << segment << " is not a multiple of the lookup group "
           << layout.getLookupGroup();
  return success();
}

LogicalResult LookupAccumulateOp::verify() {
  PackedType packed = getWeight().getType();
  int64_t segment = getSegment();
  if (failed(verifyLookupWeight(*this, packed, segment)))
    return failure();
  int64_t g = packed.getLayout().getLookupGroup(), k = packed.getK();
  auto table = cast<RankedTensorType>(getTable().getType());
  if (table.getRank() != 3)
    return emitOpError() << "table must be [N, lookup groups, entries]";
  int64_t n = table.getDimSize(0);
  // A full table, or a mirrored half table.
  int64_t entries = table.getDimSize(2) == tableEntries(g, /*mirror=*/true)
                        ? tableEntries(g, /*mirror=*/true)
                        : tableEntries(g, /*mirror=*/false);
  if (failed(verifyTensorShape(*this, "table", table,
                               {n, tableGroups(k, segment, g), entries})) ||
      failed(verifyTensorShape(*this, "acc", getAcc().getType(),
                               {n, packed.getM(), k / segment})))
    return failure();
  bool integer = table.getElementType().isInteger(8) ||
                 table.getElementType().isInteger(16);
  Type accElement = getElementTypeOrSelf(getAcc().getType());
  if (integer != accElement.isInteger(32))
    return emitOpError()
           << "integer tables accumulate in i32, f32 tables in f32";
  if (integer) {
    // The largest entry (127, or 128 g for i8 activations), times the plane
    // weights, over the segment's groups.
    int64_t maxEntry = table.getElementType().isInteger(8) ? 127 : 128 * g;
    bool ternary = packed.getQuant().getEncoding() == Encoding::Ternary;
    unsigned planes = packed.getQuant().getNumPlanes();
    int64_t planeWeights = g == 3    ? 1
                           : ternary ? 2
                                     : (int64_t(1) << planes) - 1;
    if (maxEntry * planeWeights * groupsPerSegment(segment, g) >=
        (int64_t(1) << 31))
      return emitOpError() << "i32 sums over segments of " << segment
                           << " could overflow";
  }
  return success();
}

LogicalResult ActivationSumsOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  if (x.getRank() != 2 || ShapedType::isDynamic(x.getDimSize(1)))
    return emitOpError() << "x must be [N, K] with a static K";
  int64_t n = x.getDimSize(0), k = x.getDimSize(1), segment = getSegment();
  if (segment <= 0 || k % segment != 0)
    return emitOpError() << "segment " << segment << " must divide K = " << k;
  auto scale = cast<RankedTensorType>(getXScale().getType());
  if (scale.getRank() == 2) {
    int64_t blocks = scale.getDimSize(1);
    if (ShapedType::isDynamic(blocks) || blocks <= 0 || k % blocks != 0 ||
        (k / blocks) % segment != 0)
      return emitOpError() << "x_scale blocks of K / " << blocks
                           << " elements must be multiples of the segment "
                           << segment;
    if (failed(verifyTensorShape(*this, "x_scale", scale, {n, blocks})))
      return failure();
  } else if (failed(verifyTensorShape(*this, "x_scale", scale, {n}))) {
    return failure();
  }
  if (failed(verifyTensorShape(*this, "xsum", getXsum().getType(),
                               {n, k / segment})) ||
      failed(verifyTensorShape(*this, "tscale", getTscale().getType(),
                               {n, k / segment})))
    return failure();
  return success();
}

LogicalResult DotAccumulateOp::verify() {
  PackedType packed = getWeight().getType();
  int64_t segment = getSegment();
  if (failed(verifyLookupWeight(*this, packed, segment)))
    return failure();
  auto x = cast<RankedTensorType>(getX().getType());
  if (x.getRank() != 2)
    return emitOpError() << "x must be [N, K]";
  int64_t n = x.getDimSize(0);
  if (failed(verifyTensorShape(*this, "x", x, {n, packed.getK()})) ||
      failed(verifyTensorShape(*this, "acc", getAcc().getType(),
                               {n, packed.getM(), packed.getK() / segment})))
    return failure();
  // |x| <= 128 times the largest lookup value over the segment.
  int64_t largest = 0;
  for (unsigned code = 0; code < 16; ++code)
    largest = std::max(largest, std::abs(packed.getLookupValue(code)));
  if (128 * largest * segment >= (int64_t(1) << 31))
    return emitOpError() << "i32 sums over segments of " << segment
                         << " could overflow";
  return success();
}

LogicalResult ScaleCombineOp::verify() {
  PackedType packed = getWeight().getType();
  auto acc = cast<RankedTensorType>(getAcc().getType());
  if (acc.getRank() != 3 || ShapedType::isDynamic(acc.getDimSize(2)))
    return emitOpError() << "acc must be [N, M, K/S] with a static K/S";
  int64_t n = acc.getDimSize(0), segments = acc.getDimSize(2);
  if (segments <= 0 || packed.getK() % segments != 0)
    return emitOpError() << segments
                         << " segments do not divide K = " << packed.getK();
  bool quantized = acc.getElementType().isInteger(32);
  if (quantized != static_cast<bool>(getTscale()))
    return emitOpError() << "i32 sums need the tables' tscale, f32 sums take "
                            "none";
  if (Value tscale = getTscale())
    if (failed(verifyTensorShape(*this, "tscale", tscale.getType(),
                                 {n, segments})))
      return failure();
  if (failed(verifyLookupWeight(*this, packed, packed.getK() / segments)) ||
      failed(
          verifyTensorShape(*this, "acc", acc, {n, packed.getM(), segments})) ||
      failed(verifyTensorShape(*this, "xsum", getXsum().getType(),
                               {n, segments})) ||
      failed(verifyTensorShape(*this, "result", getResult().getType(),
                               {n, packed.getM()})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// X86PmaddubswOp
//===----------------------------------------------------------------------===//

LogicalResult X86PmaddubswOp::verify() {
  int64_t bytes = getA().getType().getNumElements();
  if (getResult().getType().getNumElements() * 2 != bytes)
    return emitOpError() << "result must have " << bytes / 2
                         << " int16 lanes for " << bytes << " bytes, got "
                         << getResult().getType();
  return success();
}
