//===- ByteOps.cpp - Byte lookups and pair multiply-adds per ISA ----------===//
//
// The x86 forms are `lut.x86.*` ops: Pure, so bufferization and
// the canonicalizer treat them like arith; convert-lut-x86-to-llvm makes
// each one instruction.
//
//===----------------------------------------------------------------------===//

#include "ByteOps.h"

#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringSwitch.h"

#include <numeric>

using namespace mlir;
using namespace mlir::loom::lut;

std::optional<ByteShuffle> mlir::loom::lut::parseByteShuffle(StringRef name) {
  return llvm::StringSwitch<std::optional<ByteShuffle>>(name)
      .Case("avx512-vbmi", ByteShuffle::Avx512Vbmi)
      .Case("avx512-vnni", ByteShuffle::Avx512Vnni)
      .Case("avx512", ByteShuffle::Avx512)
      .Case("avx2", ByteShuffle::Avx2)
      .Case("generic", ByteShuffle::Generic)
      .Default(std::nullopt);
}

/// `table16` repeated to `lanes` bytes: `vpshufb` looks up within each
/// 128-bit lane, so every lane needs the whole table.
static Value broadcastTable(OpBuilder &b, Location loc, Value table16,
                            int64_t lanes) {
  SmallVector<int64_t> mask;
  for (int64_t i = 0; i < lanes; ++i)
    mask.push_back(i % 16);
  return vector::ShuffleOp::create(b, loc, table16, table16, mask);
}

Value mlir::loom::lut::prepareByteTable(OpBuilder &b, Location loc,
                                        ByteShuffle isa, Value table16) {
  switch (isa) {
  case ByteShuffle::Avx512Vbmi:
  case ByteShuffle::Avx512Vnni:
  case ByteShuffle::Avx512:
    return broadcastTable(b, loc, table16, 64);
  case ByteShuffle::Avx2:
    return broadcastTable(b, loc, table16, 32);
  case ByteShuffle::Generic:
    return table16;
  }
  llvm_unreachable("unknown byte shuffle");
}

/// Half `i` (0 or 1) of vector `v`.
static Value half(OpBuilder &b, Location loc, Value v, int64_t i) {
  int64_t size = cast<VectorType>(v.getType()).getNumElements() / 2;
  return vector::ExtractStridedSliceOp::create(
      b, loc, v, ArrayRef<int64_t>{i * size}, ArrayRef<int64_t>{size},
      ArrayRef<int64_t>{1});
}

/// `part(0)` and `part(1)` concatenated: a 32-byte AVX2 instruction applied
/// to both halves of a 64-byte vector.
static Value joinHalves(OpBuilder &b, Location loc,
                        function_ref<Value(int64_t)> part) {
  Value low = part(0), high = part(1);
  SmallVector<int64_t> whole(2 *
                             cast<VectorType>(low.getType()).getNumElements());
  std::iota(whole.begin(), whole.end(), 0);
  return vector::ShuffleOp::create(b, loc, low, high, whole);
}

Value mlir::loom::lut::lookupBytes(OpBuilder &b, Location loc, ByteShuffle isa,
                                   Value table, Value indices) {
  auto type = cast<VectorType>(indices.getType());
  switch (isa) {
  case ByteShuffle::Avx512Vbmi:
  case ByteShuffle::Avx512Vnni:
  case ByteShuffle::Avx512:
    return X86PshufbOp::create(b, loc, type, table, indices);
  case ByteShuffle::Avx2:
    return joinHalves(b, loc, [&](int64_t i) -> Value {
      Value part = half(b, loc, indices, i);
      return X86PshufbOp::create(b, loc, part.getType(), table, part);
    });
  case ByteShuffle::Generic: {
    auto entry = [&](int64_t u) -> Value {
      return vector::BroadcastOp::create(
          b, loc, type, vector::ExtractOp::create(b, loc, table, u));
    };
    Value result = entry(0);
    for (int64_t u = 1; u < 16; ++u) {
      Value hit = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, indices,
          arith::ConstantOp::create(
              b, loc, type,
              DenseElementsAttr::get(type, b.getI8IntegerAttr(u))));
      result = arith::SelectOp::create(b, loc, hit, entry(u), result);
    }
    return result;
  }
  }
  llvm_unreachable("unknown byte shuffle");
}

/// The elements of `v` at `first`, `first` + `step`, ...
static Value strided(OpBuilder &b, Location loc, Value v, int64_t first,
                     int64_t step) {
  SmallVector<int64_t> mask;
  for (int64_t i = first; i < cast<VectorType>(v.getType()).getNumElements();
       i += step)
    mask.push_back(i);
  return vector::ShuffleOp::create(b, loc, v, v, mask);
}

Value mlir::loom::lut::multiplyAddPairs(OpBuilder &b, Location loc,
                                        ByteShuffle isa, Value u, Value s) {
  auto type = cast<VectorType>(s.getType());
  int64_t bytes = type.getNumElements();
  auto result = VectorType::get({bytes / 2}, b.getI16Type());
  switch (isa) {
  case ByteShuffle::Avx512Vbmi:
  case ByteShuffle::Avx512Vnni:
  case ByteShuffle::Avx512:
    return X86PmaddubswOp::create(b, loc, result, u, s);
  case ByteShuffle::Avx2:
    return joinHalves(b, loc, [&](int64_t i) -> Value {
      return X86PmaddubswOp::create(
          b, loc, VectorType::get({bytes / 4}, b.getI16Type()),
          half(b, loc, u, i), half(b, loc, s, i));
    });
  case ByteShuffle::Generic: {
    auto product = [&](int64_t first) -> Value {
      return arith::MulIOp::create(
          b, loc,
          arith::ExtUIOp::create(b, loc, result, strided(b, loc, u, first, 2)),
          arith::ExtSIOp::create(b, loc, result, strided(b, loc, s, first, 2)));
    };
    return arith::AddIOp::create(b, loc, product(0), product(1));
  }
  }
  llvm_unreachable("unknown byte shuffle");
}

Value mlir::loom::lut::permuteBytes(OpBuilder &b, Location loc, Value table,
                                    Value indices) {
  return X86VpermbOp::create(b, loc, table.getType(), table, indices);
}

Value mlir::loom::lut::dotQuads(OpBuilder &b, Location loc, ByteShuffle isa,
                                Value acc, Value u, Value s) {
  if (isa == ByteShuffle::Avx512Vnni || isa == ByteShuffle::Avx512Vbmi)
    return X86VpdpbusdOp::create(b, loc, acc.getType(), acc, u, s);
  // Pairs to int16, then adjacent int16 pairs widened and added: LLVM
  // selects `vpmaddwd` for the second step where the target has it.
  Value pairs = multiplyAddPairs(b, loc, isa, u, s);
  auto accType = cast<VectorType>(acc.getType());
  auto widen = [&](int64_t first) -> Value {
    return arith::ExtSIOp::create(b, loc, accType,
                                  strided(b, loc, pairs, first, 2));
  };
  return arith::AddIOp::create(
      b, loc, acc, arith::AddIOp::create(b, loc, widen(0), widen(1)));
}
