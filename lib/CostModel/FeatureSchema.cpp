//===- FeatureSchema.cpp - Ordered feature names of one decision ----------===//

#include "loom/CostModel/FeatureSchema.h"
#include "loom/CostModel/Schemas/LinalgTile.h"
#include "loom/CostModel/Schemas/LutGemm.h"
#include "loom/CostModel/Schemas/MoEDispatch.h"
#include "loom/CostModel/Schemas/WfLatency.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cmath>

using namespace mlir::loom::cost;

uint64_t FeatureSchema::hash() const {
  // Newline-terminated, so ("ab", "c") and ("a", "bc") differ.
  std::string text = decision.str() + "#" + std::to_string(version) + "\n";
  for (llvm::StringRef name : names)
    text += name.str() + "\n";
  return llvm::xxh3_64bits(text);
}

std::string FeatureSchema::hashString() const {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format_hex_no_prefix(hash(), 16);
  return text;
}

std::optional<unsigned> FeatureSchema::indexOf(llvm::StringRef name) const {
  for (auto [i, candidate] : llvm::enumerate(names))
    if (candidate == name)
      return i;
  return std::nullopt;
}

float mlir::loom::cost::encodeCount(double value) {
  return static_cast<float>(std::log2(1.0 + value));
}

const FeatureSchema *mlir::loom::cost::schemaFor(llvm::StringRef kind) {
  for (const FeatureSchema *schema :
       {&lut_gemm::schema(), &moe_dispatch::schema(), &linalg_tile::schema(),
        &wf_latency::schema()})
    if (kind == schema->decision)
      return schema;
  return nullptr;
}
