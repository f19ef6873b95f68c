//===- TaskTable.cpp - wf graphs to the runtime's task tables -------------===//

#include "loom/Conversion/WorkflowToRuntime/TaskTable.h"

#include "loom/Conversion/WorkflowToRuntime/OutlineCompute.h"

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::wf;

namespace {

std::optional<wfrt::ValueKind> kindOf(Type t) {
  if (isa<TextType>(t))
    return wfrt::ValueKind::Text;
  if (isa<ListType>(t))
    return wfrt::ValueKind::List;
  if (isa<TokenType>(t))
    return wfrt::ValueKind::Token;
  // A context is its prefix: services without context handles get the
  // whole prompt of each extension.
  if (isa<CtxType>(t))
    return wfrt::ValueKind::Text;
  if (t.isInteger(1))
    return wfrt::ValueKind::I1;
  if (t.isInteger(64))
    return wfrt::ValueKind::I64;
  if (t.isF64())
    return wfrt::ValueKind::F64;
  if (isa<RankedTensorType>(t))
    return wfrt::ValueKind::Tensor;
  return std::nullopt;
}

class TaskTableBuilder {
public:
  explicit TaskTableBuilder(ModuleOp module) : module(module) {}
  FailureOr<wfrt::Program> build();

private:
  LogicalResult declare();
  FailureOr<wfrt::Value> constantValue(Operation *op, Attribute attr);
  /// Builds a table for `block` whose arguments are the block's own, then
  /// `captures`; returns its index.
  FailureOr<int32_t> buildTable(Block &block, ArrayRef<Value> captures);
  LogicalResult addNode(Operation *op, wfrt::Table &table,
                        DenseMap<Value, uint32_t> &slots);
  LogicalResult addSegments(Operation *op, ArrayAttr segments,
                            wfrt::Node &node);
  /// The sampling attributes of a completion: the limit, a literal
  /// temperature or the hparam it names, the seed and stop strings.
  void setSampling(CompletionOpInterface completion, wfrt::Node &node);
  LogicalResult addRegionNode(Operation *op, wfrt::Node &node,
                              DenseMap<Value, uint32_t> &slots);
  /// A batch's members become rows of `table` tagged with the batch.
  LogicalResult addBatch(LlmBatchOp batch, wfrt::Table &table,
                         DenseMap<Value, uint32_t> &slots);

  ModuleOp module;
  wfrt::Program program;
  llvm::StringMap<int32_t> models, tools, codes, pythonCodes, params, computes;
  const TraceIds *ids = nullptr;
};

FailureOr<wfrt::Value> TaskTableBuilder::constantValue(Operation *op,
                                                       Attribute attr) {
  if (auto s = dyn_cast<StringAttr>(attr))
    return wfrt::Value::makeText(s.str());
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (i.getType().isInteger(1))
      return wfrt::Value::makeI1(i.getValue().getBoolValue());
    return wfrt::Value::makeI64(i.getInt());
  }
  if (auto f = dyn_cast<FloatAttr>(attr))
    return wfrt::Value::makeF64(f.getValueAsDouble());
  if (auto a = dyn_cast<ArrayAttr>(attr)) {
    std::vector<wfrt::Value> elements;
    for (Attribute e : a) {
      FailureOr<wfrt::Value> v = constantValue(op, e);
      if (failed(v))
        return failure();
      elements.push_back(*v);
    }
    return wfrt::Value::makeList(std::move(elements));
  }
  return op->emitOpError("has a value the workflow runtime cannot hold: ")
         << attr;
}

