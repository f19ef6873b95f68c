//===- WorkflowOps.cpp - wf dialect operations ----------------------------===//

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "loom/Support/Format.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::wf;

#include "loom/Dialect/Workflow/IR/WorkflowInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isText(Type t) { return isa<TextType>(t); }

static bool isTextList(Type t) {
  auto list = dyn_cast<ListType>(t);
  return list && isText(list.getElementType());
}

/// Looks up `name` as an `OpT` from `op`, with a located error naming
/// `what` when it is missing or of another kind.
template <typename OpT>
static FailureOr<OpT> lookupSymbol(Operation *op,
                                   SymbolTableCollection &symbols,
                                   FlatSymbolRefAttr name, StringRef what) {
  Operation *found = symbols.lookupNearestSymbolFrom(op, name);
  auto typed = dyn_cast_or_null<OpT>(found);
  if (!typed)
    return op->emitOpError() << name << " does not name a " << what;
  return typed;
}

/// Checks that the types of `actual` equal `expected`, naming `what`.
static LogicalResult checkTypes(Operation *op, StringRef what,
                                TypeRange actual, TypeRange expected) {
  if (actual == expected)
    return success();
  auto diag = op->emitOpError() << what << " types (";
  llvm::interleaveComma(actual, diag);
  diag << ") do not match the expected (";
  llvm::interleaveComma(expected, diag);
  return diag << ")";
}

/// Checks a call-like node against its callee's signature; effectful tools
/// return one ordering token more than their def declares.
static LogicalResult checkSignature(Operation *op, OperandRange args,
                                    FunctionType type, bool extraToken = false) {
  if (failed(checkTypes(op, "argument", args.getTypes(), type.getInputs())))
    return failure();
  SmallVector<Type> results(type.getResults());
  if (extraToken)
    results.push_back(TokenType::get(op->getContext()));
  return checkTypes(op, "result", op->getResultTypes(), results);
}

/// Operand segments must name existing operands, and every operand must be
/// used by some segment.
static LogicalResult verifySegments(Operation *op, ArrayAttr segments,
                                    unsigned numArgs) {
  llvm::SmallBitVector used(numArgs);
  for (Attribute attr : segments) {
    auto seg = cast<SegAttr>(attr);
    if (seg.getKind() != SegKind::Operand)
      continue;
    if (seg.getIndex() < 0 || seg.getIndex() >= numArgs)
      return op->emitOpError() << "segment names operand " << seg.getIndex()
                               << " but the node has " << numArgs
                               << " operands";
    used.set(seg.getIndex());
  }
  if (!used.all())
    return op->emitOpError() << "operand " << used.find_first_unset()
                             << " is not used by any segment";
  return success();
}

/// Parameter segments must name prompt or demos parameters.
static LogicalResult verifyParamSegments(Operation *op, ArrayAttr segments,
                                         SymbolTableCollection &symbols) {
  for (Attribute attr : segments) {
    auto seg = cast<SegAttr>(attr);
    if (seg.getKind() != SegKind::Param)
      continue;
    FailureOr<ParamOp> param =
        lookupSymbol<ParamOp>(op, symbols, seg.getParam(), "wf.param");
    if (failed(param))
      return failure();
    ParamKind kind = param->getKind();
    if (kind != ParamKind::Prompt && kind != ParamKind::Demos)
      return op->emitOpError() << "segment parameter " << seg.getParam()
                               << " must be a prompt or demos parameter";
  }
  return success();
}

static bool isEffectful(Effects e) {
  return e == Effects::Write || e == Effects::External;
}

//===----------------------------------------------------------------------===//
// Module-level declarations
//===----------------------------------------------------------------------===//

LogicalResult ModelOp::verify() {
  if (getMaxConcurrency() < 1 || getMaxBatchedTokens() < 1 ||
      getMaxContext() < 1)
    return emitOpError() << "model limits must be positive";
  return success();
}

