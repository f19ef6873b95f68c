//===- LutDialect.cpp - lut dialect, attributes and types -----------------===//
//
// The attribute and type syntax is custom so that the common cases stay
// short (`group = 32`, `#lut.layout<codes>`) while every parameter keeps a
// keyword that says what it is.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Lut/IR/LutDialect.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::lut;

#include "loom/Dialect/Lut/IR/LutDialect.cpp.inc"
#include "loom/Dialect/Lut/IR/LutEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Lut/IR/LutAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "loom/Dialect/Lut/IR/LutTypes.cpp.inc"

void LutDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loom/Dialect/Lut/IR/LutAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "loom/Dialect/Lut/IR/LutTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "loom/Dialect/Lut/IR/LutOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantAttr
//===----------------------------------------------------------------------===//

Attribute QuantAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  if (parser.parseLess())
    return {};
  FailureOr<Encoding> encoding = FieldParser<Encoding>::parse(parser);
  if (failed(encoding))
    return {};
  unsigned bits = *encoding == Encoding::Binary ? 1 : 0;
  GroupKind groupKind = GroupKind::PerChannel;
  int64_t groupSize = 0;
  bool sawGroup = false;
  Type scaleType = Float32Type::get(ctx);
  OffsetKind offset = OffsetKind::None;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (key == "bits") {
      if (parser.parseInteger(bits))
        return {};
    } else if (key == "group") {
      sawGroup = true;
      if (succeeded(parser.parseOptionalKeyword("per_channel"))) {
        groupKind = GroupKind::PerChannel;
      } else if (succeeded(parser.parseOptionalKeyword("per_tensor"))) {
        groupKind = GroupKind::PerTensor;
      } else {
        groupKind = GroupKind::Group;
        if (parser.parseInteger(groupSize))
          return {};
      }
    } else if (key == "scale") {
      if (parser.parseType(scaleType))
        return {};
    } else if (key == "offset") {
      FailureOr<OffsetKind> parsed = FieldParser<OffsetKind>::parse(parser);
      if (failed(parsed))
        return {};
      offset = *parsed;
    } else {
      parser.emitError(keyLoc) << "unknown #lut.quant parameter '" << key
                               << "' (expected bits, group, scale, offset)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  if (!sawGroup) {
    parser.emitError(parser.getNameLoc(), "#lut.quant needs a 'group'");
    return {};
  }
  return QuantAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); }, ctx, *encoding,
      bits, groupKind, groupSize, scaleType, offset);
}

void QuantAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyEncoding(getEncoding());
  if (getEncoding() != Encoding::Ternary)
    printer << ", bits = " << getBits();
  printer << ", group = ";
  if (getGroupKind() == GroupKind::Group)
    printer << getGroupSize();
  else
    printer << stringifyGroupKind(getGroupKind());
  printer << ", scale = " << getScaleType();
  if (getOffset() != OffsetKind::None)
    printer << ", offset = " << stringifyOffsetKind(getOffset());
  printer << ">";
}

LogicalResult QuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                Encoding encoding, unsigned bits,
                                GroupKind groupKind, int64_t groupSize,
                                Type scaleType, OffsetKind offset) {
  switch (encoding) {
  case Encoding::Unsigned:
    if (bits < 1 || bits > 4)
      return emitError() << "'unsigned' codes take 1 to 4 bits, got " << bits;
    break;
  case Encoding::Signed:
    if (bits < 2 || bits > 4)
      return emitError() << "'signed' codes take 2 to 4 bits, got " << bits;
    break;
  case Encoding::Binary:
    if (bits != 1)
      return emitError() << "'binary' codes take exactly 1 bit, got " << bits;
    break;
  case Encoding::Ternary:
    if (bits != 0)
      return emitError()
             << "'ternary' codes take no 'bits' (log2 3 per weight)";
    break;
  }
  if (offset != OffsetKind::None && encoding != Encoding::Unsigned)
    return emitError() << "an offset ('" << stringifyOffsetKind(offset)
                       << "') is only allowed with 'unsigned' codes";
  if (!isa<Float32Type, Float16Type, BFloat16Type>(scaleType))
    return emitError() << "scale type must be f32, f16 or bf16, got "
                       << scaleType;
  if (groupKind == GroupKind::Group && groupSize <= 0)
    return emitError() << "group size must be positive, got " << groupSize;
  return success();
}