LogicalResult TaskTableBuilder::declare() {
  for (Operation &op : module.getBody()->getOperations()) {
    if (auto m = dyn_cast<ModelOp>(op)) {
      models[m.getSymName()] = program.models.size();
      wfrt::ModelDecl d;
      d.name = m.getSymName().str();
      d.maxConcurrency = static_cast<int64_t>(m.getMaxConcurrency());
      d.maxBatchedTokens = static_cast<int64_t>(m.getMaxBatchedTokens());
      d.maxContext = static_cast<int64_t>(m.getMaxContext());
      program.models.push_back(d);
    } else if (auto t = dyn_cast<ToolDefOp>(op)) {
      wfrt::ToolDecl d;
      d.name = t.getSymName().str();
      d.deterministic = t.getDeterministic();
      d.idempotent = t.getIdempotent();
      d.timeoutMs = t.getTimeoutMs().value_or(0);
      d.maxConcurrency = t.getMaxConcurrency().value_or(0);
      if (auto retry = t.getRetryAttr()) {
        d.maxAttempts = retry.getMaxAttempts();
        d.backoffMs = retry.getBackoffMs();
      }
      // Simulation only (wf.md §9.1): service time and failure rate.
      if (auto ms = t->getAttrOfType<FloatAttr>("sim_ms"))
        d.simMs = ms.getValueAsDouble();
      if (auto p = t->getAttrOfType<FloatAttr>("p_fail"))
        d.failProbability = p.getValueAsDouble();
      tools[t.getSymName()] = program.tools.size();
      program.tools.push_back(d);
    } else if (auto c = dyn_cast<CodeDefOp>(op)) {
      if (c.getSource())
        continue; // after the parameters, which it names
      if (!c.getExternal())
        return c.emitOpError("needs `external` or `source`: the workflow "
                             "runtime calls native code through the C ABI "
                             "and code parameters through Python; `impl` is "
                             "not supported yet");
      codes[c.getSymName()] = program.codeFunctions.size();
      program.codeFunctions.push_back(c.getExternal()->str());
    } else if (auto p = dyn_cast<ParamOp>(op)) {
      FailureOr<wfrt::Value> v = constantValue(p, p.getInitialValue());
      if (failed(v))
        return failure();
      params[p.getSymName()] = program.params.size();
      program.params.push_back(
          {p.getSymName().str(), std::move(*v), p.getTrainable()});
    }
  }
  // Code parameters, once every parameter has its index: the parameter's
  // text defines a function named as the def.
  for (auto c : module.getOps<CodeDefOp>()) {
    if (!c.getSource())
      continue;
    auto param =
        SymbolTable::lookupNearestSymbolFrom<ParamOp>(c, c.getSourceAttr());
    if (param.getLang() != "python")
      return c.emitOpError() << "runs '" << param.getLang().value_or("")
                             << "' code; the workflow runtime runs code "
                                "parameters in 'python' only";
    ArrayRef<Type> results = c.getFunctionType().getResults();
    std::optional<wfrt::ValueKind> kind =
        results.size() == 1 ? kindOf(results[0]) : std::nullopt;
    if (!kind || *kind == wfrt::ValueKind::Token ||
        *kind == wfrt::ValueKind::Tensor)
      return c.emitOpError("a Python code parameter returns one text, list, "
                           "i1, i64 or f64 value");
    pythonCodes[c.getSymName()] = program.pythonCode.size();
    program.pythonCode.push_back(
        {c.getSymName().str(), params.lookup(param.getSymName()), *kind});
  }
  return success();
}

LogicalResult TaskTableBuilder::addSegments(Operation *op, ArrayAttr segments,
                                            wfrt::Node &node) {
  for (auto seg : segments.getAsRange<SegAttr>()) {
    wfrt::Segment s;
    switch (seg.getKind()) {
    case SegKind::Text:
      s.kind = wfrt::Segment::Kind::Text;
      s.text = seg.getText().str();
      break;
    case SegKind::Operand:
      s.kind = wfrt::Segment::Kind::Operand;
      s.index = seg.getIndex();
      break;
    case SegKind::Param:
      s.kind = wfrt::Segment::Kind::Param;
      s.index = params.lookup(seg.getParam().getValue());
      break;
    }
    node.segments.push_back(std::move(s));
  }
  return success();
}

void TaskTableBuilder::setSampling(CompletionOpInterface completion,
                                   wfrt::Node &node) {
  node.maxTokens = completion.getMaxTokens();
  if (IntegerAttr seed = completion.getSeedAttr())
    node.seed = seed.getInt();
  if (ArrayAttr stop = completion.getStopAttr())
    for (auto s : stop.getAsValueRange<StringAttr>())
      node.stop.push_back(s.str());
  Attribute temperature = completion.getTemperatureAttr();
  if (auto f = dyn_cast_or_null<FloatAttr>(temperature))
    node.temperature = f.getValueAsDouble();
  else if (auto p = dyn_cast_or_null<ParamRefAttr>(temperature))
    node.temperatureParam = params.lookup(p.getParam().getValue());
}

LogicalResult
TaskTableBuilder::addRegionNode(Operation *op, wfrt::Node &node,
                                DenseMap<Value, uint32_t> &slots) {
  llvm::SetVector<Value> captures;
  for (Region &r : op->getRegions())
    getUsedValuesDefinedAbove(r, captures);
  for (Value v : captures)
    node.operands.push_back(slots.lookup(v));
  SmallVector<Value> captured(captures.begin(), captures.end());
  FailureOr<int32_t> body = buildTable(op->getRegion(0).front(), captured);
  if (failed(body))
    return failure();
  node.body = *body;
  if (op->getNumRegions() == 2) {
    FailureOr<int32_t> other = buildTable(op->getRegion(1).front(), captured);
    if (failed(other))
      return failure();
    node.elseBody = *other;
  }
  return success();
}

