//===- LinalgTasks.cpp - The linalg.tile problems loom-tune measures ------===//
//
// The contractions loom-tile-linalg tiles: plain matmuls with either
// operand transposed, batched matmuls and attention's scores and context,
// from decode (one row) to a few hundred rows, sizes that many tiles divide
// and sizes few do.
//
//===----------------------------------------------------------------------===//

#include "Tasks.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <random>
#include <set>
#include <sstream>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

/// A contraction form and the letters that stand for its m, n and k dims
/// and its batch dim ('-': none).
struct Form {
  const char *spec;
  const char *mnkb;
};

const Form kForms[] = {{"mk,kn->mn", "mnk-"},    {"mk,nk->mn", "mnk-"},
                       {"km,kn->mn", "mnk-"},    {"bmk,bkn->bmn", "mnkb"},
                       {"nhe,she->nhs", "nseh"}, {"nhs,she->nhe", "nesh"}};

/// Multiply-adds beyond which a task is left out: its unit-tile candidate
/// would take several milliseconds a call.
constexpr double kMaxMacs = 4.5e6;

std::pair<llvm::StringRef, llvm::StringRef> splitSpec(llvm::StringRef spec) {
  return spec.split("->");
}

/// The letters of `spec` in the order they first appear.
std::string lettersOf(llvm::StringRef spec) {
  std::string letters;
  for (char letter : spec)
    if (llvm::isAlpha(letter) && letters.find(letter) == std::string::npos)
      letters += letter;
  return letters;
}

ContractionProblem problemOf(const Form &form, int64_t m, int64_t n, int64_t k,
                             int64_t batch, const char *element = "f32") {
  ContractionProblem p{form.spec, {}, element};
  int64_t sizes[] = {m, n, k, batch};
  for (char letter : lettersOf(form.spec))
    p.sizes.push_back({letter, sizes[llvm::StringRef(form.mnkb).find(letter)]});
  return p;
}

int64_t sizeOf(const ContractionProblem &p, char letter) {
  for (auto [l, size] : p.sizes)
    if (l == letter)
      return size;
  return 0;
}

/// The shape of an operand whose dims are `letters`.
std::vector<int64_t> shapeOf(const ContractionProblem &p,
                             llvm::StringRef letters) {
  std::vector<int64_t> shape;
  for (char letter : letters)
    shape.push_back(sizeOf(p, letter));
  return shape;
}

/// Loops: the result's letters, then the summed ones.
std::string loopOrder(const ContractionProblem &p) {
  std::string order = splitSpec(p.spec).second.str();
  for (auto [letter, size] : p.sizes)
    if (order.find(letter) == std::string::npos)
      order += letter;
  return order;
}

std::string indexingMap(llvm::StringRef loops, llvm::StringRef operand) {
  std::vector<std::string> dims, results;
  for (size_t i = 0; i < loops.size(); ++i)
    dims.push_back("d" + std::to_string(i));
  for (char letter : operand)
    results.push_back("d" + std::to_string(loops.find(letter)));
  return "affine_map<(" + llvm::join(dims, ", ") + ") -> (" +
         llvm::join(results, ", ") + ")>";
}

/// The element types a contraction task may have; f32 is left unsaid.
const char *const kElements[] = {"f32", "f16", "bf16"};

/// The products each output element sums.
int64_t summedProducts(const ContractionProblem &p) {
  int64_t summed = 1;
  for (auto [letter, size] : p.sizes)
    if (splitSpec(p.spec).second.find(letter) == llvm::StringRef::npos)
      summed *= size;
  return summed;
}

} // namespace

std::string tune::describe(const ContractionProblem &p) {
  std::string text = p.spec;
  for (auto [letter, size] : p.sizes)
    text += " " + std::string(1, letter) + "=" + std::to_string(size);
  return p.element == "f32" ? text : text + " " + p.element;
}

llvm::json::Value tune::toJson(const ContractionProblem &p) {
  llvm::json::Object sizes;
  for (auto [letter, size] : p.sizes)
    sizes[std::string(1, letter)] = size;
  llvm::json::Object object{{"spec", p.spec}, {"sizes", std::move(sizes)}};
  if (p.element != "f32")
    object["element"] = p.element;
  return object;
}

