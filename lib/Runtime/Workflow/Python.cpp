//===- Python.cpp - Code parameters run by embedded CPython ---------------===//

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "loom/Runtime/Workflow/Python.h"

#include <map>
#include <mutex>
#include <optional>

namespace mlir::loom::wfrt {

namespace {

/// An owned reference.
struct Ref {
  PyObject *p = nullptr;
  explicit Ref(PyObject *p = nullptr) : p(p) {}
  Ref(const Ref &) = delete;
  Ref &operator=(const Ref &) = delete;
  ~Ref() { Py_XDECREF(p); }
};

/// The pending exception as `TypeName: message`, cleared.
std::string takeException() {
  PyObject *type = nullptr, *value = nullptr, *trace = nullptr;
  PyErr_Fetch(&type, &value, &trace);
  PyErr_NormalizeException(&type, &value, &trace);
  Ref t(type), v(value), tb(trace);
  std::string text =
      type ? reinterpret_cast<PyTypeObject *>(type)->tp_name : "Exception";
  if (value)
    if (Ref s(PyObject_Str(value)); s.p)
      if (const char *c = PyUnicode_AsUTF8(s.p); c && *c)
        text += std::string(": ") + c;
  PyErr_Clear();
  return text;
}

PyObject *toPython(const Value &v) {
  switch (v.kind) {
  case ValueKind::Text:
    return PyUnicode_DecodeUTF8(
        v.text.data(), static_cast<Py_ssize_t>(v.text.size()), "replace");
  case ValueKind::I64:
    return PyLong_FromLongLong(v.i);
  case ValueKind::F64:
    return PyFloat_FromDouble(v.f);
  case ValueKind::I1:
    return PyBool_FromLong(v.i != 0);
  case ValueKind::List: {
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(v.list.size()));
    for (size_t k = 0; k < v.list.size(); ++k)
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(k), toPython(v.list[k]));
    return list;
  }
  default:
    Py_RETURN_NONE;
  }
}

/// `object` as a value: of kind `want`, or of whatever kind it has when
/// `want` is empty (list elements); false when it is of another kind.
bool fromPython(PyObject *object, std::optional<ValueKind> want, Value &out) {
  auto wants = [&](ValueKind k) { return !want || *want == k; };
  if (PyUnicode_Check(object) && wants(ValueKind::Text)) {
    Py_ssize_t size = 0;
    const char *data = PyUnicode_AsUTF8AndSize(object, &size);
    if (!data)
      return false;
    out = Value::makeText(std::string(data, static_cast<size_t>(size)));
    return true;
  }
  if (PyBool_Check(object))
    return wants(ValueKind::I1) &&
           (out = Value::makeI1(object == Py_True), true);
  if (PyLong_Check(object) && wants(ValueKind::I64)) {
    long long x = PyLong_AsLongLong(object);
    if (x == -1 && PyErr_Occurred())
      return false;
    out = Value::makeI64(x);
    return true;
  }
  if ((PyFloat_Check(object) || PyLong_Check(object)) &&
      wants(ValueKind::F64)) {
    out = Value::makeF64(PyFloat_AsDouble(object));
    return !PyErr_Occurred();
  }
  if (PyList_Check(object) && wants(ValueKind::List)) {
    std::vector<Value> elements(static_cast<size_t>(PyList_GET_SIZE(object)));
    for (size_t k = 0; k < elements.size(); ++k)
      if (!fromPython(PyList_GET_ITEM(object, static_cast<Py_ssize_t>(k)),
                      std::nullopt, elements[k]))
        return false;
    out = Value::makeList(std::move(elements));
    return true;
  }
  return false;
}

const char *kindName(ValueKind k) {
  switch (k) {
  case ValueKind::Text:
    return "str";
  case ValueKind::I64:
    return "int";
  case ValueKind::F64:
    return "float";
  case ValueKind::I1:
    return "bool";
  case ValueKind::List:
    return "list";
  default:
    return "value";
  }
}

class Interpreter {
public:
  static Interpreter &get() {
    // Never finalized: the process may still run code at exit.
    static Interpreter *interpreter = new Interpreter();
    return *interpreter;
  }

  Value call(const std::string &source, const std::string &function,
             const std::vector<Value> &args, ValueKind result) {
    std::lock_guard<std::mutex> lock(mutex);
    PyGILState_STATE gil = PyGILState_Ensure();
    Value v = callLocked(source, function, args, result);
    PyGILState_Release(gil);
    return v;
  }

private:
  Interpreter() {
    // No signal handlers: the host owns SIGINT.
    Py_InitializeEx(0);
    PyEval_SaveThread();
  }

  Value fail(std::string message) {
    return Value::makeError("error", std::move(message), "");
  }

  Value callLocked(const std::string &source, const std::string &function,
                   const std::vector<Value> &args, ValueKind result) {
    auto [it, fresh] = namespaces.try_emplace(source, nullptr);
    if (fresh) {
      it->second = PyDict_New();
      PyDict_SetItemString(it->second, "__builtins__", PyEval_GetBuiltins());
      Ref done(
          PyRun_String(source.c_str(), Py_file_input, it->second, it->second));
      if (!done.p) {
        std::string error = takeException();
        Py_DECREF(it->second);
        namespaces.erase(it);
        return fail(error);
      }
    }
    PyObject *fn = PyDict_GetItemString(it->second, function.c_str());
    if (!fn || !PyCallable_Check(fn))
      return fail("the code parameter defines no function " + function);
    Ref tuple(PyTuple_New(static_cast<Py_ssize_t>(args.size())));
    for (size_t k = 0; k < args.size(); ++k)
      PyTuple_SET_ITEM(tuple.p, static_cast<Py_ssize_t>(k), toPython(args[k]));
    Ref out(PyObject_CallObject(fn, tuple.p));
    if (!out.p)
      return fail(takeException());
    Value v;
    if (!fromPython(out.p, result, v)) {
      if (PyErr_Occurred())
        return fail(takeException());
      return fail("TypeError: " + function + " returned " +
                  Py_TYPE(out.p)->tp_name + ", expected " + kindName(result));
    }
    return v;
  }

  std::mutex mutex;
  /// Per source text, the globals it defined.
  std::map<std::string, PyObject *> namespaces;
};

} // namespace

PythonHook embeddedPython() {
  return [](const std::string &source, const std::string &function,
            const std::vector<Value> &args, ValueKind result) {
    return Interpreter::get().call(source, function, args, result);
  };
}

} // namespace mlir::loom::wfrt
