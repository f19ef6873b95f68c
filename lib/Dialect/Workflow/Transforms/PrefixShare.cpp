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
    for (Attribute a : segs.take_front(p.whole)) {
      auto seg = cast<SegAttr>(a);
      if (seg.getKind() == SegKind::Text)
        bytes += seg.getText().size();
      else if (auto param = symbols.lookup<ParamOp>(seg.getParam().getValue()))
        if (auto text = dyn_cast<StringAttr>(param.getInitialValue()))
          bytes += text.size();
    }
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

  /// Calls of one block sharing a prefix: each with the others that share
  /// the longest prefix it has with any of them.
  void shareAcross(Block &block) {
    SmallVector<LlmOp> calls(block.getOps<LlmOp>());
    llvm::SmallPtrSet<Operation *, 16> done;
    for (LlmOp call : calls) {
      if (done.contains(call))
        continue;
      ArrayRef<Attribute> mine = staticSegments(call);
      Prefix best;
      for (LlmOp other : calls)
        if (other != call && !done.contains(other) &&
            other.getModelAttr() == call.getModelAttr()) {
          Prefix p = common(mine, staticSegments(other));
          if (tokens(mine, p) > tokens(mine, best))
            best = p;
        }
      if (tokens(mine, best) < minTokens)
        continue;
      SmallVector<LlmOp> group;
      for (LlmOp other : calls) {
        if (done.contains(other) || other.getModelAttr() != call.getModelAttr())
          continue;
        Prefix p = common(mine, staticSegments(other));
        if (p.whole > best.whole ||
            (p.whole == best.whole && p.chars >= best.chars))
          group.push_back(other);
      }
      // The prefill has static segments only: it can open the block.
      OpBuilder b(&block, block.begin());
      Value ctx = prefill(b, call, best);
      for (LlmOp member : group) {
        done.insert(member);
        extend(member, ctx, best);
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
    PrefixSharer sharer(getOperation(), minSharedTokens);
    for (auto graph : getOperation().getOps<GraphOp>())
      sharer.run(graph.getBody().front());
  }
};

} // namespace