static std::optional<double> numberOf(Attribute attr) {
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return static_cast<double>(i.getInt());
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  return std::nullopt;
}

LogicalResult ParamOp::verify() {
  Type type = getType();
  Attribute init = getInitialValue();
  switch (getKind()) {
  case ParamKind::Prompt:
    if (!isText(type) || !isa<StringAttr>(init))
      return emitOpError() << "a prompt parameter is !wf.text with a string "
                              "initial value";
    break;
  case ParamKind::Code:
    if (!isText(type) || !isa<StringAttr>(init))
      return emitOpError() << "a code parameter is !wf.text with a string "
                              "initial value";
    if (!getLang())
      return emitOpError() << "a code parameter needs a 'lang'";
    break;
  case ParamKind::Demos: {
    auto list = dyn_cast<ArrayAttr>(init);
    if (!isTextList(type) || !list ||
        !llvm::all_of(list, [](Attribute a) { return isa<StringAttr>(a); }))
      return emitOpError() << "a demos parameter is !wf.list<!wf.text> with "
                              "an array of strings";
    break;
  }
  case ParamKind::Hparam: {
    bool ok = (type.isInteger(64) && isa<IntegerAttr>(init)) ||
              (type.isF64() && isa<FloatAttr>(init));
    if (!ok)
      return emitOpError() << "an hparam is i64 or f64 with an initial value "
                              "of that type";
    if (ArrayAttr range = getRangeAttr()) {
      std::optional<double> lo, hi;
      if (range.size() == 2) {
        lo = numberOf(range[0]);
        hi = numberOf(range[1]);
      }
      if (!lo || !hi || *lo > *hi)
        return emitOpError() << "range must be [lo, hi] with lo <= hi";
      double value = *numberOf(init);
      if (value < *lo || value > *hi)
        return emitOpError() << "initial value " << formatNumber(value)
                             << " lies outside its range ["
                             << formatNumber(*lo) << ", "
                             << formatNumber(*hi) << "]";
    }
    break;
  }
  case ParamKind::Choice: {
    ArrayAttr options = getOptionsAttr();
    auto index = dyn_cast<IntegerAttr>(init);
    if (!type.isInteger(64) || !index)
      return emitOpError() << "a choice parameter is an i64 index";
    if (!options || options.empty())
      return emitOpError() << "a choice parameter needs non-empty 'options'";
    if (index.getInt() < 0 ||
        index.getInt() >= static_cast<int64_t>(options.size()))
      return emitOpError() << "choice " << index.getInt() << " is not one of "
                           << options.size() << " options";
    break;
  }
  }
  return success();
}

LogicalResult ToolDefOp::verify() {
  if (std::optional<int64_t> timeout = getTimeoutMs(); timeout && *timeout <= 0)
    return emitOpError() << "timeout_ms must be positive";
  if (getRetry()) {
    if (!getTimeoutMs())
      return emitOpError() << "a retry policy needs a timeout_ms";
    if (getEffects() == Effects::Write && !getIdempotent())
      return emitOpError() << "retrying a 'write' tool needs 'idempotent'";
  }
  if (std::optional<ArrayAttr> names = getArgNames();
      names && names->size() != getFunctionType().getNumInputs())
    return emitOpError() << "arg_names must name each of the "
                         << getFunctionType().getNumInputs() << " arguments";
  return success();
}

LogicalResult CodeDefOp::verify() {
  int given = (getImpl() ? 1 : 0) + (getExternal() ? 1 : 0) +
              (getSource() ? 1 : 0);
  if (given != 1)
    return emitOpError() << "a code def has exactly one of impl, external and "
                            "source";
  if (std::optional<ArrayAttr> names = getArgNames();
      names && names->size() != getFunctionType().getNumInputs())
    return emitOpError() << "arg_names must name each of the "
                         << getFunctionType().getNumInputs() << " arguments";
  return success();
}

