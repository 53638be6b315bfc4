// Run-time choice of the kernel table: one x64 binary carries AVX-512, AVX2+FMA and baseline
// copies of the kernels and picks the best the CPU supports; arm64 always has NEON.
#include <cstring>

#include "kernels.h"

namespace wsp {

#if !(defined(__x86_64__) || defined(_M_X64))
const KernelTable* kernelsAvx2() { return nullptr; }
const KernelTable* kernelsAvx512() { return nullptr; }
const KernelTable* kernelsAvx512Bf16() { return nullptr; }
#endif
#if !defined(__aarch64__)
const KernelTable* kernelsNeon() { return nullptr; }
#endif

namespace {
bool cpuHas(const char* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx512") == 0) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
  }
  if (std::strcmp(isa, "avx512-bf16") == 0) return cpuHas("avx512") && __builtin_cpu_supports("avx512bf16");
  if (std::strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return false;
#else
  return std::strcmp(isa, "neon") == 0 && kernelsNeon() != nullptr;
#endif
}
}  // namespace

const KernelTable* selectKernels(const char* name) {
  if (name != nullptr && std::strcmp(name, "avx512-bf16") == 0) {
    const KernelTable* t = kernelsAvx512Bf16();
    return t != nullptr && cpuHas(t->name) ? t : nullptr;
  }
  const KernelTable* (*const candidates[])() = {kernelsAvx512, kernelsAvx2, kernelsNeon};
  for (auto get : candidates) {
    const KernelTable* t = get();
    if (t == nullptr || !cpuHas(t->name)) continue;
    if (name == nullptr || std::strcmp(name, "auto") == 0 || std::strcmp(name, t->name) == 0) return t;
  }
  if (name == nullptr || std::strcmp(name, "auto") == 0 || std::strcmp(name, "generic") == 0) return kernelsGeneric();
  return nullptr;
}

size_t winogradScratchFloats(int m, int cinS, int coutS, int tiles) {
  const size_t points = static_cast<size_t>(m + 2) * (m + 2);
  return points * (static_cast<size_t>(tiles) * (static_cast<size_t>(cinS) + coutS) + 2 * kWinogradPlanePad);
}

WinogradSchedule winogradSchedule(int m, int cinS, int coutS, int mr) {
  const size_t points = static_cast<size_t>(m + 2) * (m + 2);
  const size_t weightBytes = points * cinS * coutS * sizeof(float);
  // Fused up to 16 MiB of transformed weights, i.e. every layer of ResNet34 (layer 4: 9 MiB): a
  // block re-reads them from L3, and the two threads stream the same weights at the same time, which
  // came out cheaper than three parallel steps with two barriers (layer 4 fused: 1x200 -1..4 %,
  // 16x200 -2..3 %). Larger weights (512 channels: 36 MiB) would not stay in L3: three steps,
  // reading them once per pass.
  if (weightBytes > (16u << 20)) return {false, 0};
  // Block buffers of about 256 KiB, a whole number of micro-kernel rows.
  const size_t perTile = points * (static_cast<size_t>(cinS) + coutS) * sizeof(float);
  int tiles = static_cast<int>((256u << 10) / perTile) / mr * mr;
  if (tiles < mr) tiles = mr;
  return {true, tiles};
}

size_t winogradScratchNeeded(int m, int cinS, int coutS, int mr, size_t tiles, int threads, size_t budget) {
  const WinogradSchedule s = winogradSchedule(m, cinS, coutS, mr);
  if (s.fused) return static_cast<size_t>(threads) * winogradScratchFloats(m, cinS, coutS, s.tilesPerBlock);
  const size_t all = winogradScratchFloats(m, cinS, coutS, static_cast<int>(tiles));
  const size_t one = winogradScratchFloats(m, cinS, coutS, 1);
  return all < budget ? (all > one ? all : one) : (budget > one ? budget : one);
}

int winogradTilesPerPass(int m, int cinS, int coutS, size_t scratchFloats) {
  const size_t fixed = winogradScratchFloats(m, cinS, coutS, 0);  // the planes' padding
  const size_t perTile = winogradScratchFloats(m, cinS, coutS, 1) - fixed;
  const size_t n = scratchFloats > fixed ? (scratchFloats - fixed) / perTile : 0;
  return n < 1 ? 1 : (n > 1 << 30 ? 1 << 30 : static_cast<int>(n));
}

}  // namespace wsp
