//===- IR.cpp - Building Loom IR from Python ------------------------------===//
//
// A generic builder rather than one binding per op: Python names the op,
// its operands, result types and attributes, and the op's own verifier
// checks them when the module is verified. The location of each op is the
// Python position the builder was last given, so an error names the line of
// Python that built the op.
//
//===----------------------------------------------------------------------===//

#include "IR.h"
#include "Bindings.h"
#include "Diagnostics.h"

#include "loom/InitAllDialects.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::loom::python;

namespace {

template <typename T> std::string printed(T &&entity) {
  std::string text;
  llvm::raw_string_ostream os(text);
  entity.print(os);
  return text;
}

/// A block not yet in a region: built first (its ops decide the result
/// types of the op that will hold it), then moved into a new op's region.
struct DetachedBlock {
  std::unique_ptr<Block> block = std::make_unique<Block>();
};

struct PyBuilder {
  PyBuilder(ContextRef context)
      : context(std::move(context)), builder(this->context.get()),
        location(UnknownLoc::get(this->context.get())) {}

  Operation *create(const std::string &name, const std::vector<Value> &operands,
                    const std::vector<Type> &resultTypes,
                    const std::map<std::string, Attribute> &attributes,
                    unsigned numRegions,
                    const std::vector<DetachedBlock *> &bodies) {
    MLIRContext *ctx = context.get();
    if (!RegisteredOperationName::lookup(name, ctx)) {
      DiagnosticCollector diagnostics(ctx);
      emitError(location) << "unknown operation '" << name << "'";
      diagnostics.raise();
    }
    if (!builder.getInsertionBlock())
      throw CompileError("the builder has no insertion point");
    OperationState state(location, name);
    state.addOperands(operands);
    state.addTypes(resultTypes);
    for (const auto &[key, value] : attributes)
      state.addAttribute(key, value);
    for (DetachedBlock *body : bodies)
      if (!body || !body->block)
        throw CompileError("a block can be the body of one op only");
    for (size_t i = 0; i < std::max<size_t>(numRegions, bodies.size()); ++i)
      state.addRegion();
    Operation *op = builder.create(state);
    for (size_t i = 0; i < bodies.size(); ++i)
      op->getRegion(i).push_back(bodies[i]->block.release());
    return op;
  }

  ContextRef context;
  OpBuilder builder;
  Location location;
};

Attribute parseAttr(const ContextRef &context, const std::string &text) {
  DiagnosticCollector diagnostics(context.get());
  Attribute attr = parseAttribute(text, context.get());
  if (!attr)
    diagnostics.raise("cannot parse attribute '" + text + "'");
  return attr;
}

Type parseTypeText(const ContextRef &context, const std::string &text) {
  DiagnosticCollector diagnostics(context.get());
  Type type = parseType(text, context.get());
  if (!type)
    diagnostics.raise("cannot parse type '" + text + "'");
  return type;
}

/// A dense elements attribute of `type` holding `array`'s bytes; the
/// element sizes must agree (bool arrays are bit-packed in MLIR, so they
/// go through the textual form instead).
Attribute denseAttr(const py::array &array, Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || !shaped.hasStaticShape())
    throw CompileError("a dense constant needs a static tensor type, not " +
                       printed(type));
  Type element = shaped.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
    throw CompileError("dense constants of " + printed(element) +
                       " are not supported");
  int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  if (array.itemsize() != bytes || array.size() != shaped.getNumElements())
    throw CompileError("a numpy array of " + std::to_string(array.size()) +
                       " elements of " + std::to_string(array.itemsize()) +
                       " bytes does not fill " + printed(type));
  py::array contiguous = py::array::ensure(array, py::array::c_style);
  ArrayRef<char> raw(static_cast<const char *>(contiguous.data()),
                     contiguous.nbytes());
  return DenseElementsAttr::getFromRawBuffer(shaped, raw);
}

} // namespace