float tune::contractionRoundingBound(const ContractionProblem &p) {
  float epsilon = p.element == "bf16" ? 0x1p-8f : 0x1p-11f;
  return 4 * epsilon * std::sqrt(float(summedProducts(p)));
}

llvm::Expected<ContractionProblem>
tune::contractionFromJson(const llvm::json::Value &value) {
  const llvm::json::Object *object = value.getAsObject();
  std::optional<llvm::StringRef> spec =
      object ? object->getString("spec") : std::nullopt;
  const llvm::json::Object *sizes =
      object ? object->getObject("sizes") : nullptr;
  if (!spec || !sizes)
    return llvm::createStringError(
        "a linalg.tile task needs a spec and its sizes");
  const Form *form =
      llvm::find_if(kForms, [&](const Form &f) { return *spec == f.spec; });
  if (form == std::end(kForms))
    return llvm::createStringError("unknown contraction '" + spec->str() + "'");
  llvm::StringRef element = object->getString("element").value_or("f32");
  if (!llvm::is_contained(kElements, element))
    return llvm::createStringError("contraction " + spec->str() +
                                   ": unknown element type '" + element.str() +
                                   "' (have f32, f16, bf16)");
  ContractionProblem p{spec->str(), {}, element.str()};
  for (char letter : lettersOf(*spec)) {
    std::optional<int64_t> size = sizes->getInteger(std::string(1, letter));
    if (!size || *size <= 0)
      return llvm::createStringError("contraction " + spec->str() +
                                     ": size of '" + std::string(1, letter) +
                                     "' must be a positive integer");
    p.sizes.push_back({letter, *size});
  }
  return p;
}

std::vector<Task> tune::generateLinalgTasks(unsigned seed) {
  std::vector<Task> tasks;
  std::set<std::string> seen;
  auto add = [&](const Form &form, int64_t m, int64_t n, int64_t k,
                 int64_t batch, double maxMacs = kMaxMacs,
                 const char *element = "f32") {
    Task task{"linalg.tile", problemOf(form, m, n, k, batch, element)};
    if (double(m) * n * k * batch <= maxMacs &&
        seen.insert(task.describe()).second)
      tasks.push_back(task);
  };
  // Matmuls with either operand transposed, decode to small batches.
  const int64_t shapes[][3] = {{1, 256, 256}, {4, 128, 256},   {16, 64, 64},
                               {64, 64, 64},  {128, 128, 128}, {256, 96, 64},
                               {32, 512, 32}, {8, 24, 40}};
  for (const Form &form : llvm::ArrayRef(kForms).take_front(3))
    for (auto [m, n, k] : shapes)
      add(form, m, n, k, 1);
  for (auto [b, m, n, k] : {std::array<int64_t, 4>{4, 16, 64, 64},
                            {8, 32, 32, 32},
                            {2, 128, 64, 128},
                            {16, 8, 8, 64}})
    add(kForms[3], m, n, k, b);
  // Attention: heads, head dim, sequence, tokens.
  for (int64_t heads : {4, 8})
    for (int64_t headDim : {64, 128})
      for (int64_t seq : {64, 256})
        for (int64_t tokens : {1, 16}) {
          add(kForms[4], tokens, seq, headDim, heads);
          add(kForms[5], tokens, headDim, seq, heads);
        }
  // Projections at prompt-sized row counts, weights [out, in] and
  // [in, out], up to twice the others' multiply-adds.
  const std::pair<int64_t, int64_t> projections[] = {
      {512, 256}, {256, 512}, {512, 128}, {384, 384}};
  for (int64_t m : {16, 32, 64})
    for (auto [k, n] : projections)
      for (const Form &form : llvm::ArrayRef(kForms).take_front(2))
        add(form, m, n, k, 1, 2 * kMaxMacs);
  // Random shapes for coverage, from the seed.
  std::mt19937 rng(seed);
  const int64_t ms[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256},
                ns[] = {8, 16, 24, 32, 48, 64, 96, 128, 160, 256, 384, 512},
                ks[] = {8, 16, 32, 48, 64, 96, 128, 256, 384, 512},
                batches[] = {2, 3, 4, 8};
  auto pick = [&](auto &options) {
    return options[std::uniform_int_distribution<size_t>(0, std::size(options) -
                                                                1)(rng)];
  };
  for (int i = 0; i < 260; ++i) {
    const Form &form = pick(kForms);
    int64_t m = pick(ms), n = pick(ns), k = pick(ks);
    int64_t batch = form.mnkb[3] == '-' ? 1 : pick(batches);
    add(form, m, n, k, batch);
  }
  // Half precision, last so that the tasks above keep their order: the
  // matmuls, attention at 16 tokens and the 64-row projections in f16, the
  // untransposed matmuls in bf16.
  for (auto [element, forms] :
       {std::pair<const char *, size_t>{"f16", 3}, {"bf16", 2}})
    for (const Form &form : llvm::ArrayRef(kForms).take_front(forms))
      for (auto [m, n, k] : shapes)
        add(form, m, n, k, 1, kMaxMacs, element);
  for (int64_t heads : {4, 8})
    for (int64_t headDim : {64, 128})
      for (int64_t seq : {64, 256}) {
        add(kForms[4], 16, seq, headDim, heads, kMaxMacs, "f16");
        add(kForms[5], 16, headDim, seq, heads, kMaxMacs, "f16");
      }
  for (auto [k, n] : projections)
    for (const Form &form : llvm::ArrayRef(kForms).take_front(2))
      add(form, 64, n, k, 1, 2 * kMaxMacs, "f16");
  return tasks;
}

