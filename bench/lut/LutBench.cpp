//===- LutBench.cpp - bench/run lut: Loom's LUT GEMM against its baselines ===//
//
// One process measures, per point (format, M x K, N, threads, cache
// regime): Loom's compiled kernel, Loom's reference lowering, Loom's
// lut.dequantize + OpenBLAS, OpenBLAS sgemm on f32 weights, oneDNN's int8
// matmul on the weights quantized to int8 per channel, and the read
// roofline over the format's weight bytes, and prints ratios (protocol:
// ../shared/design/lut.md §5 and bench/README.md). Loom's outputs are
// checked against the reference before anything is timed.
//
// Cold runs: the weights are constants inside the compiled library, so
// instead of rotating over copies the benchmark flushes every cache line of
// the weights (the library's mapped file, the f32 matrix, the probe buffer)
// before each timed call: each call streams its weights from DRAM.
//
//===----------------------------------------------------------------------===//

#include "../common/BenchSupport.h"
#include "OneDnnGemm.h"
#include "loom/Runtime/ModelLibrary.h"
#include "loom/Support/CacheFlush.h"
#include "loom/Support/DenseLiteral.h"

#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using mlir::loom::flushMappedFile;
using mlir::loom::flushRange;
using mlir::loom::hexDenseLiteral;
using mlir::loom::ModelLibrary;
using mlir::loom::RuntimeApi;

using namespace loom::bench;