void mlir::loom::python::bindIR(py::module_ &m) {
  py::register_exception<CompileError>(m, "CompileError", PyExc_RuntimeError);

  py::class_<Type>(m, "Type")
      .def("__str__", [](Type t) { return printed(t); })
      .def("__eq__", [](Type a, Type b) { return a == b; })
      .def("__hash__", [](Type t) { return hash_value(t); });
  py::class_<Attribute>(m, "Attribute").def("__str__", [](Attribute a) {
    return printed(a);
  });
  py::class_<Value>(m, "Value")
      .def_property_readonly("type", [](Value v) { return v.getType(); })
      .def("__eq__", [](Value a, Value b) { return a == b; })
      .def("__hash__", [](Value v) { return hash_value(v); });

  py::class_<Block, std::unique_ptr<Block, py::nodelete>>(m, "Block")
      .def("arg",
           [](Block &b, unsigned i) {
             if (i >= b.getNumArguments())
               throw py::index_error("block argument out of range");
             return Value(b.getArgument(i));
           })
      .def_property_readonly("num_args", &Block::getNumArguments);

  py::class_<DetachedBlock>(m, "DetachedBlock")
      .def_property_readonly(
          "block", [](DetachedBlock &self) { return self.block.get(); },
          py::return_value_policy::reference_internal);

  py::class_<Region, std::unique_ptr<Region, py::nodelete>>(m, "Region")
      .def(
          "add_block",
          [](Region &r, const std::vector<Type> &argTypes) {
            Location loc = r.getParentOp()->getLoc();
            Block *block = new Block();
            r.push_back(block);
            for (Type t : argTypes)
              block->addArgument(t, loc);
            return block;
          },
          py::return_value_policy::reference);

  py::class_<Operation, std::unique_ptr<Operation, py::nodelete>>(m,
                                                                  "Operation")
      .def_property_readonly(
          "name",
          [](Operation &op) { return op.getName().getStringRef().str(); })
      .def_property_readonly("num_results", &Operation::getNumResults)
      .def("result",
           [](Operation &op, unsigned i) {
             if (i >= op.getNumResults())
               throw py::index_error("result out of range");
             return Value(op.getResult(i));
           })
      .def(
          "region",
          [](Operation &op, unsigned i) {
            if (i >= op.getNumRegions())
              throw py::index_error("region out of range");
            return &op.getRegion(i);
          },
          py::return_value_policy::reference)
      .def("set_attr", [](Operation &op, const std::string &name,
                          Attribute value) { op.setAttr(name, value); })
      .def("__str__", [](Operation &op) { return printed(op); });

  py::class_<PyModule>(m, "Module")
      .def("__str__", [](PyModule &self) { return printed(*self.module); })
      .def(
          "print",
          [](PyModule &self, bool debugInfo) {
            std::string text;
            llvm::raw_string_ostream os(text);
            OpPrintingFlags flags;
            if (debugInfo)
              flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
            self.module->print(os, flags);
            return text;
          },
          py::arg("debug_info") = false)
      .def_property_readonly(
          "body", [](PyModule &self) { return self.module->getBody(); },
          py::return_value_policy::reference_internal)
      .def("verify",
           [](PyModule &self) {
             DiagnosticCollector diagnostics(self.context.get());
             if (failed(verify(*self.module)))
               diagnostics.raise();
           })
      .def("clone", [](PyModule &self) {
        return PyModule{self.context, self.module->clone()};
      });

  py::class_<PyContext>(m, "Context")
      .def(py::init([] {
        DialectRegistry registry;
        mlir::loom::registerAllDialects(registry);
        auto context = std::make_shared<MLIRContext>(registry);
        context->loadAllAvailableDialects();
        // An error names the Python line that built the op; the op itself,
        // printed generically with its constants, would bury it.
        context->printOpOnDiagnostic(false);
        return PyContext{context};
      }))
      .def(
          "parse",
          [](const PyContext &self, const std::string &text,
             const std::string &filename) {
            DiagnosticCollector diagnostics(self.context.get());
            ParserConfig config(self.context.get());
            OwningOpRef<ModuleOp> module =
                parseSourceString<ModuleOp>(text, config, filename);
            if (!module)
              diagnostics.raise();
            return PyModule{self.context, std::move(module)};
          },
          py::arg("text"), py::arg("filename") = "<string>")
      .def("new_module",
           [](const PyContext &self, const std::string &file, unsigned line) {
             auto loc = FileLineColLoc::get(self.context.get(), file, line, 1);
             return PyModule{self.context, ModuleOp::create(loc)};
           })
      .def("type",
           [](const PyContext &self, const std::string &text) {
             return parseTypeText(self.context, text);
           })
      .def("attr",
           [](const PyContext &self, const std::string &text) {
             return parseAttr(self.context, text);
           })
      .def("dense", [](const PyContext &, const py::array &array,
                       Type type) { return denseAttr(array, type); })
      .def("i64",
           [](const PyContext &self, int64_t v) -> Attribute {
             return IntegerAttr::get(IntegerType::get(self.context.get(), 64),
                                     v);
           })
      .def("string",
           [](const PyContext &self, const std::string &s) -> Attribute {
             return StringAttr::get(self.context.get(), s);
           })
      .def("type_attr",
           [](const PyContext &, Type t) -> Attribute {
             return TypeAttr::get(t);
           })
      .def("function_type",
           [](const PyContext &self, const std::vector<Type> &inputs,
              const std::vector<Type> &results) -> Type {
             return FunctionType::get(self.context.get(), inputs, results);
           })
      .def("array",
           [](const PyContext &self,
              const std::vector<Attribute> &elements) -> Attribute {
             return ArrayAttr::get(self.context.get(), elements);
           })
      .def("dictionary",
           [](const PyContext &self,
              const std::map<std::string, Attribute> &entries) -> Attribute {
             SmallVector<NamedAttribute> named;
             for (const auto &[key, value] : entries)
               named.emplace_back(StringAttr::get(self.context.get(), key),
                                  value);
             return DictionaryAttr::get(self.context.get(), named);
           });

  py::class_<PyBuilder>(m, "Builder")
      .def(py::init([](const PyContext &c) { return PyBuilder(c.context); }))
      .def("set_loc",
           [](PyBuilder &self, const std::string &file, unsigned line,
              unsigned column) {
             self.location =
                 FileLineColLoc::get(self.context.get(), file, line, column);
           })
      .def("set_insertion_point_to_end",
           [](PyBuilder &self, Block *block) {
             self.builder.setInsertionPointToEnd(block);
           })
      .def("set_insertion_point_before",
           [](PyBuilder &self, Operation *op) {
             self.builder.setInsertionPoint(op);
           })
      .def("new_block",
           [](PyBuilder &self, const std::vector<Type> &argTypes) {
             auto body = std::make_unique<DetachedBlock>();
             for (Type t : argTypes)
               body->block->addArgument(t, self.location);
             return body;
           })
      .def("create", &PyBuilder::create, py::arg("name"),
           py::arg("operands") = std::vector<Value>(),
           py::arg("results") = std::vector<Type>(),
           py::arg("attributes") = std::map<std::string, Attribute>(),
           py::arg("regions") = 0,
           py::arg("bodies") = std::vector<DetachedBlock *>(),
           py::return_value_policy::reference);
}