unsigned QuantAttr::getNumPlanes() const {
  return getEncoding() == Encoding::Ternary ? 2 : getBits();
}

bool QuantAttr::getPlaneBit(uint8_t code, unsigned plane) const {
  if (getEncoding() == Encoding::Ternary)
    return std::min(code & 3, 2) >= int(plane) + 1;
  return (code >> plane) & 1;
}

int64_t QuantAttr::getPlaneWeight(unsigned plane) const {
  return getEncoding() == Encoding::Ternary ? 1 : int64_t(1) << plane;
}

double QuantAttr::getPlaneOffset() const {
  if (getEncoding() == Encoding::Unsigned)
    return ((1 << getBits()) - 1) / 2.0;
  return getEncoding() == Encoding::Signed ? -0.5 : 0.0;
}

double QuantAttr::getPlaneKappa() const {
  return getEncoding() == Encoding::Binary ? 1.0 : 0.5;
}

int64_t QuantAttr::getGroupSizeFor(int64_t k) const {
  return getGroupKind() == GroupKind::Group ? getGroupSize() : k;
}

SmallVector<int64_t> QuantAttr::getScaleShape(int64_t m, int64_t k) const {
  switch (getGroupKind()) {
  case GroupKind::Group:
    return {m, static_cast<int64_t>(llvm::divideCeil(k, getGroupSize()))};
  case GroupKind::PerChannel:
    return {m, 1};
  case GroupKind::PerTensor:
    return {1, 1};
  }
  llvm_unreachable("unknown group kind");
}

//===----------------------------------------------------------------------===//
// LayoutAttr
//===----------------------------------------------------------------------===//

LayoutAttr LayoutAttr::getCodes(MLIRContext *ctx) {
  return LayoutAttr::get(ctx, LayoutKind::Codes, 1, 1, 1, 1, GgufType::Q4_0);
}

Attribute LayoutAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  if (parser.parseLess())
    return {};
  FailureOr<LayoutKind> kind = FieldParser<LayoutKind>::parse(parser);
  if (failed(kind))
    return {};
  int64_t g = 1, lanesP = 1, lanesQ = 1, tileM = 1;
  GgufType gguf = GgufType::Q4_0;
  if (*kind == LayoutKind::Bitplane) {
    g = 4;
    tileM = 128;
  } else if (*kind == LayoutKind::Trit3) {
    g = 3;
    tileM = 128;
  } else if (*kind == LayoutKind::Gguf) {
    FailureOr<GgufType> parsed;
    if (parser.parseLess() ||
        failed(parsed = FieldParser<GgufType>::parse(parser)) ||
        parser.parseGreater())
      return {};
    gguf = *parsed;
  }
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (key == "g" && *kind == LayoutKind::Bitplane) {
      if (parser.parseInteger(g))
        return {};
    } else if (key == "lanes" && *kind == LayoutKind::Bitplane) {
      SmallVector<int64_t, 2> lanes;
      SMLoc lanesLoc = parser.getCurrentLocation();
      if (parser.parseDimensionList(lanes, /*allowDynamic=*/false,
                                    /*withTrailingX=*/false))
        return {};
      if (lanes.size() != 2) {
        parser.emitError(lanesLoc, "'lanes' must be written PxQ");
        return {};
      }
      lanesP = lanes[0];
      lanesQ = lanes[1];
    } else if (key == "tile_m" &&
               (*kind == LayoutKind::Bitplane || *kind == LayoutKind::Trit3)) {
      if (parser.parseInteger(tileM))
        return {};
    } else {
      parser.emitError(keyLoc) << "unknown parameter '" << key << "' for the '"
                               << stringifyLayoutKind(*kind) << "' layout";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return LayoutAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); }, ctx, *kind, g,
      lanesP, lanesQ, tileM, gguf);
}

void LayoutAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyLayoutKind(getKind());
  switch (getKind()) {
  case LayoutKind::Codes:
    break;
  case LayoutKind::Bitplane:
    printer << ", g = " << getG() << ", lanes = " << getLanesP() << "x"
            << getLanesQ() << ", tile_m = " << getTileM();
    break;
  case LayoutKind::Trit3:
    printer << ", tile_m = " << getTileM();
    break;
  case LayoutKind::Gguf:
    printer << "<" << stringifyGgufType(getGgufType()) << ">";
    break;
  }
  printer << ">";
}

