//===- MoEOracle.h - Plain-loop oracle for moe.md §1 ------------*- C++ -*-===//
//
// The routing and layer semantics of moe.md §1 as plain C++ loops. It shares
// no code with the compiler; the integration tests compare the reference
// lowering against it bit for bit (decisions) or within 1e-4 (outputs).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_ORACLE_MOEORACLE_H
#define LOOM_TEST_ORACLE_MOEORACLE_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace loom::oracle {

enum class Act { Relu, Gelu, GeluTanh, Silu, Swiglu, Geglu };

/// The activation's name in `#moe.ffn<...>`.
inline const char *actName(Act a) {
  static const char *names[] = {"relu", "gelu",   "gelu_tanh",
                                "silu", "swiglu", "geglu"};
  return names[int(a)];
}

struct RoutingConfig {
  int experts = 8, k = 2;
  bool sigmoid = false, renormalize = true;
  float scale = 1.f;
  int groups = 1, groupTopk = 1;
  bool top2Sum = false, prioritized = false;
  double factor = 0.0; // Tutel's capacity factor
  int align = 1;
  bool padded = false;
  int rowAlign = 1;
};

struct Routing {
  std::vector<int32_t> ids, loc, counts, offsets, rows;
  std::vector<float> weights;
  int32_t capacity = 0;
};

/// §1.1's score function, in place on one token's E logits: a
/// max-subtracted softmax or an elementwise sigmoid, in float.
inline void scoreLogits(const RoutingConfig &c, float *row) {
  if (c.sigmoid) {
    for (int e = 0; e < c.experts; ++e)
      row[e] = 1.f / (1.f + std::exp(-row[e]));
    return;
  }
  float max = -std::numeric_limits<float>::infinity(), sum = 0.f;
  for (int e = 0; e < c.experts; ++e)
    max = std::max(max, row[e]);
  for (int e = 0; e < c.experts; ++e)
    sum += row[e] = std::exp(row[e] - max);
  for (int e = 0; e < c.experts; ++e)
    row[e] /= sum;
}

/// §1.1: the score function of x * router^T, in float.
inline std::vector<float> gate(const RoutingConfig &c, const std::vector<float> &x,
                               const std::vector<float> &router, int tokens,
                               int d) {
  std::vector<float> p(size_t(tokens) * c.experts);
  for (int t = 0; t < tokens; ++t) {
    float *row = &p[size_t(t) * c.experts];
    for (int e = 0; e < c.experts; ++e) {
      float acc = 0.f;
      for (int j = 0; j < d; ++j)
        acc += x[size_t(t) * d + j] * router[size_t(e) * d + j];
      row[e] = acc;
    }
    scoreLogits(c, row);
  }
  return p;
}

/// §1.2-1.4 on given scores P [T, E] and selection bias [E].
inline Routing route(const RoutingConfig &c, const std::vector<float> &p,
                     const std::vector<float> &bias, int tokens) {
  const int E = c.experts, k = c.k;
  const float ninf = -std::numeric_limits<float>::infinity();
  Routing r;
  r.ids.resize(size_t(tokens) * k);
  r.weights.resize(size_t(tokens) * k);
  for (int t = 0; t < tokens; ++t) {
    std::vector<float> s(E);
    for (int e = 0; e < E; ++e)
      s[e] = p[size_t(t) * E + e] + (bias.empty() ? 0.f : bias[e]);
    if (c.groups > 1) {
      int per = E / c.groups;
      std::vector<float> score(c.groups);
      for (int g = 0; g < c.groups; ++g) {
        std::vector<float> members(s.begin() + g * per, s.begin() + (g + 1) * per);
        std::sort(members.begin(), members.end(), std::greater<float>());
        score[g] = c.top2Sum ? members[0] + members[1] : members[0];
      }
      std::vector<bool> keep(c.groups, false);
      for (int round = 0; round < c.groupTopk; ++round) {
        int best = -1;
        for (int g = 0; g < c.groups; ++g)
          if (!keep[g] && (best < 0 || score[g] > score[best]))
            best = g;
        keep[best] = true;
      }
      for (int e = 0; e < E; ++e)
        if (!keep[e / per])
          s[e] = ninf;
    }
    std::vector<bool> taken(E, false);
    float sum = 0.f;
    for (int slot = 0; slot < k; ++slot) {
      int best = -1;
      for (int e = 0; e < E; ++e)
        if (!taken[e] && (best < 0 || s[e] > s[best]))
          best = e;
      taken[best] = true;
      r.ids[size_t(t) * k + slot] = best;
      r.weights[size_t(t) * k + slot] = p[size_t(t) * E + best];
      sum += p[size_t(t) * E + best];
    }
    for (int slot = 0; slot < k; ++slot) {
      float &w = r.weights[size_t(t) * k + slot];
      if (c.renormalize)
        w /= std::max(sum, 0x1p-23f);
      w *= c.scale;
    }
  }

  // Loads per slot and expert, capacity.
  std::vector<int> load(E, 0);
  for (int t = 0; t < tokens; ++t)
    for (int slot = 0; slot < k; ++slot)
      ++load[r.ids[size_t(t) * k + slot]];
  int maxLoad = tokens ? *std::max_element(load.begin(), load.end()) : 0;
  int q = (tokens + E - 1) / E;
  int C;
  if (c.factor > 0)
    C = k * int(c.factor * q);
  else if (c.factor == 0)
    C = maxLoad;
  else
    C = std::min(maxLoad, k * int(-c.factor * q));
  C = (C + c.align - 1) / c.align * c.align;
  r.capacity = C;

  // Token order pi and slot-major locations.
  std::vector<int> order(tokens);
  std::iota(order.begin(), order.end(), 0);
  if (c.prioritized) {
    std::vector<float> prio(tokens);
    for (int t = 0; t < tokens; ++t)
      prio[t] = *std::max_element(&p[size_t(t) * E], &p[size_t(t) * E] + E);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return prio[a] > prio[b]; });
  }
  r.loc.assign(size_t(tokens) * k, -1);
  std::vector<int> seen(E, 0);
  for (int slot = 0; slot < k; ++slot)
    for (int t : order) {
      int e = r.ids[size_t(t) * k + slot];
      int l = seen[e]++;
      r.loc[size_t(t) * k + slot] = l < C ? l : -1;
    }
  r.counts.resize(E);
  r.offsets.assign(E + 1, 0);
  for (int e = 0; e < E; ++e) {
    r.counts[e] = std::min(load[e], C);
    int span = c.padded ? C : (r.counts[e] + c.rowAlign - 1) / c.rowAlign * c.rowAlign;
    r.offsets[e + 1] = r.offsets[e] + span;
  }
  r.rows.assign(r.offsets[E], -1);
  for (int t = 0; t < tokens; ++t)
    for (int slot = 0; slot < k; ++slot) {
      int l = r.loc[size_t(t) * k + slot];
      if (l >= 0)
        r.rows[r.offsets[r.ids[size_t(t) * k + slot]] + l] = t * k + slot;
    }
  return r;
}

