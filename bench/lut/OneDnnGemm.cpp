//===- OneDnnGemm.cpp - oneDNN's int8 matmul, a W8A8 peer of the LUT GEMM -===//

#include "OneDnnGemm.h"

#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>

using namespace loom::bench;
using dnnl::memory;

struct OneDnnInt8Gemm::State {
  int64_t m, k;
  std::vector<int8_t> weights;      // M x K
  std::vector<float> channelScales; // per row of W
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<int8_t> x;
  memory src, packedWeights, dst;
  dnnl::matmul matmul;
};

/// The int8 values of `values` over max |values| / 127, and that scale.
static float quantize(const float *values, size_t count, int8_t *out) {
  float largest = 0;
  for (size_t i = 0; i < count; ++i)
    largest = std::max(largest, std::fabs(values[i]));
  float scale = largest > 0 ? largest / 127 : 1;
  for (size_t i = 0; i < count; ++i)
    out[i] = static_cast<int8_t>(std::lround(values[i] / scale));
  return scale;
}

OneDnnInt8Gemm::OneDnnInt8Gemm(const std::vector<float> &weights, int64_t m,
                               int64_t k)
    : state(std::make_unique<State>()) {
  state->m = m;
  state->k = k;
  state->weights.resize(m * k);
  state->channelScales.resize(m);
  for (int64_t row = 0; row < m; ++row)
    state->channelScales[row] =
        quantize(weights.data() + row * k, k, state->weights.data() + row * k);
}

OneDnnInt8Gemm::~OneDnnInt8Gemm() = default;

void OneDnnInt8Gemm::prepare(const std::vector<float> &x, int64_t n) {
  State &s = *state;
  s.x.resize(x.size());
  float xScale = quantize(x.data(), x.size(), s.x.data());
  std::vector<float> outScales(s.m);
  for (int64_t j = 0; j < s.m; ++j)
    outScales[j] = xScale * s.channelScales[j];

  memory::desc srcDesc({n, s.k}, memory::data_type::s8, memory::format_tag::ab);
  memory::desc anyWeights({s.k, s.m}, memory::data_type::s8,
                          memory::format_tag::any);
  memory::desc dstDesc({n, s.m}, memory::data_type::f32,
                       memory::format_tag::ab);
  dnnl::primitive_attr attr;
  // One scale per column of the output (dim 1).
  attr.set_output_scales(1 << 1, outScales);
  dnnl::matmul::primitive_desc pd(
      dnnl::matmul::desc(srcDesc, anyWeights, dstDesc), attr, s.engine);
  // W is M x K row-major: as the K x M operand, its layout is "ba".
  memory userWeights(
      {{s.k, s.m}, memory::data_type::s8, memory::format_tag::ba}, s.engine,
      s.weights.data());
  s.packedWeights = memory(pd.weights_desc(), s.engine);
  dnnl::reorder(userWeights, s.packedWeights)
      .execute(s.stream, userWeights, s.packedWeights);
  s.stream.wait();
  s.src = memory(srcDesc, s.engine, s.x.data());
  s.dst = memory(dstDesc, s.engine, DNNL_MEMORY_NONE);
  s.matmul = dnnl::matmul(pd);
}

void OneDnnInt8Gemm::run(float *y, int threads) const {
  omp_set_num_threads(threads);
  state->dst.set_data_handle(y);
  state->matmul.execute(state->stream,
                        {{DNNL_ARG_SRC, state->src},
                         {DNNL_ARG_WEIGHTS, state->packedWeights},
                         {DNNL_ARG_DST, state->dst}});
  state->stream.wait();
}

const char *OneDnnInt8Gemm::weightData() const {
  return static_cast<const char *>(state->packedWeights.get_data_handle());
}

size_t OneDnnInt8Gemm::weightBytes() const {
  return state->packedWeights.get_desc().get_size();
}
