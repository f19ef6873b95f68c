//===- Runtime.cpp - Model libraries run on numpy arrays ------------------===//
//
// A model library carries its own copy of Loom's runtime; ModelLibrary
// resolves it, so tensors are made and freed by the library's own copy.
// Neither inputs nor results are copied: inputs are wrapped (the entry
// points never write them), and results become numpy arrays over the
// runtime's buffers, which one capsule per call frees — through the library
// it also keeps loaded — when the last of them goes.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"

#include "loom/Runtime/DType.h"
#include "loom/Runtime/ModelLibrary.h"
#include "loom/Runtime/Workflow/Program.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>

namespace py = pybind11;
using mlir::loom::ModelLibrary;
using mlir::loom::RuntimeApi;

namespace {

/// What Python sees as loom.RuntimeError's counterpart: a failed run, with
/// the runtime's message (for example a shape that differs from the
/// signature).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// numpy's dtype for each element type numpy has (not bf16).
std::optional<py::dtype> numpyDtype(LoomDType dtype) {
  switch (dtype) {
  case LOOM_F32:
    return py::dtype::of<float>();
  case LOOM_F64:
    return py::dtype::of<double>();
  case LOOM_F16:
    return py::dtype("float16");
  case LOOM_I8:
    return py::dtype::of<int8_t>();
  case LOOM_I16:
    return py::dtype::of<int16_t>();
  case LOOM_I32:
    return py::dtype::of<int32_t>();
  case LOOM_I64:
    return py::dtype::of<int64_t>();
  case LOOM_BOOL:
    return py::dtype::of<bool>();
  default:
    return std::nullopt;
  }
}

/// The element type of a numpy dtype, from its kind and size (native byte
/// order only), without building a dtype per candidate on every call.
LoomDType loomDtype(const py::dtype &dtype) {
  if (!dtype.attr("isnative").cast<bool>())
    return LOOM_DTYPE_INVALID;
  switch (dtype.kind()) {
  case 'f':
    return dtype.itemsize() == 4   ? LOOM_F32
           : dtype.itemsize() == 8 ? LOOM_F64
           : dtype.itemsize() == 2 ? LOOM_F16
                                   : LOOM_DTYPE_INVALID;
  case 'i':
    return dtype.itemsize() == 1   ? LOOM_I8
           : dtype.itemsize() == 2 ? LOOM_I16
           : dtype.itemsize() == 4 ? LOOM_I32
           : dtype.itemsize() == 8 ? LOOM_I64
                                   : LOOM_DTYPE_INVALID;
  case 'b':
    return LOOM_BOOL;
  default:
    return LOOM_DTYPE_INVALID;
  }
}

class PyLibrary {
public:
  explicit PyLibrary(const std::string &path) {
    std::string error;
    library = ModelLibrary::open(path, error);
    if (!library)
      throw RunError(error);
  }

  std::vector<std::string> entryPoints() const {
    std::vector<std::string> names;
    for (const char *const *e = api().entry_points(); e && *e; ++e)
      names.emplace_back(*e);
    return names;
  }

  std::string signature(const std::string &entry) const {
    const char *json = api().signature(entry.c_str());
    if (!json)
      throw RunError("no entry point '" + entry + "'");
    return json;
  }

  /// For a library of workflow graphs (it embeds their task tables): the
  /// graphs and the parameters a run may override; None otherwise.
  std::optional<py::dict> workflow() const {
    using ProgramFn = const unsigned char *(*)(unsigned long long *);
    auto accessor =
        reinterpret_cast<ProgramFn>(library->lookup("loom_wf_program"));
    if (!accessor)
      return std::nullopt;
    unsigned long long size = 0;
    const unsigned char *bytes = accessor(&size);
    mlir::loom::wfrt::Program program;
    std::string error = mlir::loom::wfrt::deserializeProgram(
        std::string_view(reinterpret_cast<const char *>(bytes), size), program);
    if (!error.empty())
      throw RunError("the library's task tables: " + error);
    py::list graphs, params;
    for (const auto &g : program.graphs)
      graphs.append(g.name);
    for (const auto &p : program.params) {
      py::dict entry;
      entry["name"] = p.name;
      entry["trainable"] = p.trainable;
      entry["value"] = p.value.render();
      params.append(entry);
    }
    py::dict info;
    info["graphs"] = graphs;
    info["params"] = params;
    return info;
  }