/// Rows one tile must be a multiple of: 64 byte lanes per index vector, P*Q
/// bytes per row, and the low and high nibbles of g = 4 indices serve two
/// row blocks.
static int64_t rowBlockOf(LayoutKind kind, int64_t g, int64_t lanesP,
                          int64_t lanesQ) {
  switch (kind) {
  case LayoutKind::Bitplane:
    return (g == 4 ? 128 : 64) / (lanesP * lanesQ);
  case LayoutKind::Trit3:
    return 128;
  case LayoutKind::Codes:
  case LayoutKind::Gguf:
    return 1;
  }
  llvm_unreachable("unknown layout kind");
}

int64_t LayoutAttr::getRowBlock() const {
  return rowBlockOf(getKind(), getG(), getLanesP(), getLanesQ());
}

int64_t LayoutAttr::getLookupGroup() const {
  switch (getKind()) {
  case LayoutKind::Bitplane:
  case LayoutKind::Trit3:
    return getG();
  case LayoutKind::Codes:
  case LayoutKind::Gguf:
    return 1;
  }
  llvm_unreachable("unknown layout kind");
}

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 LayoutKind kind, int64_t g, int64_t lanesP,
                                 int64_t lanesQ, int64_t tileM, GgufType) {
  if (kind == LayoutKind::Bitplane) {
    if (g != 4 && g != 8)
      return emitError() << "bitplane lookup group g must be 4 or 8, got " << g;
    int64_t lanes = lanesP * lanesQ;
    if (lanesP < 1 || lanesQ < 1 || (lanes != 1 && lanes != 2 && lanes != 4))
      return emitError()
             << "bitplane lanes PxQ must have P*Q in {1, 2, 4}, got " << lanesP
             << "x" << lanesQ;
  }
  if (kind == LayoutKind::Bitplane || kind == LayoutKind::Trit3) {
    int64_t rowBlock = rowBlockOf(kind, g, lanesP, lanesQ);
    if (tileM <= 0 || tileM % rowBlock != 0)
      return emitError()
             << "tile_m must be a positive multiple of the row block "
             << rowBlock << ", got " << tileM;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ActQuantAttr
//===----------------------------------------------------------------------===//

LogicalResult ActQuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t block) {
  if (block < 0)
    return emitError() << "activation quantization block must be positive, got "
                       << block;
  return success();
}

//===----------------------------------------------------------------------===//
// PackedType
//===----------------------------------------------------------------------===//

Type PackedType::parse(AsmParser &parser) {
  SmallVector<int64_t, 2> shape;
  QuantAttr quant;
  LayoutAttr layout = LayoutAttr::getCodes(parser.getContext());
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/false) ||
      parser.parseComma() || parser.parseAttribute(quant))
    return {};
  if (succeeded(parser.parseOptionalComma()) && parser.parseAttribute(layout))
    return {};
  if (parser.parseGreater())
    return {};
  return PackedType::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), shape, quant, layout);
}

void PackedType::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleave(getShape(), printer, "x");
  printer << ", " << getQuant() << ", " << getLayout() << ">";
}

LogicalResult StackedType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t count, PackedType) {
  if (count < 1)
    return emitError() << "a stacked weight holds at least one weight, got "
                       << count;
  return success();
}

/// The quant a GGUF block type implies, as (encoding, bits, group, scale
/// type, offset); the importer maps these blocks 1:1.
static bool matchesGguf(GgufType type, QuantAttr quant) {
  auto is = [&](Encoding e, unsigned bits, int64_t group, bool f16Scale,
                OffsetKind offset) {
    return quant.getEncoding() == e && quant.getBits() == bits &&
           quant.getGroupKind() == GroupKind::Group &&
           quant.getGroupSize() == group &&
           (f16Scale ? isa<Float16Type>(quant.getScaleType())
                     : isa<Float32Type>(quant.getScaleType())) &&
           quant.getOffset() == offset;
  };
  switch (type) {
  case GgufType::Q4_0:
    return is(Encoding::Signed, 4, 32, true, OffsetKind::None);
  case GgufType::Q2_K:
    return is(Encoding::Unsigned, 2, 16, false, OffsetKind::Min);
  case GgufType::TQ2_0:
  case GgufType::TQ1_0:
    return is(Encoding::Ternary, 0, 256, true, OffsetKind::None);
  case GgufType::Q1_0:
    return is(Encoding::Binary, 1, 128, true, OffsetKind::None);
  }
  llvm_unreachable("unknown GGUF type");
}