LogicalResult TaskTableBuilder::addBatch(LlmBatchOp batch, wfrt::Table &table,
                                         DenseMap<Value, uint32_t> &slots) {
  int32_t index = static_cast<int32_t>(table.numBatches++);
  for (auto [k, member] : llvm::enumerate(batch.getMembers())) {
    if (failed(addNode(member, table, slots)))
      return failure();
    table.nodes.back().batch = index;
    slots[batch.getResult(k)] = slots.lookup(member->getResult(0));
  }
  return success();
}

LogicalResult TaskTableBuilder::addNode(Operation *op, wfrt::Table &table,
                                        DenseMap<Value, uint32_t> &slots) {
  if (isa<FeedbackOp>(op))
    return success(); // inert for execution
  if (auto batch = dyn_cast<LlmBatchOp>(op))
    return addBatch(batch, table, slots);
  wfrt::Node node;
  node.id = ids->nodes.lookup(op);
  // An op that stands for a node the passes rewrote (a call that
  // wf-prefix-share made an extension) keeps the node's id.
  if (auto id = op->getAttrOfType<StringAttr>("wf.id"); id && node.id.empty())
    node.id = id.str();
  if (auto origin = op->getAttrOfType<ArrayAttr>("wf.origin"))
    for (auto id : origin.getAsValueRange<StringAttr>())
      if (id != node.id)
        node.origins.push_back(id.str());
  if (auto objective = op->getAttrOfType<ObjectiveAttr>("wf.objective"))
    node.objective = objective.getValue() == Objective::Latency
                         ? wfrt::Objective::Latency
                         : wfrt::Objective::Throughput;
  if (auto sched = op->getAttrOfType<SchedAttr>("wf.sched"))
    node.priority = sched.getPriority();
  // Operands the region ops take before their captures.
  auto leading = [&](ValueRange values) {
    for (Value v : values)
      node.operands.push_back(slots.lookup(v));
  };
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](ConstOp c) -> LogicalResult {
            node.kind = wfrt::NodeKind::Const;
            FailureOr<wfrt::Value> v = constantValue(c, c.getValue());
            if (failed(v))
              return failure();
            node.constant = std::move(*v);
            return success();
          })
          .Case([&](ParamGetOp p) {
            node.kind = wfrt::NodeKind::Param;
            node.callee = params.lookup(p.getParam());
            node.id = p.getParam().str();
            return success();
          })
          .Case([&](FormatOp f) {
            node.kind = wfrt::NodeKind::Format;
            leading(f.getArgs());
            return addSegments(f, f.getSegments(), node);
          })
          .Case([&](LlmOp l) {
            node.kind = wfrt::NodeKind::Llm;
            leading(l.getArgs());
            node.callee = models.lookup(l.getModel());
            setSampling(l, node);
            return addSegments(l, l.getSegments(), node);
          })
          .Case([&](CtxPrefillOp c) {
            // A one-token request warms the prefix cache; the node's
            // value is the prefix.
            node.kind = wfrt::NodeKind::Llm;
            node.prefixOnly = true;
            node.maxTokens = 1;
            leading(c.getArgs());
            node.callee = models.lookup(c.getModel());
            return addSegments(c, c.getSegments(), node);
          })
          .Case([&](LlmExtendOp l) {
            // The context's prefix, then the call's own segments.
            node.kind = wfrt::NodeKind::Llm;
            leading(l->getOperands());
            node.callee = models.lookup(l.getModelSymbol().getValue());
            setSampling(l, node);
            node.segments.push_back({wfrt::Segment::Kind::Operand, "", 0});
            if (failed(addSegments(l, l.getSegments(), node)))
              return failure();
            for (size_t k = 1; k < node.segments.size(); ++k)
              if (node.segments[k].kind == wfrt::Segment::Kind::Operand)
                ++node.segments[k].index;
            return success();
          })
          .Case([&](ToolOp t) {
            node.kind = wfrt::NodeKind::Tool;
            leading(t.getArgs());
            if (Value after = t.getAfter()) {
              node.operands.push_back(slots.lookup(after));
              node.ordered = true;
            }
            node.callee = tools.lookup(t.getTool());
            return success();
          })
          .Case([&](CodeOp c) {
            leading(c.getArgs());
            if (auto python = pythonCodes.find(c.getCallee());
                python != pythonCodes.end()) {
              node.kind = wfrt::NodeKind::Python;
              node.callee = python->second;
            } else {
              node.kind = wfrt::NodeKind::Code;
              node.callee = codes.lookup(c.getCallee());
            }
            return success();
          })
          .Case([&](ComputeOp c) -> LogicalResult {
            auto entry = c->getAttrOfType<StringAttr>(kComputeEntryAttr);
            if (!entry)
              return c.emitOpError("has no outlined body: "
                                   "convert-wf-to-runtime outlines it");
            node.kind = wfrt::NodeKind::Compute;
            leading(c.getArgs());
            auto [it, added] = computes.try_emplace(
                entry.getValue(), program.computeEntries.size());
            if (added)
              program.computeEntries.push_back(entry.str());
            node.callee = it->second;
            return success();
          })
          .Case([&](SplitOp s) {
            node.kind = wfrt::NodeKind::Split;
            leading(s->getOperands());
            node.chunkTokens = s.getChunkTokens();
            return success();
          })
          .Case([&](JoinOp j) {
            node.kind = wfrt::NodeKind::Join;
            leading(j->getOperands());
            node.separator = j.getSep().str();
            return success();
          })
          .Case([&](CheckpointOp c) {
            node.kind = wfrt::NodeKind::Checkpoint;
            leading(c->getOperands());
            return success();
          })
          .Case([&](MapOp m) {
            node.kind = wfrt::NodeKind::Map;
            node.maxParallel = m.getMaxParallel();
            leading(m->getOperands());
            return addRegionNode(m, node, slots);
          })
          .Case([&](ReplicateOp r) {
            node.kind = wfrt::NodeKind::Replicate;
            node.count = r.getCount();
            node.seedBase = r.getSeedBase();
            return addRegionNode(r, node, slots);
          })
          .Case([&](IfOp i) {
            node.kind = wfrt::NodeKind::If;
            leading(i->getOperands());
            return addRegionNode(i, node, slots);
          })
          .Case([&](WhileOp w) {
            node.kind = wfrt::NodeKind::While;
            node.count = w.getMaxIters();
            leading(w.getInits());
            return addRegionNode(w, node, slots);
          })
          .Case([&](CatchOp c) {
            node.kind = wfrt::NodeKind::Catch;
            leading(c->getOperands());
            return addRegionNode(c, node, slots);
          })
          .Case([&](CallOp) {
            return op->emitOpError(
                "is not supported by the workflow runtime; inline it first");
          })
          .Default([&](Operation *) {
            return op->emitOpError("is not supported by the workflow "
                                   "runtime yet");
          });
  if (failed(result))
    return failure();
  for (Value r : op->getResults()) {
    if (!kindOf(r.getType()))
      return op->emitOpError("produces a value the workflow runtime cannot "
                             "hold: ")
             << r.getType();
    slots[r] = table.numSlots;
    node.results.push_back(table.numSlots++);
  }
  table.nodes.push_back(std::move(node));
  return success();
}