LogicalResult CodeDefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (!getSourceAttr())
    return success();
  FailureOr<ParamOp> param =
      lookupSymbol<ParamOp>(*this, symbols, getSourceAttr(), "wf.param");
  if (failed(param))
    return failure();
  if (param->getKind() != ParamKind::Code)
    return emitOpError() << "source " << getSourceAttr()
                         << " must be a code parameter";
  return success();
}

//===----------------------------------------------------------------------===//
// GraphOp
//===----------------------------------------------------------------------===//

ParseResult GraphOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildType = [](Builder &builder, ArrayRef<Type> args,
                      ArrayRef<Type> results, function_interface_impl::VariadicFlag,
                      std::string &) {
    return builder.getFunctionType(args, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void GraphOp::print(OpAsmPrinter &printer) {
  function_interface_impl::printFunctionOp(
      printer, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

LogicalResult GraphOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getFunctionType().getNumInputs() ||
      TypeRange(body.getArgumentTypes()) != getFunctionType().getInputs())
    return emitOpError() << "block arguments must match the graph signature";
  // Directly in a graph (and in its structured nodes' regions) only wf ops
  // may appear; anything else belongs inside a wf.compute.
  WalkResult walk = getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<ComputeOp>(op->getParentOp()))
      return WalkResult::skip();
    if (!isa<WfDialect>(op->getDialect())) {
      op->emitOpError() << "is not a wf op: put it inside a wf.compute";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult ReturnOp::verify() {
  auto graph = cast<GraphOp>((*this)->getParentOp());
  return checkTypes(*this, "returned", getOperandTypes(),
                    graph.getFunctionType().getResults());
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

LogicalResult ConstOp::verify() {
  Type type = getType();
  Attribute value = getValue();
  bool ok = isText(type) ? isa<StringAttr>(value)
                         : isa<IntegerAttr, FloatAttr, ElementsAttr>(value);
  if (!ok)
    return emitOpError() << "value " << value << " cannot be a constant of "
                         << type;
  return success();
}

LogicalResult ParamGetOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<ParamOp> param =
      lookupSymbol<ParamOp>(*this, symbols, getParamAttr(), "wf.param");
  if (failed(param))
    return failure();
  if (param->getType() != getType())
    return emitOpError() << "parameter " << getParamAttr() << " has type "
                         << param->getType() << ", not " << getType();
  return success();
}

LogicalResult FormatOp::verify() {
  return verifySegments(*this, getSegments(), getArgs().size());
}

LogicalResult FormatOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyParamSegments(*this, getSegments(), symbols);
}

bool LlmOp::isDeterministic() {
  if (getSeed())
    return true;
  auto literal = dyn_cast_or_null<FloatAttr>(getTemperatureAttr());
  return literal && literal.getValueAsDouble() == 0.0;
}

/// What every completion checks: its segments, a positive `max_tokens`, a
/// literal temperature in [0, 2].
static LogicalResult verifyCompletion(Operation *op, ArrayAttr segments,
                                      unsigned numArgs, int64_t maxTokens,
                                      Attribute temperature) {
  if (failed(verifySegments(op, segments, numArgs)))
    return failure();
  if (maxTokens <= 0)
    return op->emitOpError()
           << "max_tokens must be positive, got " << maxTokens;
  if (auto literal = dyn_cast_or_null<FloatAttr>(temperature)) {
    double t = literal.getValueAsDouble();
    if (t < 0 || t > 2)
      return op->emitOpError() << "temperature must lie in [0, 2], got " << t;
  }
  return success();
}

LogicalResult LlmOp::verify() {
  return verifyCompletion(*this, getSegments(), getArgs().size(),
                          getMaxTokens(), getTemperatureAttr());
}

StringRef mlir::loom::wf::staticSegmentText(SegAttr seg, SymbolTable &symbols) {
  if (seg.getKind() == SegKind::Text)
    return seg.getText();
  if (seg.getKind() == SegKind::Param)
    if (auto param = symbols.lookup<ParamOp>(seg.getParam().getValue()))
      if (auto text = dyn_cast<StringAttr>(param.getInitialValue()))
        return text.getValue();
  return {};
}

FlatSymbolRefAttr LlmOp::getModelSymbol() { return getModelAttr(); }

FlatSymbolRefAttr LlmExtendOp::getModelSymbol() {
  return getCtx().getType().getModel();
}

SmallVector<CompletionOpInterface> LlmBatchOp::getMembers() {
  SmallVector<CompletionOpInterface> members;
  for (Operation &op : getBody().front().without_terminator())
    members.push_back(cast<CompletionOpInterface>(op));
  return members;
}

LogicalResult LlmBatchOp::verifyRegions() {
  Block &body = getBody().front();
  SmallVector<Value> results;
  for (Operation &op : body.without_terminator()) {
    auto member = dyn_cast<CompletionOpInterface>(op);
    if (!member)
      return op.emitOpError("cannot be a member of wf.llm.batch: only "
                            "wf.llm and wf.llm.extend can");
    if (member.getModelSymbol() != getModelAttr())
      return op.emitOpError()
             << "runs on " << member.getModelSymbol()
             << ", not on the batch's model " << getModelAttr();
    for (Value arg : op.getOperands())
      if (arg.getParentRegion() == &getBody())
        return op.emitOpError("reads another member's result: the members "
                              "of a batch must be independent");
    results.push_back(op.getResult(0));
  }
  if (results.size() < 2)
    return emitOpError() << "needs at least 2 members, has " << results.size();
  auto members = getMembers();
  for (CompletionOpInterface member : ArrayRef(members).drop_front())
    if (member.getSamplingKey() != members.front().getSamplingKey())
      return member->emitOpError(
          "samples unlike the batch's first member: the members of a batch "
          "share max_tokens, temperature, stop and seed");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || ValueRange(yield.getOperands()) != ValueRange(results))
    return emitOpError("must yield its members' results, in order");
  if (getNumResults() != results.size())
    return emitOpError() << "has " << getNumResults() << " results for "
                         << results.size() << " members";
  return success();
}

LogicalResult LlmOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<ModelOp> model =
      lookupSymbol<ModelOp>(*this, symbols, getModelAttr(), "wf.model");
  if (failed(model))
    return failure();
  if (getMaxTokens() > model->getMaxContext())
    return emitOpError() << "max_tokens " << getMaxTokens()
                         << " exceeds the model's max_context "
                         << model->getMaxContext();
  if (failed(verifyParamSegments(*this, getSegments(), symbols)))
    return failure();
  if (auto ref = dyn_cast_or_null<ParamRefAttr>(getTemperatureAttr())) {
    FailureOr<ParamOp> param =
        lookupSymbol<ParamOp>(*this, symbols, ref.getParam(), "wf.param");
    if (failed(param))
      return failure();
    if (param->getKind() != ParamKind::Hparam || !param->getType().isF64())
      return emitOpError() << "temperature parameter " << ref.getParam()
                           << " must be an f64 hparam";
    ArrayAttr range = param->getRangeAttr();
    if (!range || *numberOf(range[0]) < 0 || *numberOf(range[1]) > 2)
      return emitOpError() << "temperature parameter " << ref.getParam()
                           << " must have a range within [0, 2]";
  }
  return success();
}