  void setNumThreads(int threads) const {
    if (api().set_num_threads(threads) != LOOM_OK)
      throw RunError(api().last_error());
  }

  std::vector<py::array> run(const std::string &entry,
                             const std::vector<py::array> &inputs) const {
    // The arrays stay referenced (and C-contiguous copies alive) until the
    // run returns.
    std::vector<py::array> contiguous;
    std::vector<LoomTensor *> tensors;
    auto release = [&] {
      for (LoomTensor *t : tensors)
        api().tensor_destroy(t);
    };
    for (size_t k = 0; k < inputs.size(); ++k) {
      LoomDType dtype = loomDtype(inputs[k].dtype());
      if (dtype == LOOM_DTYPE_INVALID) {
        release();
        throw RunError(entry + ": input " + std::to_string(k) +
                       " has numpy dtype " +
                       py::str(inputs[k].dtype()).cast<std::string>() +
                       ", which Loom has no element type for");
      }
      contiguous.push_back(py::array::ensure(inputs[k], py::array::c_style));
      const py::array &a = contiguous.back();
      std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
      LoomTensor *t = api().tensor_create(const_cast<void *>(a.data()),
                                          shape.data(), a.ndim(), dtype, 0);
      if (!t) {
        release();
        throw RunError(api().last_error());
      }
      tensors.push_back(t);
    }
    LoomTensorList *inputList =
        api().tensor_list_create(tensors.data(), tensors.size());
    LoomTensorList *outputs = nullptr;
    LoomStatus status;
    {
      py::gil_scoped_release unlocked;
      status = api().run(entry.c_str(), inputList, &outputs);
    }
    if (inputList)
      api().tensor_list_destroy(inputList);
    else
      release();
    if (status != LOOM_OK)
      throw RunError(api().last_error());
    // Built in place: a temporary Results would free the list.
    auto *owner = new Results{library, outputs};
    std::vector<const LoomTensor *> outputTensors;
    for (int64_t i = 0, e = api().tensor_list_size(outputs); i < e; ++i)
      outputTensors.push_back(api().tensor_list_get(outputs, i));
    py::capsule base(
        owner, [](void *results) { delete static_cast<Results *>(results); });
    std::vector<py::array> results;
    for (const LoomTensor *t : outputTensors)
      results.push_back(toNumpy(t, base));
    return results;
  }

private:
  const RuntimeApi &api() const { return library->api(); }

  /// A call's results and the library whose runtime frees them.
  struct Results {
    std::shared_ptr<ModelLibrary> library;
    LoomTensorList *list;
    Results(const Results &) = delete;
    Results &operator=(const Results &) = delete;
    ~Results() { library->api().tensor_list_destroy(list); }
  };

  py::array toNumpy(const LoomTensor *t, const py::capsule &base) const {
    LoomDType dtype = api().tensor_dtype(t);
    std::optional<py::dtype> npType = numpyDtype(dtype);
    if (!npType)
      throw RunError(std::string("a result of element type ") +
                     api().dtype_name(dtype) + " has no numpy counterpart");
    const int64_t *shape = api().tensor_shape(t);
    std::vector<py::ssize_t> dims(shape, shape + api().tensor_rank(t));
    if (api().tensor_num_elements(t) == 0)
      return py::array(*npType, dims);
    return py::array(*npType, dims, api().tensor_data(t), base);
  }

  std::shared_ptr<ModelLibrary> library;
};

} // namespace

void mlir::loom::python::bindRuntime(py::module_ &m) {
  py::register_exception<RunError>(m, "RunError", PyExc_RuntimeError);
  py::class_<PyLibrary>(m, "Library")
      .def(py::init<const std::string &>(), py::arg("path"))
      .def("entry_points", &PyLibrary::entryPoints)
      .def("signature", &PyLibrary::signature)
      .def("workflow", &PyLibrary::workflow)
      .def("set_num_threads", &PyLibrary::setNumThreads)
      .def("run", &PyLibrary::run, py::arg("entry"), py::arg("inputs"));
}
