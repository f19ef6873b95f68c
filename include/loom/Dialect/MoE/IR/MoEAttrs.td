#ifndef LOOM_DIALECT_MOE_IR_MOEATTRS_TD
#define LOOM_DIALECT_MOE_IR_MOEATTRS_TD

include "loom/Dialect/MoE/IR/MoEDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class MoE_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::loom::moe";
  let genSpecializedAttr = 0;
}

def MoE_Scoring : MoE_Enum<"Scoring", "router score function", [
    I32EnumAttrCase<"Softmax", 0, "softmax">,
    I32EnumAttrCase<"Sigmoid", 1, "sigmoid">]>;

def MoE_GroupScore : MoE_Enum<"GroupScore", "score of an expert group", [
    I32EnumAttrCase<"Max", 0, "max">,
    I32EnumAttrCase<"Top2Sum", 1, "top2_sum">]>;

def MoE_Activation : MoE_Enum<"Activation", "expert activation / GEMM epilogue", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Relu", 1, "relu">,
    I32EnumAttrCase<"Gelu", 2, "gelu">,
    I32EnumAttrCase<"GeluTanh", 3, "gelu_tanh">,
    I32EnumAttrCase<"Silu", 4, "silu">,
    I32EnumAttrCase<"Swiglu", 5, "swiglu">,
    I32EnumAttrCase<"Geglu", 6, "geglu">]>;

def MoE_ScoreAt : MoE_Enum<"ScoreAt", "where the gate weight multiplies", [
    I32EnumAttrCase<"Post", 0, "post">,
    I32EnumAttrCase<"Pre", 1, "pre">]>;

def MoE_LayoutKind : MoE_Enum<"LayoutKind", "row layout of dispatched tokens", [
    I32EnumAttrCase<"Grouped", 0, "grouped">,
    I32EnumAttrCase<"Padded", 1, "padded">]>;

def MoE_StrategyKind : MoE_Enum<"StrategyKind", "how a layer computes its experts", [
    I32EnumAttrCase<"Grouped", 0, "grouped">,
    I32EnumAttrCase<"Padded", 1, "padded">,
    I32EnumAttrCase<"Dense", 2, "dense">]>;

class MoE_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<MoE_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def MoE_RoutingAttr : MoE_Attr<"Routing", "routing"> {
  let summary = "how tokens choose experts";
  let description = [{
    `#moe.routing<k = 2, scoring = softmax, renormalize, scale = 2.5,
    groups = 8, group_topk = 4, group_score = top2_sum, prioritized>`: k
    slots per token; softmax or sigmoid scores; renormalization of the k
    weights (clamped below by 2^-23, as Tutel does); a routed scaling
    factor; group-limited routing (DeepSeek-V3) and batch-prioritized
    routing. Every field but `k` has a default.
  }];
  let parameters = (ins
    "int64_t":$k,
    "Scoring":$scoring,
    "bool":$renormalize,
    APFloatParameter<"routed scaling factor">:$scale,
    "int64_t":$groups,
    "int64_t":$groupTopk,
    "GroupScore":$groupScore,
    "bool":$prioritized);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def MoE_CapacityAttr : MoE_Attr<"Capacity", "capacity"> {
  let summary = "Tutel's capacity factor and row alignment";
  let description = [{
    `#moe.capacity<factor = 1.25, align = 1>`. factor > 0: C = k *
    int(factor * ceil(T / E)); factor = 0: dropless, C = the largest expert
    load; factor < 0: C = min(largest load, k * int(-factor * ceil(T / E))).
    C is then rounded up to a multiple of `align`.
  }];
  let parameters = (ins APFloatParameter<"capacity factor">:$factor,
                        "int64_t":$align);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def MoE_FfnAttr : MoE_Attr<"Ffn", "ffn"> {
  let summary = "expert feed-forward network kind";
  let description = [{
    `#moe.ffn<swiglu>` or `#moe.ffn<relu, bias_in, bias_out>`: the
    activation between the two expert GEMMs (`swiglu` and `geglu` are gated:
    the first weight holds 2h rows, gate rows first) and whether each GEMM
    has a bias.
  }];
  let parameters = (ins "Activation":$activation, "bool":$biasIn,
                        "bool":$biasOut);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    bool isGated() const {
      return getActivation() == Activation::Swiglu ||
             getActivation() == Activation::Geglu;
    }
  }];
}

def MoE_LayoutAttr : MoE_Attr<"Layout", "layout"> {
  let summary = "row layout of the dispatched buffer";
  let description = [{
    `#moe.layout<grouped, row_align = 1>`: each expert's kept rows follow
    the previous expert's, padded to `row_align` rows;
    `#moe.layout<padded>`: expert e owns rows [e*C, (e+1)*C) (Tutel's
    [E, C, d] buffer).
  }];
  let parameters = (ins "LayoutKind":$kind,
                        DefaultValuedParameter<"int64_t", "1">:$rowAlign);
  let assemblyFormat = "`<` $kind (`,` `row_align` `=` $rowAlign^)? `>`";
  let genVerifyDecl = 1;
}

def MoE_TileAttr : MoE_Attr<"Tile", "tile"> {
  let summary = "register tile of the grouped GEMM kernel";
  let description = [{
    `#moe.tile<rows = 4, weight_rows = 6>`: the vector kernel keeps one
    accumulator per (dispatched row, weight row) pair of the tile. For gated
    epilogues half the weight rows are gate rows and half the matching up
    rows, so `weight_rows` is even. The kernel unrolls over the tile, so
    its `rows * weight_rows` accumulators, `rows` row vectors and one
    weight vector must fit the 32 vector registers: a larger tile would
    only spill, with code that grows as its area.
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$weightRows);
  let assemblyFormat = "`<` `rows` `=` $rows `,` `weight_rows` `=` $weightRows `>`";
  let genVerifyDecl = 1;
}

def MoE_StrategyAttr : MoE_Attr<"Strategy", "strategy"> {
  let summary = "the lowering chosen for a moe.layer (moe.md §3.2)";
  let description = [{
    `#moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>`, set by
    `moe-select-strategy` or by hand: `grouped` sorts the kept slots by
    expert into unpadded segments, `padded` uses Tutel's [E, C] buffer,
    `dense` runs every expert on every token and masks the combine (dropless
    post-score layers only). `tile` is the grouped GEMM kernel's register
    tile.
  }];
  let parameters = (ins "StrategyKind":$kind, "TileAttr":$tile);
  let assemblyFormat = "`<` $kind `,` `tile` `=` $tile `>`";
}

def MoE_ActivationAttr : EnumAttr<MoE_Dialect, MoE_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}
def MoE_ScoringAttr : EnumAttr<MoE_Dialect, MoE_Scoring, "scoring"> {
  let assemblyFormat = "`<` $value `>`";
}
def MoE_GroupScoreAttr : EnumAttr<MoE_Dialect, MoE_GroupScore, "group_score"> {
  let assemblyFormat = "`<` $value `>`";
}
def MoE_ScoreAtAttr : EnumAttr<MoE_Dialect, MoE_ScoreAt, "score_at"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOOM_DIALECT_MOE_IR_MOEATTRS_TD
