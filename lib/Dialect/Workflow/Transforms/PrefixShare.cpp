//===- PrefixShare.cpp - The wf-prefix-share pass -------------------------===//
//
// A prefix shared by many calls is worth computing once only if the
// runtime knows it is shared before the calls arrive: the prefill is an
// explicit node, scheduled as early as its (static) segments allow, and
// every extension depends on it.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

#include <numeric>
#include <optional>

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFPREFIXSHARE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// A shared prefix: `whole` leading segments, then `chars` bytes of the
/// next (text) segment.
struct Prefix {
  size_t whole = 0, chars = 0;
};

class PrefixSharer {
public:
  PrefixSharer(ModuleOp module, int64_t minTokens)
      : symbols(module), minTokens(minTokens) {}

  void run(Block &block) {
    for (Operation &op : block)
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          run(inner);
    hoistIterated(block);
    shareAcross(block);
  }

private:
  /// The leading text and parameter segments of a call.
  static ArrayRef<Attribute> staticSegments(LlmOp call) {
    ArrayRef<Attribute> segs = call.getSegments().getValue();
    size_t n = 0;
    while (n < segs.size() &&
           cast<SegAttr>(segs[n]).getKind() != SegKind::Operand)
      ++n;
    return segs.take_front(n);
  }

  /// The common prefix of two static segment lists.
  static Prefix common(ArrayRef<Attribute> a, ArrayRef<Attribute> b) {
    Prefix p;
    while (p.whole < a.size() && p.whole < b.size() && a[p.whole] == b[p.whole])
      ++p.whole;
    if (p.whole < a.size() && p.whole < b.size()) {
      auto x = cast<SegAttr>(a[p.whole]), y = cast<SegAttr>(b[p.whole]);
      if (x.getKind() == SegKind::Text && y.getKind() == SegKind::Text) {
        StringRef s = x.getText(), t = y.getText();
        while (p.chars < s.size() && p.chars < t.size() &&
               s[p.chars] == t[p.chars])
          ++p.chars;
      }
    }
    return p;
  }

  int64_t tokens(ArrayRef<Attribute> segs, Prefix p) {
    int64_t bytes = static_cast<int64_t>(p.chars);
    for (Attribute a : segs.take_front(p.whole))
      bytes += staticSegmentText(cast<SegAttr>(a), symbols).size();
    return bytes / 4;
  }

  /// The segments of `p`, and what is left of `segs` after it.
  std::pair<SmallVector<Attribute>, SmallVector<Attribute>>
  split(ArrayRef<Attribute> segs, Prefix p, MLIRContext *ctx) {
    SmallVector<Attribute> head(segs.take_front(p.whole)), tail;
    size_t rest = p.whole;
    if (p.chars > 0) {
      auto seg = cast<SegAttr>(segs[p.whole]);
      StringRef text = seg.getText();
      head.push_back(SegAttr::get(ctx, SegKind::Text, text.take_front(p.chars),
                                  0, nullptr));
      if (p.chars < text.size())
        tail.push_back(SegAttr::get(ctx, SegKind::Text,
                                    text.drop_front(p.chars), 0, nullptr));
      ++rest;
    }
    llvm::append_range(tail, segs.drop_front(rest));
    return {head, tail};
  }

  /// The prefill of `call`'s first `p` segments.
  CtxPrefillOp prefill(OpBuilder &b, LlmOp call, Prefix p) {
    auto type = CtxType::get(call.getContext(), call.getModelAttr());
    SmallVector<Attribute> head =
        split(call.getSegments().getValue(), p, call.getContext()).first;
    return CtxPrefillOp::create(b, call.getLoc(), type, call.getModelAttr(),
                                b.getArrayAttr(head), ValueRange());
  }

  /// Replaces `call` by an extension of `ctx` with what follows `p`.
  void extend(LlmOp call, Value ctx, Prefix p) {
    OpBuilder b(call);
    SmallVector<Attribute> tail =
        split(call.getSegments().getValue(), p, call.getContext()).second;
    auto ext = LlmExtendOp::create(
        b, call.getLoc(), call.getType(), ctx, b.getArrayAttr(tail),
        call.getArgs(), call.getMaxTokensAttr(), call.getTemperatureAttr(),
        call.getStopAttr(), call.getSeedAttr(), call.getCostAttr());
    // Ids, origins, objectives and schedules stay with the call.
    for (NamedAttribute attr : call->getDiscardableAttrs())
      ext->setAttr(attr.getName(), attr.getValue());
    call.replaceAllUsesWith(ext.getResult());
    call.erase();
  }

  /// A call in a map or replicate body shares with its own iterations.
  void hoistIterated(Block &block) {
    for (Operation &op : block) {
      if (!isa<MapOp, ReplicateOp>(op))
        continue;
      for (LlmOp call : llvm::make_early_inc_range(
               op.getRegion(0).front().getOps<LlmOp>())) {
        ArrayRef<Attribute> segs = staticSegments(call);
        Prefix all{segs.size(), 0};
        if (tokens(segs, all) < minTokens)
          continue;
        OpBuilder b(&op);
        extend(call, prefill(b, call, all), all);
      }
    }
  }

