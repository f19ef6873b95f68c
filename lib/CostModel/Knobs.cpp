//===- Knobs.cpp - Knob spaces and their canonical candidate order --------===//

#include "loom/CostModel/Knobs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir::loom::cost;

std::string mlir::loom::cost::toString(const KnobValue &value) {
  if (const auto *number = std::get_if<int64_t>(&value))
    return std::to_string(*number);
  return std::get<std::string>(value);
}

std::optional<unsigned> Knob::indexOf(const KnobValue &value) const {
  const auto *option = llvm::find(options, value);
  if (option == options.end())
    return std::nullopt;
  return option - options.begin();
}

std::string Knob::describeOptions() const {
  std::string text;
  for (const KnobValue &option : options)
    text += (text.empty() ? "" : ", ") + toString(option);
  return text;
}

KnobSpace::KnobSpace(llvm::SmallVector<Knob> knobs, Legality isLegal)
    : knobs(std::move(knobs)), legality(std::move(isLegal)) {
  assert(llvm::all_of(this->knobs,
                      [](const Knob &knob) { return !knob.options.empty(); }) &&
         "a knob without options admits no candidate");
}

unsigned KnobSpace::indexOf(llvm::StringRef name) const {
  for (auto [i, knob] : llvm::enumerate(knobs))
    if (knob.name == name)
      return i;
  llvm_unreachable("no knob of that name");
}

const KnobValue &KnobSpace::value(const Candidate &candidate,
                                  llvm::StringRef knob) const {
  unsigned i = indexOf(knob);
  return knobs[i].options[candidate[i]];
}

int64_t KnobSpace::intValue(const Candidate &candidate,
                            llvm::StringRef knob) const {
  return std::get<int64_t>(value(candidate, knob));
}

bool KnobSpace::isLegal(const Candidate &candidate) const {
  return !legality || legality(*this, candidate);
}

llvm::SmallVector<Candidate> KnobSpace::enumerate(size_t maxCandidates) const {
  llvm::SmallVector<Candidate> legal;
  Candidate candidate(knobs.size(), 0);
  while (true) {
    if (isLegal(candidate))
      legal.push_back(candidate);
    // Odometer step: the last knob varies fastest.
    int i = static_cast<int>(knobs.size()) - 1;
    for (; i >= 0; --i) {
      if (++candidate[i] < knobs[i].options.size())
        break;
      candidate[i] = 0;
    }
    if (i < 0)
      break;
  }
  if (maxCandidates == 0 || legal.size() <= maxCandidates)
    return legal;
  size_t stride = (legal.size() + maxCandidates - 1) / maxCandidates;
  llvm::SmallVector<Candidate> thinned;
  for (size_t i = 0; i < legal.size(); i += stride)
    thinned.push_back(legal[i]);
  return thinned;
}

std::string KnobSpace::describe(const Candidate &candidate) const {
  std::string text;
  for (auto [i, knob] : llvm::enumerate(knobs)) {
    if (i)
      text += ' ';
    text += knob.name + "=" + toString(knob.options[candidate[i]]);
  }
  return text;
}
