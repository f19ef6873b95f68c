#ifndef LOOM_DIALECT_LOOM_IR_LOOMDIALECT_TD
#define LOOM_DIALECT_LOOM_IR_LOOMDIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let cppNamespace = "::mlir::loom";
  let summary = "Attributes every Loom dialect shares: cost-model decisions";
  let description = [{
    The `loom` dialect has no ops. Its `#loom.decision` attribute records
    the choice the cost model (or a user) made for a tunable op, under the
    discardable name `loom.decision`; lowering patterns read only this
    attribute, so the IR after `loom-decide` replays a compile exactly.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
}

def Loom_DecisionAttr : AttrDef<Loom_Dialect, "Decision"> {
  let mnemonic = "decision";
  let summary = "The knob values chosen for a tunable op, and who chose";
  let description = [{
    `kind` is the decision id (`"lut.gemm"`, ...), `knobs` one entry per
    knob of the op's knob space, `source` one of `roofline`, `learned` or
    `user`, and `model` the model that decided (`"roofline"` or
    `"<target>/<decision>@<hash>"`).

    ```mlir
    %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm",
        {column_tile = 4 : i64, prefetch = 2048 : i64},
        source = "roofline", model = "roofline">} : ...
    ```

    On an op that implements `TunableOpInterface` the verifier checks the
    kind and that every knob is present with one of its options.
  }];
  let parameters = (ins "::mlir::StringAttr":$kind,
                        "::mlir::DictionaryAttr":$knobs,
                        "::mlir::StringAttr":$source,
                        "::mlir::StringAttr":$model);
  let assemblyFormat = [{
    `<` $kind `,` $knobs `,` `source` `=` $source `,` `model` `=` $model `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The discardable attribute name decisions are recorded under.
    static constexpr ::llvm::StringLiteral kAttrName = "loom.decision";
    /// The value of integer knob `name`, if the decision has one.
    std::optional<int64_t> getIntKnob(::llvm::StringRef name) const;
    /// The value of string knob `name`, if the decision has one.
    std::optional<::llvm::StringRef>
    getStringKnob(::llvm::StringRef name) const;
    /// The decision choosing `candidate` of `space`: one knob entry per
    /// knob, integers as i64.
    static DecisionAttr getForCandidate(::mlir::MLIRContext *context,
                                        ::llvm::StringRef kind,
                                        const ::mlir::loom::cost::KnobSpace &space,
                                        const ::mlir::loom::cost::Candidate &candidate,
                                        ::llvm::StringRef source,
                                        ::llvm::StringRef model);
  }];
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMDIALECT_TD