LogicalResult CtxPrefillOp::verify() {
  if (getCtx().getType().getModel() != getModelAttr())
    return emitOpError() << "yields a context of "
                         << getCtx().getType().getModel() << ", not of "
                         << getModelAttr();
  return verifySegments(*this, getSegments(), getArgs().size());
}

LogicalResult CtxPrefillOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (failed(lookupSymbol<ModelOp>(*this, symbols, getModelAttr(), "wf.model")))
    return failure();
  return verifyParamSegments(*this, getSegments(), symbols);
}

LogicalResult LlmExtendOp::verify() {
  return verifyCompletion(*this, getSegments(), getArgs().size(),
                          getMaxTokens(), getTemperatureAttr());
}

LogicalResult LlmExtendOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (failed(verifyParamSegments(*this, getSegments(), symbols)))
    return failure();
  if (auto ref = dyn_cast_or_null<ParamRefAttr>(getTemperatureAttr()))
    if (failed(
            lookupSymbol<ParamOp>(*this, symbols, ref.getParam(), "wf.param")))
      return failure();
  return success();
}

OpFoldResult ConstOp::fold(FoldAdaptor) { return getValue(); }

StringRef ToolOp::getTraceBase() { return getTool(); }
StringRef CodeOp::getTraceBase() { return getCallee(); }
StringRef CallOp::getTraceBase() { return getCallee(); }
FlatSymbolRefAttr ToolOp::getCalleeSymbol() { return getToolAttr(); }
FlatSymbolRefAttr CodeOp::getCalleeSymbol() { return getCalleeAttr(); }
FlatSymbolRefAttr CallOp::getCalleeSymbol() { return getCalleeAttr(); }
// The verifier ties a tool's token to its def's effects.
bool ToolOp::hasExternalEffects() { return static_cast<bool>(getAfter()); }
// A callee may call effectful tools; until wf-inline, a call stays.
bool CallOp::hasExternalEffects() { return true; }
bool CallOp::isDeterministic() { return false; }
// Iteration i samples with seed_base + i, but the body decides whether
// that makes the samples reproducible: never merged.
bool ReplicateOp::isDeterministic() { return false; }
bool ToolOp::isDeterministic() {
  auto def =
      SymbolTable::lookupNearestSymbolFrom<ToolDefOp>(*this, getToolAttr());
  return def && def.getDeterministic() && !getAfter();
}