FailureOr<int32_t> TaskTableBuilder::buildTable(Block &block,
                                                ArrayRef<Value> captures) {
  int32_t index = program.tables.size();
  program.tables.emplace_back();
  wfrt::Table table;
  DenseMap<Value, uint32_t> slots;
  SmallVector<Value> args(block.getArguments());
  llvm::append_range(args, captures);
  for (Value a : args) {
    std::optional<wfrt::ValueKind> kind = kindOf(a.getType());
    if (!kind)
      return emitError(a.getLoc())
             << "the workflow runtime cannot hold a value of type "
             << a.getType();
    slots[a] = table.numSlots++;
    table.argKinds.push_back(*kind);
  }
  for (Operation &op : block.without_terminator())
    if (failed(addNode(&op, table, slots)))
      return failure();
  for (Value v : block.getTerminator()->getOperands())
    table.results.push_back(slots.lookup(v));
  program.tables[index] = std::move(table);
  return index;
}

FailureOr<wfrt::Program> TaskTableBuilder::build() {
  if (failed(declare()))
    return failure();
  for (auto graph : module.getOps<GraphOp>()) {
    TraceIds graphIds = TraceIds::of(graph);
    ids = &graphIds;
    FailureOr<int32_t> table = buildTable(graph.getBody().front(), {});
    if (failed(table))
      return failure();
    program.graphs.push_back({graph.getSymName().str(), *table});
  }
  return std::move(program);
}

} // namespace

bool mlir::loom::wf::needsWorkflowRuntime(ModuleOp module) {
  return module
      .walk([](Operation *op) {
        return isa<LlmOp, LlmExtendOp, CtxPrefillOp, ToolOp, CodeOp, FormatOp,
                   SplitOp, JoinOp, MapOp, ReplicateOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

FailureOr<wfrt::Program> mlir::loom::wf::buildTaskTables(ModuleOp module) {
  return TaskTableBuilder(module).build();
}