std::vector<TaskInput> tune::linalgTaskInputs(const ContractionProblem &p) {
  llvm::SmallVector<llvm::StringRef> operands;
  splitSpec(p.spec).first.split(operands, ',');
  // Each operand at k^(-1/4), so the sums of k products stay O(1).
  float scale = 1 / std::sqrt(std::sqrt(float(summedProducts(p))));
  std::vector<TaskInput> inputs;
  for (llvm::StringRef operand : operands)
    inputs.push_back({shapeOf(p, operand), scale, p.element});
  return inputs;
}

std::string tune::linalgTaskModule(const ContractionProblem &p,
                                   llvm::ArrayRef<TaskEntry> entries) {
  auto [inputs, result] = splitSpec(p.spec);
  auto [lhs, rhs] = inputs.split(',');
  std::string loops = loopOrder(p);
  std::string lhsType = tensorType(shapeOf(p, lhs), p.element),
              rhsType = tensorType(shapeOf(p, rhs), p.element),
              outType = tensorType(shapeOf(p, result), p.element);
  const std::string &e = p.element;
  std::vector<std::string> iterators;
  for (char letter : loops)
    iterators.push_back(result.contains(letter) ? "\"parallel\""
                                                : "\"reduction\"");
  std::ostringstream os;
  for (const TaskEntry &entry : entries) {
    os << "func.func @" << entry.name << "(%a: " << lhsType
       << ", %b: " << rhsType << ") -> " << outType << " {\n"
       << "  %zero = arith.constant 0.0 : " << e << "\n"
       << "  %init = tensor.empty() : " << outType << "\n"
       << "  %acc = linalg.fill ins(%zero : " << e
       << ") outs(%init : " << outType << ") -> " << outType << "\n"
       << "  %r = linalg.generic {indexing_maps = [" << indexingMap(loops, lhs)
       << ", " << indexingMap(loops, rhs) << ", " << indexingMap(loops, result)
       << "], iterator_types = [" << llvm::join(iterators, ", ") << "]"
       << (entry.decision.empty() ? "" : ", loom.decision = " + entry.decision)
       << "} ins(%a, %b : " << lhsType << ", " << rhsType
       << ") outs(%acc : " << outType << ") {\n"
       << "  ^bb0(%x: " << e << ", %y: " << e << ", %s: " << e << "):\n"
       << "    %p = arith.mulf %x, %y : " << e << "\n"
       << "    %t = arith.addf %s, %p : " << e << "\n"
       << "    linalg.yield %t : " << e << "\n"
       << "  } -> " << outType << "\n"
       << "  return %r : " << outType << "\n}\n";
  }
  return os.str();
}
