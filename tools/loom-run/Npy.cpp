//===- Npy.cpp - Read and write NumPy .npy files as LoomTensors -----------===//
//
// The format: "\x93NUMPY", a major and minor version byte, the header
// length (u16 in 1.0, u32 in 2.0/3.0), then a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), } padded with
// spaces, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace {

struct Descr {
  const char *numpy;
  LoomDType dtype;
};
// bf16 has no NumPy type; '|b1' is NumPy's bool.
const Descr descrs[] = {{"<f4", LOOM_F32}, {"<f8", LOOM_F64}, {"<f2", LOOM_F16},
                        {"|i1", LOOM_I8},  {"<i2", LOOM_I16}, {"<i4", LOOM_I32},
                        {"<i8", LOOM_I64}, {"|b1", LOOM_BOOL}};

/// The quoted value after `'key':` in the header dict.
std::string field(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return "";
  size_t begin = header.find_first_not_of(" ", colon + 1);
  if (begin == std::string::npos)
    return "";
  if (header[begin] == '(') {
    size_t end = header.find(')', begin);
    return end == std::string::npos ? "" : header.substr(begin, end - begin + 1);
  }
  size_t end = header.find_first_of(",}", begin);
  std::string value = header.substr(begin, end - begin);
  while (!value.empty() && value.back() == ' ')
    value.pop_back();
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
    value = value.substr(1, value.size() - 2);
  return value;
}

} // namespace

LoomTensor *mlir::loom::npy::read(const RuntimeApi &api, const std::string &path,
                            std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error = "cannot open " + path, nullptr;
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return error = path + " is not a .npy file", nullptr;
  uint32_t headerLength = 0;
  if (magic[6] == 1) {
    uint16_t length;
    in.read(reinterpret_cast<char *>(&length), 2);
    headerLength = length;
  } else {
    in.read(reinterpret_cast<char *>(&headerLength), 4);
  }
  std::string header(headerLength, ' ');
  if (!in.read(header.data(), headerLength))
    return error = path + ": truncated header", nullptr;

  std::string descr = field(header, "descr");
  LoomDType dtype = LOOM_DTYPE_INVALID;
  for (const Descr &d : descrs)
    if (descr == d.numpy || (descr.size() == 3 && descr[0] == '=' &&
                             descr.substr(1) == std::string(d.numpy).substr(1)))
      dtype = d.dtype;
  if (dtype == LOOM_DTYPE_INVALID)
    return error = path + ": unsupported element type '" + descr +
                   "' (little-endian f2/f4/f8, i1/i2/i4/i8 or b1)",
           nullptr;
  if (field(header, "fortran_order") != "False")
    return error = path + ": Fortran-ordered arrays are not supported", nullptr;

  std::vector<int64_t> shape;
  std::string dims = field(header, "shape");
  std::stringstream ss(dims.size() >= 2 ? dims.substr(1, dims.size() - 2) : "");
  std::string item;
  while (std::getline(ss, item, ','))
    if (item.find_first_not_of(" ") != std::string::npos)
      shape.push_back(std::atoll(item.c_str()));

  LoomTensor *tensor = api.tensor_create_zeros(
      shape.data(), static_cast<int64_t>(shape.size()), dtype);
  if (!tensor)
    return error = path + ": " + api.last_error(), nullptr;
  size_t bytes = static_cast<size_t>(api.tensor_num_elements(tensor)) *
                 api.dtype_size(dtype);
  if (bytes && !in.read(static_cast<char *>(api.tensor_data(tensor)), bytes)) {
    api.tensor_destroy(tensor);
    return error = path + ": truncated data", nullptr;
  }
  return tensor;
}

bool mlir::loom::npy::write(const RuntimeApi &api, const std::string &path,
                      const LoomTensor *tensor, std::string &error) {
  LoomDType dtype = api.tensor_dtype(tensor);
  const char *descr = nullptr;
  for (const Descr &d : descrs)
    if (d.dtype == dtype)
      descr = d.numpy;
  if (!descr)
    return error = std::string("cannot write ") + api.dtype_name(dtype) +
                   " to .npy", false;
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (";
  for (int64_t i = 0; i < api.tensor_rank(tensor); ++i)
    header += std::to_string(api.tensor_shape(tensor)[i]) +
              (api.tensor_rank(tensor) == 1 || i + 1 < api.tensor_rank(tensor)
                   ? ","
                   : "");
  header += "), }";
  // Pad so that the data starts at a multiple of 64 bytes.
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    return error = "cannot write " + path, false;
  uint16_t length = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(reinterpret_cast<const char *>(&length), 2);
  out << header;
  out.write(static_cast<const char *>(api.tensor_data(tensor)),
            static_cast<std::streamsize>(api.tensor_num_elements(tensor) *
                                         api.dtype_size(dtype)));
  if (!out)
    return error = "cannot write " + path, false;
  return true;
}
