//===- ByteOps.h - Byte lookups and pair multiply-adds per ISA --*- C++ -*-===//
//
// The vector dialect has no run-time byte shuffle and no widening pair
// multiply-add, so the two byte operations of the S16 kernel are emitted
// here, once per target choice (lut.md §4.3).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_BYTEOPS_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_BYTEOPS_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::loom::lut {

enum class ByteShuffle {
  /// As Avx512Vnni, and `vpermb` over 64-byte tables (AVX-512 VBMI): the
  /// P64 kernel for one plane per byte (lut.md §4.3).
  Avx512Vbmi,
  /// `vpshufb` on 64 lanes and `vpdpbusd` (AVX-512BW and VNNI).
  Avx512Vnni,
  /// `vpshufb` on 64 lanes (AVX-512BW).
  Avx512,
  /// Two 32-lane `vpshufb` (AVX2).
  Avx2,
  /// One compare and select per table entry: any target.
  Generic,
};

std::optional<ByteShuffle> parseByteShuffle(StringRef name);

/// The byte table of one lookup group, ready for `lookupBytes`: a 16-entry
/// vector<16xi8> broadcast to the lanes the shuffle reads.
Value prepareByteTable(OpBuilder &b, Location loc, ByteShuffle isa,
                       Value table16);

/// table[indices[i]] for a vector<64xi8> of indices in [0, 16).
Value lookupBytes(OpBuilder &b, Location loc, ByteShuffle isa, Value table,
                  Value indices);

/// r[i] = u[2i] * s[2i] + u[2i+1] * s[2i+1] as a vector<32xi16>, for
/// vector<64xi8> `u` read as unsigned and `s` read as signed bytes, whose
/// sums fit int16 (vpmaddubsw saturates; the generic form wraps).
Value multiplyAddPairs(OpBuilder &b, Location loc, ByteShuffle isa, Value u,
                       Value s);

/// table[indices[i] & 63] for vector<64xi8> `table` and `indices`
/// (`vpermb`; Avx512Vbmi only).
Value permuteBytes(OpBuilder &b, Location loc, Value table, Value indices);

/// acc[i] + sum over l < 4 of u[4i+l] * s[4i+l] as a vector<16xi32>, for
/// vector<64xi8> `u` read as unsigned and `s` as signed bytes whose pair
/// sums fit int16 (`vpdpbusd`, or `vpmaddubsw` and a widening pair add).
Value dotQuads(OpBuilder &b, Location loc, ByteShuffle isa, Value acc, Value u,
               Value s);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_BYTEOPS_H