inline double activate(Act a, double z) {
  switch (a) {
  case Act::Relu: return std::max(z, 0.0);
  case Act::Silu: case Act::Swiglu: return z / (1 + std::exp(-z));
  case Act::Gelu: case Act::Geglu: return 0.5 * z * (1 + std::erf(z / std::sqrt(2.0)));
  case Act::GeluTanh:
    return 0.5 * z * (1 + std::tanh(std::sqrt(2 / M_PI) * (z + 0.044715 * z * z * z)));
  }
  return z;
}
inline bool gated(Act a) { return a == Act::Swiglu || a == Act::Geglu; }

/// One expert FFN (§1.6) on one row: W1 [H, d], W2 [d, h], H = 2h if gated.
inline std::vector<double> ffn(Act a, const float *row, const float *w1,
                               const float *w2, int d, int h) {
  std::vector<double> hidden(h), out(d, 0.0);
  for (int c = 0; c < h; ++c) {
    double g = 0, u = 0;
    for (int j = 0; j < d; ++j) {
      g += double(row[j]) * w1[size_t(c) * d + j];
      if (gated(a))
        u += double(row[j]) * w1[size_t(c + h) * d + j];
    }
    hidden[c] = gated(a) ? activate(a, g) * u : activate(a, g);
  }
  for (int j = 0; j < d; ++j)
    for (int c = 0; c < h; ++c)
      out[j] += hidden[c] * w2[size_t(j) * h + c];
  return out;
}

struct SharedExpert {
  const std::vector<float> *w1 = nullptr, *w2 = nullptr, *gate = nullptr;
  int h = 0;
};

/// The whole layer (§1.5-1.8), directly from the routing decisions:
/// out[t] = shared(t) + sum over kept slots of omega * FFN_e(x[t] (* w)).
inline std::vector<double> layer(const RoutingConfig &c, Act act, bool preScore,
                                 const Routing &r, const std::vector<float> &x,
                                 const std::vector<float> &w1,
                                 const std::vector<float> &w2, int tokens, int d,
                                 int h, const SharedExpert &shared) {
  int H = gated(act) ? 2 * h : h;
  std::vector<double> y(size_t(tokens) * d, 0.0);
  for (int t = 0; t < tokens; ++t) {
    const float *xt = &x[size_t(t) * d];
    if (shared.w1) {
      std::vector<double> s = ffn(act, xt, shared.w1->data(), shared.w2->data(), d, shared.h);
      double g = 1.0;
      if (shared.gate) {
        float dot = 0.f;
        for (int j = 0; j < d; ++j)
          dot += xt[j] * (*shared.gate)[j];
        g = 1.0 / (1.0 + std::exp(-double(dot)));
      }
      for (int j = 0; j < d; ++j)
        y[size_t(t) * d + j] = s[j] * g;
    }
    for (int slot = 0; slot < c.k; ++slot) {
      if (r.loc[size_t(t) * c.k + slot] < 0)
        continue;
      int e = r.ids[size_t(t) * c.k + slot];
      float w = r.weights[size_t(t) * c.k + slot];
      std::vector<float> in(xt, xt + d);
      if (preScore)
        for (float &v : in)
          v *= w;
      std::vector<double> out = ffn(act, in.data(), &w1[size_t(e) * H * d],
                                    &w2[size_t(e) * d * h], d, h);
      double omega = preScore ? 1.0 : w;
      for (int j = 0; j < d; ++j)
        y[size_t(t) * d + j] += omega * out[j];
    }
  }
  return y;
}

} // namespace loom::oracle

#endif // LOOM_TEST_ORACLE_MOEORACLE_H