namespace {

struct Format {
  std::string name;
  const char *quant;
  int codeRange; // codes are drawn from [0, codeRange)
  int group;     // 0: per tensor
  bool f16Scales;
  bool zeroPoint;
  double codeBits; // stored bits per weight of the layout
  /// Ternary weights in the trit3 layout (lut.md §2.5, 5/3 bits per
  /// weight) instead of bit planes.
  bool trit3 = false;
  /// The `exact` mode (lut.md §5 measures both): activations quantized to
  /// int8 per row by the GEMM (act_quant), exact int16 tables. Otherwise
  /// `table_i8`: int8 tables of the fp activations.
  bool actQuant = false;
};

/// A format name without its mode suffix: what the goal thresholds key on.
std::string weightOf(const std::string &format) {
  size_t suffix = format.rfind("-aq");
  return suffix == std::string::npos ? format : format.substr(0, suffix);
}

const Format kWeightFormats[] = {
    {"ternary", "#lut.quant<ternary, group = per_tensor, scale = f32>", 3, 0,
     false, false, 2},
    {"w4", "#lut.quant<signed, bits = 4, group = 32, scale = f16>", 16, 32,
     true, false, 4},
    {"w1", "#lut.quant<binary, bits = 1, group = 128, scale = f16>", 2, 128,
     true, false, 1},
    {"w2",
     "#lut.quant<unsigned, bits = 2, group = 128, scale = f16, offset = "
     "zero_point>",
     4, 128, true, true, 2},
    {"w3", "#lut.quant<signed, bits = 3, group = 128, scale = f16>", 8, 128,
     true, false, 3},
    {"trit3", "#lut.quant<ternary, group = per_tensor, scale = f32>", 3, 0,
     false, false, 5.0 / 3, /*trit3=*/true},
};

/// Every weight format in the table_i8 mode, then in the exact mode ("-aq").
const std::vector<Format> &allFormats() {
  static const std::vector<Format> formats = [] {
    std::vector<Format> all(std::begin(kWeightFormats),
                            std::end(kWeightFormats));
    for (Format f : kWeightFormats) {
      f.name += "-aq";
      f.actQuant = true;
      all.push_back(f);
    }
    return all;
  }();
  return formats;
}

/// Codes + scales (+ zero points) in bytes: the read a GEMV cannot avoid.
double weightBytes(const Format &f, int64_t m, int64_t k) {
  double groups = f.group ? double(m) * k / f.group : 1;
  return double(m) * k * f.codeBits / 8 +
         groups * ((f.f16Scales ? 2 : 4) + (f.zeroPoint ? 1 : 0));
}

uint16_t toF16(float v) { return _cvtss_sh(v, 0); }

/// The benchmark module: @gemm(x) -> y and @dequant() -> w, over one
/// constant weight.
std::string buildModule(const Format &f, int64_t m, int64_t k,
                        std::mt19937 &rng) {
  std::vector<int8_t> codes(m * k);
  std::uniform_int_distribution<int> code(0, f.codeRange - 1);
  for (auto &c : codes)
    c = static_cast<int8_t>(code(rng));
  int64_t cols = f.group ? k / f.group : 1, rows = f.group ? m : 1;
  std::uniform_real_distribution<float> scale(0.01f, 0.02f);
  std::vector<float> s32(rows * cols);
  std::vector<uint16_t> s16(rows * cols);
  for (int64_t i = 0; i < rows * cols; ++i)
    s32[i] = scale(rng), s16[i] = toF16(s32[i]);
  std::vector<int8_t> zp(rows * cols, 1);
  std::string st = f.f16Scales ? "f16" : "f32";
  std::ostringstream packed, os, scalesType, codesType;
  packed << "!lut.packed<" << m << "x" << k << ", " << f.quant << ", "
         << (f.trit3 ? "#lut.layout<trit3, tile_m = 128>"
                     : "#lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = "
                       "128>")
         << ">";
  scalesType << "tensor<" << rows << "x" << cols << "x" << st << ">";
  codesType << "tensor<" << m << "x" << k << "xi8>";
  auto weight = [&]() {
    os << "  %c = arith.constant "
       << hexDenseLiteral(codes.data(), codes.size()) << " : "
       << codesType.str() << "\n";
    os << "  %s = arith.constant "
       << (f.f16Scales ? hexDenseLiteral(s16.data(), s16.size() * 2)
                       : hexDenseLiteral(s32.data(), s32.size() * 4))
       << " : " << scalesType.str() << "\n";
    if (f.zeroPoint)
      os << "  %z = arith.constant dense<1> : tensor<" << rows << "x" << cols
         << "xi8>\n";
    os << "  %w = lut.pack %c, %s" << (f.zeroPoint ? ", %z" : "") << " : "
       << codesType.str() << ", " << scalesType.str();
    if (f.zeroPoint)
      os << ", tensor<" << rows << "x" << cols << "xi8>";
    os << " -> " << packed.str() << "\n";
  };
  // @gemm: the path lut-select-strategy picks; in the exact mode also each
  // path forced (lut.dot_from_n: 1, the int8-dot path; 2^62, the lookups).
  auto gemm = [&](const char *name, const char *decision) {
    os << "func.func @" << name << "(%x: tensor<?x" << k
       << "xf32>) -> tensor<?x" << m << "xf32> {\n";
    weight();
    os << "  %y = lut.mpgemm %x, %w ";
    if (f.actQuant)
      os << "{act_quant = #lut.act_quant<i8>" << decision << "} ";
    os << ": tensor<?x" << k << "xf32>, " << packed.str() << " -> tensor<?x"
       << m << "xf32>\n";
    os << "  return %y : tensor<?x" << m << "xf32>\n}\n";
  };
  gemm("gemm", "");
  if (f.actQuant) {
    gemm("gemm_lut", ", lut.dot_from_n = 4611686018427387904 : i64");
    gemm("gemm_dot", ", lut.dot_from_n = 1 : i64");
  }
  if (!f.actQuant) {
    // The table precompute alone (G6), with the segments
    // lut-decompose-mpgemm gives table_i8 GEMMs: the weight's group, at most
    // 64.
    int64_t segment = f.group ? std::min(f.group, 64) : 64;
    std::string x = "tensor<?x" + std::to_string(k) + "xf32>";
    // Table groups as lut::tableGroups counts them: trit3 pads the triple
    // each segment of 64 ends in.
    int64_t g = f.trit3 ? 3 : 4;
    int64_t tableGroups = k / segment * ((segment + g - 1) / g);
    std::string t = "tensor<?x" + std::to_string(tableGroups) +
                    (f.trit3 ? "x14xi8>" : "x16xi8>");
    std::string sums = "tensor<?x" + std::to_string(k / segment) + "xf32>";
    os << "func.func @tables(%x: " << x << ") -> (" << t << ", " << sums << ", "
       << sums << ") {\n"
       << "  %t, %xs, %ts = lut.table_precompute %x {accuracy = "
          "#lut.accuracy<table_i8>, g = "
       << g << " : i64, segment = " << segment << " : i64} : " << x << " -> "
       << t << ", " << sums << ", " << sums << "\n"
       << "  return %t, %xs, %ts : " << t << ", " << sums << ", " << sums
       << "\n}\n";
  }
  os << "func.func @dequant() -> tensor<" << m << "x" << k << "xf32> {\n";
  weight();
  os << "  %f = lut.dequantize %w : " << packed.str() << " -> tensor<" << m
     << "x" << k << "xf32>\n";
  os << "  return %f : tensor<" << m << "x" << k << "xf32>\n}\n";
  return os.str();
}

volatile int64_t probeSink;

struct Record {
  std::string format;
  int64_t m, k, n;
  int threads;
  std::string cache, variant;
  Timing t;
  /// For `sweep` records: the CPU pipeline options of the schedule.
  std::string schedule = {};
};

/// The schedules `--sweep` compiles besides the default (loom-decide's
/// choice): every column tile and prefetch distance of lut.gemm's knob
/// space (MpGemmOp::getKnobSpace), each held for every GEMM
/// (cost-model=none), so that G8 judges the choice against the best of all
/// the schedules it was chosen from.
std::vector<std::string> sweepSchedules() {
  std::vector<std::string> schedules;
  for (int tile : {1, 2, 4, 8})
    for (int distance : {0, 512, 1024, 2048, 4096, 8192})
      if (tile != 4 || distance != 2048)
        schedules.push_back(
            "cost-model=none column-tile=" + std::to_string(tile) +
            " prefetch-distance=" + std::to_string(distance));
  return schedules;
}

struct Options {
  std::string compiler, workdir, json;
  /// loom-decide's model for the `loom` variant: auto (the default),
  /// roofline or a model directory (docs/CostModel.md).
  std::string costModel;
  /// Comma-separated thread counts (default: 1 with --quick, else 1,2),
  /// format names, MxK shapes and N values (default: the protocol's).
  std::string threads, formats, shapes, ns;
  bool quick = false, sweep = false;
};

} // namespace