LogicalResult PackedType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, QuantAttr quant,
                                 LayoutAttr layout) {
  if (shape.size() != 2)
    return emitError() << "packed weight must be 2-D (M x K), got rank "
                       << shape.size();
  if (ShapedType::isDynamicShape(shape))
    return emitError() << "packed weight dimensions M and K must be static";
  if (shape[0] <= 0 || shape[1] <= 0)
    return emitError() << "packed weight dimensions must be positive";
  int64_t k = shape[1];
  int64_t group = quant.getGroupSizeFor(k);
  // Only the reference `codes` layout may end a row with a partial group; the
  // kernels' layouts are built from whole segments.
  if (layout.getKind() != LayoutKind::Codes && k % group != 0)
    return emitError() << "K = " << k << " is not a multiple of the group size "
                       << group << " (only the 'codes' layout allows a partial "
                       << "last group)";
  switch (layout.getKind()) {
  case LayoutKind::Codes:
    break;
  case LayoutKind::Bitplane:
    if (group % layout.getG() != 0)
      return emitError() << "group size " << group
                         << " is not a multiple of the layout's lookup group "
                         << layout.getG();
    if (quant.getNumPlanes() % layout.getLanesP() != 0)
      return emitError() << "lanes P = " << layout.getLanesP()
                         << " does not divide the " << quant.getNumPlanes()
                         << " bit planes";
    break;
  case LayoutKind::Trit3:
    if (quant.getEncoding() != Encoding::Ternary)
      return emitError() << "the 'trit3' layout only holds ternary weights";
    break;
  case LayoutKind::Gguf:
    if (!matchesGguf(layout.getGgufType(), quant))
      return emitError() << "gguf<" << stringifyGgufType(layout.getGgufType())
                         << "> does not match " << quant;
    break;
  }
  return success();
}

double PackedType::getLookupKappa() const {
  // trit3 looks up sign-canonical trit sums, not bit planes.
  return getLayout().getKind() == LayoutKind::Trit3
             ? 1.0
             : getQuant().getPlaneKappa();
}

int64_t PackedType::getLookupValue(uint8_t code) const {
  QuantAttr quant = getQuant();
  if (getLayout().getKind() == LayoutKind::Trit3)
    return std::min(code & 3, 2) - 1;
  int64_t value = 0;
  for (unsigned plane = 0; plane < quant.getNumPlanes(); ++plane)
    value +=
        quant.getPlaneWeight(plane) * (quant.getPlaneBit(code, plane) ? 1 : -1);
  return value;
}

int64_t PackedType::getDotIndexBits(int64_t segment) const {
  bool trit3 = getLayout().getKind() == LayoutKind::Trit3;
  unsigned planes = getQuant().getNumPlanes();
  if (!trit3 && planes == 1 && segment % 32 == 0)
    return 1;
  if ((trit3 || planes <= 2) && segment % 16 == 0)
    return 2;
  return segment % 8 == 0 ? 4 : 0;
}

SmallVector<Type> PackedType::getLogicalTypes() const {
  MLIRContext *ctx = getContext();
  QuantAttr quant = getQuant();
  SmallVector<int64_t> scaleShape = quant.getScaleShape(getM(), getK());
  SmallVector<Type> types = {
      RankedTensorType::get(getShape(), IntegerType::get(ctx, 8)),
      RankedTensorType::get(scaleShape, quant.getScaleType())};
  if (quant.getOffset() == OffsetKind::ZeroPoint)
    types.push_back(
        RankedTensorType::get(scaleShape, IntegerType::get(ctx, 8)));
  else if (quant.getOffset() == OffsetKind::Min)
    types.push_back(RankedTensorType::get(scaleShape, quant.getScaleType()));
  return types;
}