LogicalResult ToolOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<ToolDefOp> def =
      lookupSymbol<ToolDefOp>(*this, symbols, getToolAttr(), "wf.tool_def");
  if (failed(def))
    return failure();
  bool effectful = isEffectful(def->getEffects());
  if (failed(checkSignature(*this, getArgs(), def->getFunctionType(),
                            effectful)))
    return failure();
  if (effectful != static_cast<bool>(getAfter()))
    return emitOpError() << (effectful
                                 ? "a write or external tool needs an "
                                   "'after' token"
                                 : "a pure or read tool takes no token");
  return success();
}

LogicalResult CodeOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<CodeDefOp> def =
      lookupSymbol<CodeDefOp>(*this, symbols, getCalleeAttr(), "wf.code_def");
  if (failed(def))
    return failure();
  return checkSignature(*this, getArgs(), def->getFunctionType());
}

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<GraphOp> graph =
      lookupSymbol<GraphOp>(*this, symbols, getCalleeAttr(), "wf.graph");
  if (failed(graph))
    return failure();
  return checkSignature(*this, getArgs(), graph->getFunctionType());
}

/// The operands of the terminator of a single-block region.
static OperandRange yieldedValues(Region &region) {
  return region.front().getTerminator()->getOperands();
}

LogicalResult ComputeOp::verifyRegions() {
  Block &body = getBody().front();
  if (failed(checkTypes(*this, "block argument", body.getArgumentTypes(),
                        getArgs().getTypes())))
    return failure();
  return checkTypes(*this, "yielded", yieldedValues(getBody()).getTypes(),
                    getResultTypes());
}

LogicalResult SplitOp::verify() {
  if (getChunkTokens() <= 0)
    return emitOpError() << "chunk_tokens must be positive";
  if (!isTextList(getType()))
    return emitOpError() << "result must be !wf.list<!wf.text>";
  return success();
}

LogicalResult JoinOp::verify() {
  if (!isTextList(getInput().getType()))
    return emitOpError() << "input must be !wf.list<!wf.text>";
  return success();
}

