//===- Probes.cpp - Microkernels that measure the roofline's peaks --------===//
//
// Every compute probe runs 12 independent chains, enough to cover the
// latency of two pipelined ports on current x86 cores, so that it measures
// throughput; every chain's operands differ, so the compiler can share no
// work between them.
//
//===----------------------------------------------------------------------===//

#include "Probes.h"

#include "loom/CostModel/TargetInfo.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

using namespace mlir::loom::tune;

namespace {

constexpr int kChains = 12;

/// Results land here, so that no probe is dead code.
volatile uint32_t sink;

#define LOOM_AVX512 __attribute__((target("avx512f,avx512bw")))
#define LOOM_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))
#define LOOM_AVX2 __attribute__((target("avx2,fma")))

//===-- AVX-512 -----------------------------------------------------------===//

LOOM_AVX512 void fmaZmm(int64_t n) {
  __m512 acc[kChains], a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm512_set1_ps(float(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm512_add_ps(acc[0], acc[j]);
  sink = uint32_t(_mm512_reduce_add_ps(acc[0]));
}

LOOM_AVX512 void lookupZmm(int64_t n) {
  __m512i acc[kChains], table = _mm512_set1_epi32(0x03020100 + int(sink));
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm512_set1_epi8(char(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm512_shuffle_epi8(table, acc[j]);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm512_xor_si512(acc[0], acc[j]);
  sink = uint32_t(_mm512_reduce_add_epi32(acc[0]));
}

LOOM_AVX512_VNNI void dotVnniZmm(int64_t n) {
  __m512i acc[kChains], u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-2);
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm512_set1_epi32(j);
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm512_dpbusd_epi32(acc[j], u, s);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm512_add_epi32(acc[0], acc[j]);
  sink = uint32_t(_mm512_reduce_add_epi32(acc[0]));
}

/// The three-instruction sequence kernels use without VNNI. The chains run
/// through the unsigned operand, so that no two steps share a product.
LOOM_AVX512 void dotEmulatedZmm(int64_t n) {
  __m512i acc[kChains], u[kChains], s = _mm512_set1_epi8(-2);
  __m512i ones = _mm512_set1_epi16(1);
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm512_set1_epi32(j), u[j] = _mm512_set1_epi8(char(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j) {
      u[j] = _mm512_maddubs_epi16(u[j], s);
      acc[j] = _mm512_add_epi32(acc[j], _mm512_madd_epi16(u[j], ones));
    }
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm512_add_epi32(acc[0], acc[j]);
  sink = uint32_t(_mm512_reduce_add_epi32(acc[0]));
}

LOOM_AVX512 void readZmm(const char *data, uint64_t bytes, int passes) {
  __m512i acc[8];
  for (__m512i &a : acc)
    a = _mm512_setzero_si512();
  for (int pass = 0; pass < passes; ++pass)
    for (uint64_t at = 0; at < bytes; at += sizeof(acc))
      for (int j = 0; j < 8; ++j)
        acc[j] = _mm512_add_epi32(
            acc[j], _mm512_load_si512(data + at + j * sizeof(__m512i)));
  for (int j = 1; j < 8; ++j)
    acc[0] = _mm512_add_epi32(acc[0], acc[j]);
  sink = uint32_t(_mm512_reduce_add_epi32(acc[0]));
}

//===-- AVX2 --------------------------------------------------------------===//

LOOM_AVX2 uint32_t lowLane(__m256i v) {
  return uint32_t(_mm_cvtsi128_si32(_mm256_castsi256_si128(v)));
}

LOOM_AVX2 void fmaYmm(int64_t n) {
  __m256 acc[kChains], a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm256_set1_ps(float(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm256_add_ps(acc[0], acc[j]);
  sink = uint32_t(_mm256_cvtss_f32(acc[0]));
}

LOOM_AVX2 void lookupYmm(int64_t n) {
  __m256i acc[kChains], table = _mm256_set1_epi32(0x03020100 + int(sink));
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm256_set1_epi8(char(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm256_shuffle_epi8(table, acc[j]);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm256_xor_si256(acc[0], acc[j]);
  sink = lowLane(acc[0]);
}

/// Half the chains: two registers each must fit AVX2's sixteen.
LOOM_AVX2 void dotEmulatedYmm(int64_t n) {
  constexpr int kHalf = kChains / 2;
  __m256i acc[kHalf], u[kHalf], s = _mm256_set1_epi8(-2);
  __m256i ones = _mm256_set1_epi16(1);
  for (int j = 0; j < kHalf; ++j)
    acc[j] = _mm256_set1_epi32(j), u[j] = _mm256_set1_epi8(char(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kHalf; ++j) {
      u[j] = _mm256_maddubs_epi16(u[j], s);
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(u[j], ones));
    }
  for (int j = 1; j < kHalf; ++j)
    acc[0] = _mm256_add_epi32(acc[0], acc[j]);
  sink = lowLane(acc[0]);
}

LOOM_AVX2 void readYmm(const char *data, uint64_t bytes, int passes) {
  __m256i acc[8];
  for (__m256i &a : acc)
    a = _mm256_setzero_si256();
  for (int pass = 0; pass < passes; ++pass)
    for (uint64_t at = 0; at < bytes; at += sizeof(acc))
      for (int j = 0; j < 8; ++j)
        acc[j] = _mm256_add_epi32(
            acc[j], _mm256_load_si256(reinterpret_cast<const __m256i *>(
                        data + at + j * sizeof(__m256i))));
  for (int j = 1; j < 8; ++j)
    acc[0] = _mm256_add_epi32(acc[0], acc[j]);
  sink = lowLane(acc[0]);
}

//===-- SSE2 (the generic class: no FMA, no byte shuffle) -----------------===//

void mulAddXmm(int64_t n) {
  __m128 acc[kChains], a = _mm_set1_ps(0.999f), b = _mm_set1_ps(1e-3f);
  for (int j = 0; j < kChains; ++j)
    acc[j] = _mm_set1_ps(float(j));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kChains; ++j)
      acc[j] = _mm_add_ps(_mm_mul_ps(acc[j], a), b);
  for (int j = 1; j < kChains; ++j)
    acc[0] = _mm_add_ps(acc[0], acc[j]);
  sink = uint32_t(_mm_cvtss_f32(acc[0]));
}

void readXmm(const char *data, uint64_t bytes, int passes) {
  __m128i acc[8];
  for (__m128i &a : acc)
    a = _mm_setzero_si128();
  for (int pass = 0; pass < passes; ++pass)
    for (uint64_t at = 0; at < bytes; at += sizeof(acc))
      for (int j = 0; j < 8; ++j)
        acc[j] = _mm_add_epi32(acc[j],
                               _mm_load_si128(reinterpret_cast<const __m128i *>(
                                   data + at + j * sizeof(__m128i))));
  for (int j = 1; j < 8; ++j)
    acc[0] = _mm_add_epi32(acc[0], acc[j]);
  sink = uint32_t(_mm_cvtsi128_si32(acc[0]));
}

/// "48K" -> 49152, as sysfs writes cache sizes.
uint64_t parseSize(const std::string &text) {
  uint64_t value = std::strtoull(text.c_str(), nullptr, 10);
  if (text.find('K') != std::string::npos)
    return value << 10;
  if (text.find('M') != std::string::npos)
    return value << 20;
  return value;
}

} // namespace

CacheSizes CacheSizes::ofHost() {
  CacheSizes sizes;
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::ifstream levelFile(dir + "/level"), typeFile(dir + "/type"),
        sizeFile(dir + "/size");
    int level = 0;
    std::string type, size;
    if (!(levelFile >> level) || !(typeFile >> type) || !(sizeFile >> size))
      continue;
    if (type == "Instruction" || !parseSize(size))
      continue;
    uint64_t &slot = level == 1 ? sizes.l1 : level == 2 ? sizes.l2 : sizes.l3;
    if (level <= 3)
      slot = parseSize(size);
  }
  return sizes;
}

ProbeSet::ProbeSet(llvm::StringRef isa, const CacheSizes &caches, bool quick) {
  bool avx512 = isa.starts_with("avx512"), avx2 = isa == "avx2";
  bool vnni = isa == "avx512-vnni" || isa == "avx512-vbmi";
  unsigned lanes = avx512 ? 64 : avx2 ? 32 : 16;
  int64_t steps = quick ? 1 << 8 : 1 << 14;
  double perStep = double(steps) * kChains;

  using Kernel = void (*)(int64_t);
  auto compute = [&](llvm::StringRef name, Kernel kernel, double opsPerStep) {
    list.push_back({name.str(), /*memory=*/false, perStep * opsPerStep,
                    [=] { kernel(steps); }});
  };
  using namespace mlir::loom::cost;
  compute(computeClassName(kF32Fma),
          avx512 ? fmaZmm
          : avx2 ? fmaYmm
                 : mulAddXmm,
          lanes / 4);
  if (avx512 || avx2) {
    compute(computeClassName(kByteLookup), avx512 ? lookupZmm : lookupYmm,
            lanes);
    compute(kEmulatedInt8DotName, avx512 ? dotEmulatedZmm : dotEmulatedYmm,
            avx512 ? lanes / 4 : lanes / 8);
  }
  if (vnni)
    compute(computeClassName(kInt8Dot), dotVnniZmm, lanes / 4);

  // Half of L1 and of L2 stay resident next to the stack and code; DRAM's
  // buffer is 8x the last-level cache, so a pass finds little of it there.
  buffers = {{memoryLevelName(kL1).str(), caches.l1 / 2},
             {memoryLevelName(kL2).str(), caches.l2 / 2},
             {memoryLevelName(kDram).str(),
              std::max<uint64_t>((quick ? 2 : 8) * caches.l3, 1 << 24)}};
  uint64_t total = 0;
  for (auto &[level, bytes] : buffers) {
    bytes -= bytes % 512;
    total += bytes;
  }
  memory = static_cast<char *>(std::aligned_alloc(64, total));
  std::memset(memory, 1, total);
  using Reader = void (*)(const char *, uint64_t, int);
  Reader read = avx512 ? readZmm : avx2 ? readYmm : readXmm;
  char *at = memory;
  for (auto &[level, bytes] : buffers) {
    // A cache level's call reads its buffer often enough to take as long as
    // a compute probe's; DRAM's reads it once.
    uint64_t perCall = quick ? 256 << 10 : 8 << 20;
    int passes = level == memoryLevelName(kDram)
                     ? 1
                     : int(std::max<uint64_t>(1, perCall / bytes));
    const char *data = at;
    uint64_t size = bytes;
    list.push_back({level, /*memory=*/true, double(size) * passes,
                    [=] { read(data, size, passes); }});
    at += bytes;
  }
}

ProbeSet::~ProbeSet() { std::free(memory); }

uint64_t ProbeSet::bufferBytes(llvm::StringRef level) const {
  for (const auto &[name, bytes] : buffers)
    if (name == level)
      return bytes;
  return 0;
}