  /// Orders static segment lists so that, as for sorted strings, the
  /// longest prefix a list shares with any other is the one it shares
  /// with a neighbour, and the lists sharing at least some prefix with it
  /// are a run around it.
  static bool before(ArrayRef<Attribute> a, ArrayRef<Attribute> b) {
    for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
      if (a[k] == b[k])
        continue;
      auto x = cast<SegAttr>(a[k]), y = cast<SegAttr>(b[k]);
      if (x.getKind() != y.getKind())
        return x.getKind() < y.getKind();
      if (x.getKind() == SegKind::Text)
        return x.getText() < y.getText();
      return x.getParam().getValue() < y.getParam().getValue();
    }
    return a.size() < b.size();
  }

  static bool atLeast(Prefix p, Prefix q) {
    return p.whole > q.whole || (p.whole == q.whole && p.chars >= q.chars);
  }

  /// Calls of one block sharing a prefix: each, in block order, with the
  /// calls not yet shared that share the longest prefix it has with any
  /// of them. Sorting by (model, segments) keeps this O(n log n): a
  /// 100k-node graph has 50k calls.
  void shareAcross(Block &block) {
    SmallVector<LlmOp> calls(block.getOps<LlmOp>());
    size_t n = calls.size();
    if (n < 2)
      return;
    SmallVector<ArrayRef<Attribute>> segs;
    SmallVector<StringRef> models;
    for (LlmOp call : calls) {
      segs.push_back(staticSegments(call));
      models.push_back(call.getModel());
    }
    SmallVector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    llvm::sort(order, [&](size_t i, size_t j) {
      if (models[i] != models[j])
        return models[i] < models[j];
      if (before(segs[i], segs[j]))
        return true;
      if (before(segs[j], segs[i]))
        return false;
      return i < j;
    });
    // A doubly linked list over the sorted calls not yet shared; `none`
    // ends it.
    const size_t none = n;
    SmallVector<size_t> rank(n), prev(n), next(n);
    for (size_t r = 0; r < n; ++r) {
      rank[order[r]] = r;
      prev[r] = r == 0 ? none : r - 1;
      next[r] = r + 1 == n ? none : r + 1;
    }
    auto unlink = [&](size_t r) {
      if (prev[r] != none)
        next[prev[r]] = next[r];
      if (next[r] != none)
        prev[next[r]] = prev[r];
    };
    SmallVector<bool> done(n, false);
    // The prefix of `i` shared with the call at rank `r`, if any.
    auto shared = [&](size_t i, size_t r) -> std::optional<Prefix> {
      if (r == none || models[order[r]] != models[i])
        return std::nullopt;
      return common(segs[i], segs[order[r]]);
    };
    for (size_t i = 0; i < n; ++i) {
      if (done[i])
        continue;
      size_t r = rank[i];
      std::optional<Prefix> left = shared(i, prev[r]),
                            right = shared(i, next[r]);
      if (!left && !right)
        continue;
      // Of prefixes with as many tokens, the one with fewer segments: it
      // admits more calls.
      Prefix best = left ? *left : *right;
      if (left && right) {
        int64_t l = tokens(segs[i], *left), q = tokens(segs[i], *right);
        if (q > l || (q == l && !atLeast(*right, *left)))
          best = *right;
      }
      if (tokens(segs[i], best) < minTokens)
        continue;
      // The run around `r`, walked outwards in both directions.
      SmallVector<size_t> group{r};
      for (SmallVector<size_t> *link : {&prev, &next})
        for (size_t k = (*link)[r]; k != none; k = (*link)[k]) {
          std::optional<Prefix> p = shared(i, k);
          if (!p || !atLeast(*p, best))
            break;
          group.push_back(k);
        }
      // The extensions keep block order, so printed IR reads as written.
      llvm::sort(group,
                 [&](size_t a, size_t b) { return order[a] < order[b]; });
      // The prefill has static segments only: it can open the block.
      OpBuilder b(&block, block.begin());
      Value ctx = prefill(b, calls[i], best);
      for (size_t k : group) {
        done[order[k]] = true;
        unlink(k);
        extend(calls[order[k]], ctx, best);
      }
    }
  }

  SymbolTable symbols;
  int64_t minTokens;
};

struct WfPrefixSharePass
    : mlir::loom::wf::impl::WfPrefixShareBase<WfPrefixSharePass> {
  using WfPrefixShareBase::WfPrefixShareBase;
  void runOnOperation() override {
    if (minSharedTokens < 0) {
      emitError(getOperation().getLoc())
          << "wf-prefix-share: min-shared-tokens must be a token count, got "
          << int64_t(minSharedTokens);
      return signalPassFailure();
    }
    PrefixSharer sharer(getOperation(), minSharedTokens);
    for (auto graph : getOperation().getOps<GraphOp>())
      sharer.run(graph.getBody().front());
  }
};

} // namespace