/// v1 iterations are independent: no token (ordered side effect) inside.
static LogicalResult verifyNoTokens(Operation *op, Region &region) {
  WalkResult walk = region.walk([&](Operation *inner) {
    if (llvm::any_of(inner->getResultTypes(),
                     [](Type t) { return isa<TokenType>(t); })) {
      op->emitOpError() << "body must not produce ordering tokens (v1 "
                           "iterations are independent)";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// A single-argument body of `argType` yielding one `elementType` value.
static LogicalResult verifyListBody(Operation *op, Region &body, Type argType,
                                    Type resultList) {
  Block &block = body.front();
  if (block.getNumArguments() != 1 || block.getArgument(0).getType() != argType)
    return op->emitOpError() << "body must take one " << argType
                             << " argument";
  Type element = cast<ListType>(resultList).getElementType();
  if (failed(checkTypes(op, "yielded", yieldedValues(body).getTypes(),
                        TypeRange{element})))
    return failure();
  return verifyNoTokens(op, body);
}

LogicalResult MapOp::verifyRegions() {
  if (getMaxParallel() < 1)
    return emitOpError() << "max_parallel must be >= 1";
  return verifyListBody(*this, getBody(),
                        cast<ListType>(getInput().getType()).getElementType(),
                        getType());
}

LogicalResult ReplicateOp::verifyRegions() {
  return verifyListBody(*this, getBody(),
                        IntegerType::get(getContext(), 64), getType());
}

LogicalResult IfOp::verifyRegions() {
  if (failed(checkTypes(*this, "then-yielded",
                        yieldedValues(getThenRegion()).getTypes(),
                        getResultTypes())))
    return failure();
  return checkTypes(*this, "else-yielded",
                    yieldedValues(getElseRegion()).getTypes(),
                    getResultTypes());
}

LogicalResult WhileOp::verifyRegions() {
  if (getMaxIters() < 1)
    return emitOpError() << "max_iters must be >= 1, got " << getMaxIters();
  TypeRange state = getInits().getTypes();
  if (failed(checkTypes(*this, "cond argument",
                        getCond().front().getArgumentTypes(), state)))
    return failure();
  auto condition = dyn_cast<ConditionOp>(getCond().front().getTerminator());
  if (!condition)
    return emitOpError() << "cond must end in wf.condition";
  if (failed(checkTypes(*this, "condition state", condition.getState().getTypes(),
                        getBody().front().getArgumentTypes())) ||
      failed(checkTypes(*this, "body-yielded",
                        yieldedValues(getBody()).getTypes(), state)))
    return failure();
  return checkTypes(*this, "result", getResultTypes(),
                    condition.getState().getTypes());
}

LogicalResult CatchOp::verifyRegions() {
  Block &block = getFallback().front();
  if (block.getNumArguments() != 1 || !isText(block.getArgument(0).getType()))
    return emitOpError() << "fallback must take one !wf.text (the error)";
  Type type = getInput().getType();
  return checkTypes(*this, "fallback-yielded",
                    yieldedValues(getFallback()).getTypes(), TypeRange{type});
}

LogicalResult FeedbackOp::verify() {
  // Forward reachability from the output to a wf.return through data uses
  // (a use inside a region counts as a use by its top-level node).
  Block *graphBlock = (*this)->getBlock();
  SmallVector<Value> work = {getOutput()};
  llvm::SmallPtrSet<Operation *, 16> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      Operation *node = graphBlock->findAncestorOpInBlock(*user);
      if (!node || !seen.insert(node).second)
        continue;
      if (isa<ReturnOp>(node))
        return success();
      llvm::append_range(work, node->getResults());
    }
  }
  return emitOpError() << "output does not reach any wf.return operand";
}

LogicalResult CheckpointOp::verify() {
  for (Type t : getValues().getTypes())
    if (isa<TokenType, CtxType>(t))
      return emitOpError() << "cannot checkpoint a " << t
                           << " value (tokens and contexts are not durable)";
  return success();
}