int main(int argc, char **argv) {
  Options opt;
  parseArguments(argc, argv,
                 {{"--json", &opt.json},
                  {"--threads", &opt.threads},
                  {"--formats", &opt.formats},
                  {"--shapes", &opt.shapes},
                  {"--n", &opt.ns},
                  {"--compiler", &opt.compiler},
                  {"--workdir", &opt.workdir},
                  {"--cost-model", &opt.costModel}},
                 {{"--quick", &opt.quick}, {"--sweep", &opt.sweep}},
                 "loom-lut-bench --compiler LOOM_COMPILE --workdir DIR "
                 "[--quick] [--sweep] [--threads 1,2] "
                 "[--formats ternary,w4,w1,w2,w3,trit3] "
                 "[--shapes 4096x4096,...] [--n 1,8,32,128] [--json FILE] "
                 "[--cost-model auto|roofline|DIR]");
  if (opt.compiler.empty() || opt.workdir.empty())
    die("--compiler and --workdir are required");

  bool avx512 = __builtin_cpu_supports("avx512f");
  std::printf("# bench lut%s: OpenBLAS core %s; AVX-512F %s, AVX-512BW %s, "
              "AVX2 %s\n",
              opt.quick ? " --quick" : "", openblas_get_corename(),
              avx512 ? "yes" : "no",
              __builtin_cpu_supports("avx512bw") ? "yes" : "no",
              __builtin_cpu_supports("avx2") ? "yes" : "no");
  std::printf("# load average at start: %s\n", loadAverage().c_str());

  struct Shape {
    int64_t m, k;
  };
  std::vector<Shape> shapes = {{4096, 4096}};
  std::vector<int64_t> ns = {1, 32};
  const std::vector<Format> &known = allFormats();
  std::vector<const Format *> formats = {&known[0], &known[1]};
  if (!opt.quick) {
    shapes = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
    ns = {1, 8, 32, 128};
    formats.clear();
    for (const Format &f : known)
      formats.push_back(&f);
  }
  if (!opt.formats.empty()) {
    formats.clear();
    for (const std::string &name : splitList(opt.formats)) {
      const Format *found = nullptr;
      for (const Format &f : known)
        if (name == f.name)
          found = &f;
      if (!found)
        die("unknown format '" + name +
            "' (ternary, w4, w1, w2, w3, trit3, each also with -aq)");
      formats.push_back(found);
    }
  }
  if (!opt.shapes.empty()) {
    shapes.clear();
    for (const std::string &shape : splitList(opt.shapes)) {
      long long m, k;
      if (std::sscanf(shape.c_str(), "%lldx%lld", &m, &k) != 2 || m <= 0 ||
          k <= 0 || k % 128 != 0)
        die("bad shape '" + shape + "' (MxK, K a multiple of 128)");
      shapes.push_back({m, k});
    }
  }
  if (!opt.ns.empty()) {
    ns.clear();
    for (const std::string &n : splitList(opt.ns))
      ns.push_back(std::max(1, std::atoi(n.c_str())));
  }
  std::vector<int> threadCounts;
  std::stringstream threadList(!opt.threads.empty() ? opt.threads
                               : opt.quick          ? "1"
                                                    : "1,2");
  for (std::string t; std::getline(threadList, t, ',');)
    threadCounts.push_back(std::max(1, std::atoi(t.c_str())));
  const char *caches[] = {"hot", "cold"};

  std::vector<Record> records;
  std::mt19937 rng(42);
  int point = 0, points = int(formats.size() * shapes.size() * ns.size() *
                              threadCounts.size() * 2);
  bool allCorrect = true;
  for (const Format *f : formats)
    for (const Shape &s : shapes) {
      std::fprintf(stderr, "%s %lldx%lld: compiling\n", f->name.c_str(),
                   (long long)s.m, (long long)s.k);
      std::string source = buildModule(*f, s.m, s.k, rng);
      std::string base = opt.workdir + "/lib" + f->name + "_" +
                         std::to_string(s.m) + "x" + std::to_string(s.k);
      // The default schedule, loom-decide's, twice: decided for weights
      // streamed from DRAM, which the cold points time, and for weights
      // left in the caches by the call before, which the hot points time
      // (the option a user states it with).
      std::string modelOption =
          opt.costModel.empty() ? "" : "cost-model=" + opt.costModel + " ";
      Model fromDram = compileModel(opt.compiler, source, base + ".so", false,
                                    modelOption + "weights=dram");
      Model cached = compileModel(opt.compiler, source, base + "_cached.so",
                                  false, modelOption + "weights=cache");
      Model ref = compileModel(opt.compiler, source, base + "_ref.so", true);
      std::vector<std::pair<std::string, Model>> swept;
      if (opt.sweep)
        for (const std::string &schedule : sweepSchedules())
          swept.emplace_back(
              schedule, compileModel(opt.compiler, source,
                                     base + "_sweep" +
                                         std::to_string(swept.size()) + ".so",
                                     false, schedule));

      // The f32 weights of the OpenBLAS baselines, and a dequantize
      // buffer the dequant baseline fills each call.
      std::vector<float> w32;
      fromDram.run("dequant", {}, &w32);
      std::vector<float> dq(w32.size());
      float *dqData = dq.data();
      loom::bench::OneDnnInt8Gemm int8Gemm(w32, s.m, s.k);
      double bytes = weightBytes(*f, s.m, s.k);
      std::vector<char> probe(size_t(bytes) + 4096, 1);
      char *probeData = reinterpret_cast<char *>(
          (reinterpret_cast<uintptr_t>(probe.data()) + 63) & ~uintptr_t(63));

      for (int64_t n : ns) {
        std::vector<float> x(n * s.k), y(n * s.m);
        std::uniform_real_distribution<float> act(-1.f, 1.f);
        for (auto &v : x)
          v = act(rng);
        std::vector<int64_t> xShape = {n, s.k};

        // Correctness first: Loom (each path) against its reference
        // lowering.
        std::vector<float> want;
        ref.run("gemm", {{x.data(), xShape}}, &want);
        std::vector<const char *> entries = {"gemm"};
        if (f->actQuant)
          entries.insert(entries.end(), {"gemm_lut", "gemm_dot"});
        // max |got - want| / max |want| within `tolerance`, printed.
        auto check = [&](const std::string &name, const std::vector<float> &got,
                         double tolerance) {
          double err = 0, scale = 0;
          for (size_t i = 0; i < want.size(); ++i) {
            err = std::max(err, double(std::fabs(got[i] - want[i])));
            scale = std::max(scale, double(std::fabs(want[i])));
          }
          bool correct = err <= tolerance * scale;
          allCorrect &= correct;
          std::fprintf(stderr,
                       "  N = %lld %s: max |%s - reference| / max |y| = "
                       "%.2e %s\n",
                       (long long)n, name.c_str(), name.c_str(), err / scale,
                       correct ? "ok" : "WRONG");
        };
        for (const Model *loom : {&fromDram, &cached})
          for (const char *entry : entries) {
            std::vector<float> got;
            loom->run(entry, {{x.data(), xShape}}, &got);
            check(std::string(entry) + (loom == &cached ? "@cache" : ""), got,
                  0.02);
          }
        // The int8 peer quantizes weights and activations to int8 (per
        // channel, per tensor): within a few per cent of the reference.
        int8Gemm.prepare(x, n);
        std::vector<float> int8Out(n * s.m);
        int8Gemm.run(int8Out.data(), 1);
        check("onednn_int8", int8Out, 0.05);

        for (int threads : threadCounts)
          for (const char *cache : caches) {
            bool cold = std::strcmp(cache, "cold") == 0;
            const Model &loom = cold ? fromDram : cached;
            openblas_set_num_threads(threads);
            if (loom.api().set_num_threads(threads) != LOOM_OK)
              die(loom.api().last_error());
            ++point;
            std::fprintf(stderr, "  [%d/%d] %s N = %lld, %d thread(s), %s\n",
                         point, points, f->name.c_str(), (long long)n, threads,
                         cache);
            auto add = [&](const char *variant, Timing t) {
              records.push_back(
                  {f->name, s.m, s.k, n, threads, cache, variant, t});
            };
            auto flushLoom = [&] { flushMappedFile(loom.path); };
            auto flushRef = [&] { flushMappedFile(ref.path); };
            auto flushW32 = [&] {
              flushRange(w32.data(), w32.data() + w32.size());
            };
            auto flushDequant = [&] {
              flushMappedFile(loom.path);
              flushRange(dq.data(), dq.data() + dq.size());
            };
            auto flushProbe = [&] {
              flushRange(probeData, probeData + size_t(bytes));
            };
            std::function<void()> none;
            // What a hot point's timed call follows in a round-robin
            // re-timing: the others' weights evicted its own, and one
            // untimed call did not bring them back (W4 4096 x 4096 N = 1:
            // 173-196 us against 109-124 us timed alone; three: 108-127 us).
            auto warmUp = [](std::function<void()> call) {
              return std::function<void()>([call] {
                for (int i = 0; i < 3; ++i)
                  call();
              });
            };
            auto gemm = [&](const float *w) {
              if (n == 1)
                cblas_sgemv(CblasRowMajor, CblasNoTrans, s.m, s.k, 1.f, w, s.k,
                            x.data(), 1, 0.f, y.data(), 1);
              else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, s.m,
                            s.k, 1.f, x.data(), s.k, w, s.k, 0.f, y.data(),
                            s.m);
            };

            add("loom",
                measure(
                    [&] {
                      loom.run("gemm", {{x.data(), xShape}});
                    },
                    cold ? std::function<void()>(flushLoom) : none, threads));
            // The other schedules of --sweep (G8).
            for (const auto &entry : swept) {
              const Model &model = entry.second;
              if (model.api().set_num_threads(threads) != LOOM_OK)
                die(model.api().last_error());
              records.push_back({f->name, s.m, s.k, n, threads, cache, "sweep",
                                 measure(
                                     [&] {
                                       model.run("gemm", {{x.data(), xShape}});
                                     },
                                     cold ? std::function<void()>([&] {
                                       flushMappedFile(model.path);
                                     })
                                          : none,
                                     threads),
                                 entry.first});
            }
            // The default and the three fastest swept schedules re-timed
            // round-robin, which G8 compares: the best of 23 separate
            // timings is biased low, and drift between them is not noise
            // the schedules share (measuring.md). At a hot point each timed
            // call follows untimed calls of its own (warmUp).
            if (!swept.empty()) {
              size_t first = records.size() - swept.size();
              std::vector<size_t> fastest(swept.size());
              std::iota(fastest.begin(), fastest.end(), size_t(0));
              std::stable_sort(
                  fastest.begin(), fastest.end(), [&](size_t a, size_t b) {
                    return records[first + a].t.p10 < records[first + b].t.p10;
                  });
              fastest.resize(std::min<size_t>(3, fastest.size()));
              std::vector<std::function<void()>> calls, prepares;
              auto finalist = [&](const Model *model) {
                std::function<void()> call = [&, model] {
                  model->run("gemm", {{x.data(), xShape}});
                };
                calls.push_back(call);
                prepares.push_back(cold ? std::function<void()>([model] {
                  flushMappedFile(model->path);
                })
                                        : warmUp(call));
              };
              finalist(&loom);
              for (size_t i : fastest)
                finalist(&swept[i].second);
              std::vector<Timing> times =
                  measureInterleaved(calls, threads, 5, 0.05, prepares);
              add("loom-retimed", times[0]);
              for (size_t j = 0; j < fastest.size(); ++j)
                records.push_back({f->name, s.m, s.k, n, threads, cache,
                                   "sweep-retimed", times[j + 1],
                                   swept[fastest[j]].first});
            }
            // Each path of the exact mode forced, re-timed round-robin with
            // @gemm: what its choice is judged against (G5). The two paths
            // read different weight streams, each evicting the other's, so
            // hot calls follow warmUp's. Timed apart, @gemm and a path it
            // chose, one machine code, differed by up to 1.21x at N = 128
            // (drift, not the choice).
            if (f->actQuant) {
              std::vector<std::function<void()>> calls, prepares;
              for (const char *entry : {"gemm", "gemm_lut", "gemm_dot"}) {
                std::function<void()> call = [&, entry] {
                  loom.run(entry, {{x.data(), xShape}});
                };
                calls.push_back(call);
                prepares.push_back(cold ? std::function<void()>(flushLoom)
                                        : warmUp(call));
              }
              std::vector<Timing> times =
                  measureInterleaved(calls, threads, 5, 0.05, prepares);
              add("loom-paths-retimed", times[0]);
              add("loom_lut", times[1]);
              add("loom_dot", times[2]);
            }
            if (n == 1 && !cold && !f->actQuant)
              add("precompute", measure(
                                    [&] {
                                      loom.run("tables", {{x.data(), xShape}});
                                    },
                                    none, threads));
            add("reference",
                measure(
                    [&] {
                      ref.run("gemm", {{x.data(), xShape}});
                    },
                    cold ? std::function<void()>(flushRef) : none, threads));
            add("dequant_openblas",
                measure(
                    [&] {
                      loom.run("dequant", {}, nullptr, &dqData);
                      gemm(dqData);
                    },
                    cold ? std::function<void()>(flushDequant) : none,
                    threads));
            add("sgemm_fp32",
                measure([&] { gemm(w32.data()); },
                        cold ? std::function<void()>(flushW32) : none,
                        threads));
            add("onednn_int8", measure([&] { int8Gemm.run(y.data(), threads); },
                                       cold ? std::function<void()>([&] {
                                         flushRange(int8Gemm.weightData(),
                                                    int8Gemm.weightData() +
                                                        int8Gemm.weightBytes());
                                       })
                                            : none,
                                       threads));
            add("roofline",
                measure(
                    [&] {
                      probeSink =
                          readProbe(probeData, size_t(bytes), threads, avx512);
                    },
                    cold ? std::function<void()>(flushProbe) : none, threads));
          }
      }
    }

  // The table: per point, Loom against each baseline.
  auto samePoint = [](const Record &a, const Record &b) {
    return a.format == b.format && a.m == b.m && a.k == b.k && a.n == b.n &&
           a.threads == b.threads && a.cache == b.cache;
  };
  auto find = [&](const Record &r, const char *variant) -> const Record * {
    for (const Record &o : records)
      if (samePoint(o, r) && o.variant == variant)
        return &o;
    return nullptr;
  };
  std::printf("\n%-8s %6s %6s %4s %2s %-5s %10s %10s %8s %7s %9s %9s %9s %9s "
              "%6s\n",
              "format", "M", "K", "N", "t", "cache", "loom p10", "median",
              "GOP/s", "eff", "xref", "xdeq+blas", "xsgemm", "xdnn-i8", "cpu");
  for (const Record &r : records) {
    if (r.variant != "loom")
      continue;
    const Record *roof = find(r, "roofline"), *ref = find(r, "reference"),
                 *deq = find(r, "dequant_openblas"),
                 *sg = find(r, "sgemm_fp32"), *dnn = find(r, "onednn_int8");
    double gops = 2.0 * r.m * r.k * r.n / (r.t.p10 * 1e3);
    std::printf("%-8s %6lld %6lld %4lld %2d %-5s %8.0fus %8.0fus %8.1f %7.2f "
                "%9.1f %9.2f %9.2f %9.2f %6.2f\n",
                r.format.c_str(), (long long)r.m, (long long)r.k,
                (long long)r.n, r.threads, r.cache.c_str(), r.t.p10, r.t.median,
                gops, roof->t.p10 / r.t.p10, ref->t.p10 / r.t.p10,
                deq->t.p10 / r.t.p10, sg->t.p10 / r.t.p10, dnn->t.p10 / r.t.p10,
                r.t.cpuShare);
  }
  std::printf("\n(eff = roofline read time of the weight bytes / Loom's time; "
              "xV = V's time / Loom's time, > 1: Loom is faster; times are "
              "p10 of >= 10 calls)\n");

  // Goals of lut.md §6.2 that this run covers.
  auto goal = [&](const char *name, bool pass, const std::string &detail) {
    std::printf("%s %s: %s\n", pass ? "PASS" : "FAIL", name, detail.c_str());
  };
  // "ternary 4096x4096 N=1 1t hot", the point a goal line speaks of.
  auto pointOf = [](const Record &r) {
    char point[96];
    std::snprintf(point, sizeof point, "%s %lldx%lld N=%lld %dt %s",
                  r.format.c_str(), (long long)r.m, (long long)r.k,
                  (long long)r.n, r.threads, r.cache.c_str());
    return std::string(point);
  };
  for (const Record &r : records) {
    if (r.variant != "loom")
      continue;
    const Record *roof = find(r, "roofline");
    double eff = roof->t.p10 / r.t.p10;
    char detail[160];
    std::snprintf(detail, sizeof detail, "%s eff %.2f", pointOf(r).c_str(),
                  eff);
    if (r.t.cpuShare < 0.9) {
      std::printf("INCONCLUSIVE %s (cpu_share %.2f)\n", detail, r.t.cpuShare);
      continue;
    }
    bool w4 = weightOf(r.format) == "w4";
    if (r.n == 1 && r.cache == "cold")
      goal(w4 ? "G2 (>= 0.70)" : "G1 (>= 0.60)", eff >= (w4 ? 0.70 : 0.60),
           detail);
    if (r.n == 1 && r.cache == "hot")
      goal(w4 ? "G3 (>= 0.41)" : "G3 (>= 0.50)", eff >= (w4 ? 0.41 : 0.50),
           detail);
    if ((r.n == 8 || r.n == 32) && r.cache == "hot") {
      double gops = 2.0 * r.m * r.k * r.n / (r.t.p10 * 1e3) / r.threads;
      std::snprintf(detail, sizeof detail,
                    "%s %lldx%lld N=%lld %dt %.1f GOP/s per core",
                    r.format.c_str(), (long long)r.m, (long long)r.k,
                    (long long)r.n, r.threads, gops);
      goal("G4 (>= 110 GOP/s per core)", gops >= 110, detail);
    }
    if (const Record *tables = find(r, "precompute")) {
      double share = tables->t.p10 / r.t.p10;
      std::snprintf(detail, sizeof detail,
                    "%s %lldx%lld N=1 %dt hot: precompute %.1f us, %.2f of "
                    "the GEMM",
                    r.format.c_str(), (long long)r.m, (long long)r.k, r.threads,
                    tables->t.p10, share);
      goal("G6 (<= 0.10)", share <= 0.10, detail);
    }
  }
  for (const Record &r : records) {
    if (r.variant != "loom" || r.n != 128 || r.cache != "hot")
      continue;
    const Record *deq = find(r, "dequant_openblas");
    char detail[160];
    std::snprintf(detail, sizeof detail,
                  "%s %lldx%lld N=128 %dt hot: dequant+OpenBLAS / Loom %.2fx",
                  r.format.c_str(), (long long)r.m, (long long)r.k, r.threads,
                  deq->t.p10 / r.t.p10);
    goal("G5 (faster than dequant + OpenBLAS)", deq->t.p10 >= r.t.p10, detail);
  }
  // The choice between the two exact paths, at every point measured (G5
  // asks it at N = 128, hot): within 10 % of the faster one, all three
  // timed round-robin.
  for (const Record &r : records) {
    if (r.variant != "loom-paths-retimed")
      continue;
    const Record *lut = find(r, "loom_lut"), *dot = find(r, "loom_dot");
    double best = std::min(lut->t.p10, dot->t.p10);
    char detail[200];
    std::snprintf(detail, sizeof detail,
                  "%s: chosen %.0f us, lookups %.0f us, int8 dot %.0f us "
                  "(%.2fx the faster)",
                  pointOf(r).c_str(), r.t.p10, lut->t.p10, dot->t.p10,
                  r.t.p10 / best);
    goal("G5 (choice within 10 % of the faster path)", r.t.p10 <= 1.1 * best,
         detail);
  }
  for (const Record &r : records) {
    if (r.variant != "loom" || r.threads != 2 || r.cache != "hot" ||
        (r.n != 1 && r.n != 32))
      continue;
    for (const Record &one : records)
      if (one.variant == "loom" && one.threads == 1 && one.format == r.format &&
          one.m == r.m && one.k == r.k && one.n == r.n && one.cache == "hot") {
        char detail[160];
        double speedup = one.t.p10 / r.t.p10;
        std::snprintf(detail, sizeof detail,
                      "%s %lldx%lld N=%lld hot 2t/1t %.2fx", r.format.c_str(),
                      (long long)r.m, (long long)r.k, (long long)r.n, speedup);
        goal("G7 (>= 1.8x)", speedup >= 1.8, detail);
      }
  }
  // G9: fewer bits are faster - trit3 (5/3 bits) against the 2-bit ternary
  // layout from DRAM at N = 1 (lut.md's stretch: 1.15x, the byte ratio
  // being 1.24x).
  for (const Record &r : records) {
    if (r.variant != "loom" || r.format != "trit3" || r.n != 1 ||
        r.cache != "cold")
      continue;
    for (const Record &two : records)
      if (two.variant == "loom" && two.format == "ternary" && two.m == r.m &&
          two.k == r.k && two.n == 1 && two.threads == r.threads &&
          two.cache == "cold") {
        char detail[160];
        double speedup = two.t.p10 / r.t.p10;
        std::snprintf(detail, sizeof detail,
                      "%lldx%lld N=1 %dt cold: ternary 2-bit / trit3 %.2fx "
                      "(stretch 1.15x %s)",
                      (long long)r.m, (long long)r.k, r.threads, speedup,
                      speedup >= 1.15 ? "met" : "missed");
        goal("G9 (trit3 faster than 2-bit ternary)", speedup > 1.0, detail);
      }
  }
  // G8: the default schedule against the best one swept, re-timed
  // together.
  for (const Record &r : records) {
    if (r.variant != "loom-retimed")
      continue;
    const Record *best = nullptr;
    for (const Record &o : records)
      if (o.variant == "sweep-retimed" && samePoint(o, r) &&
          (!best || o.t.p10 < best->t.p10))
        best = &o;
    if (!best)
      continue;
    char detail[220];
    std::snprintf(detail, sizeof detail,
                  "%s: default %.0f us, best swept %.0f us (%s), %.2fx",
                  pointOf(r).c_str(), r.t.p10, best->t.p10,
                  best->schedule.c_str(),
                  r.t.p10 / std::min(r.t.p10, best->t.p10));
    goal("G8 (default schedule within 10 % of the best swept)",
         r.t.p10 <= 1.1 * best->t.p10, detail);
  }
  std::printf("%s correctness: every point within 2%% of max |y| of the "
              "reference (oneDNN's int8 peer: 5%%)\n",
              allCorrect ? "PASS" : "FAIL");

  if (!opt.json.empty()) {
    std::ofstream out(opt.json);
    out << "[\n";
    for (size_t i = 0; i < records.size(); ++i) {
      const Record &r = records[i];
      out << "  {\"format\": \"" << r.format << "\", \"m\": " << r.m
          << ", \"k\": " << r.k << ", \"n\": " << r.n
          << ", \"threads\": " << r.threads << ", \"cache\": \"" << r.cache
          << "\", \"variant\": \"" << r.variant
          << (r.schedule.empty() ? "" : "\", \"schedule\": \"" + r.schedule)
          << "\", \"time_us\": " << r.t.p10 << ", \"median_us\": " << r.t.median
          << ", \"calls\": " << r.t.calls << ", \"cpu_share\": " << r.t.cpuShare
          << "}" << (i + 1 < records.size() ? "," : "") << "\n";
    }
    out << "]\n";
    std::printf("wrote %s\n", opt.json.c_str());
  }
  return allCorrect ? 0 : 1;
}
