//===- Knobs.h - Knob spaces and their candidate order ----------*- C++ -*-===//
//
// A lowering with alternatives declares them as knobs; a candidate picks one
// option per knob. The compiler and loom-tune enumerate candidates with this
// one implementation, in one canonical order that also breaks every tie, so
// a decision never depends on who enumerated.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_KNOBS_H
#define LOOM_COSTMODEL_KNOBS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace mlir::loom::cost {

/// One option of a knob: a number (a tile size) or a name (a layout).
using KnobValue = std::variant<int64_t, std::string>;

std::string toString(const KnobValue &value);

struct Knob {
  std::string name;
  llvm::SmallVector<KnobValue> options;

  /// The index of `value` among the options, if it is one of them: how a
  /// value written down (a decision, a dataset row, a pass option) becomes
  /// a candidate again.
  std::optional<unsigned> indexOf(const KnobValue &value) const;
  /// The options, comma-separated, for a diagnostic.
  std::string describeOptions() const;
};

/// One option index per knob, in the space's knob order.
using Candidate = llvm::SmallVector<unsigned, 8>;

class KnobSpace {
public:
  /// Whether a candidate can be lowered (divisibility, register and memory
  /// limits); null admits every candidate.
  using Legality = std::function<bool(const KnobSpace &, const Candidate &)>;

  explicit KnobSpace(llvm::SmallVector<Knob> knobs, Legality isLegal = {});

  llvm::ArrayRef<Knob> getKnobs() const { return knobs; }
  /// The index of the knob called `name`; asserts that there is one.
  unsigned indexOf(llvm::StringRef name) const;
  const KnobValue &value(const Candidate &candidate,
                         llvm::StringRef knob) const;
  /// The value of an integer knob; asserts that it is one.
  int64_t intValue(const Candidate &candidate, llvm::StringRef knob) const;
  bool isLegal(const Candidate &candidate) const;

  /// The legal candidates in canonical order: the lexicographic product of
  /// the options, the first knob varying slowest. Above `maxCandidates`
  /// every k-th is kept (k rounded up), never a random or model-pruned set.
  llvm::SmallVector<Candidate> enumerate(size_t maxCandidates = 4096) const;

  /// "name=value" pairs in knob order, for remarks and dataset rows.
  std::string describe(const Candidate &candidate) const;

private:
  llvm::SmallVector<Knob> knobs;
  Legality legality;
};

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_KNOBS_H
