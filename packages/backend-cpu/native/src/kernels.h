// The interface between the instruction-set-independent orchestration (network.cc) and the
// kernels compiled once per instruction set (kernels_impl.h included by kernels_<isa>.cc).
// Plain structs and function pointers only: see the rule at the top of simd.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsp {

class ThreadPool;

// Activation layout used by every kernel: [B][H][W][Cs], H = frequency, W = time, channels
// innermost. Cs ("stored channels") is C rounded up to a multiple of 16 (padding channels hold
// zeros), except a single channel (the network input), which is stored as is.
inline int storedChannels(int c) { return c == 1 ? 1 : (c + 15) / 16 * 16; }

enum class ConvAlgo : int { kDirect = 0, kWinograd2 = 2, kWinograd4 = 4 };

// A convolution's weights in the layout of one instruction set's kernels.
struct PackedConv {
  ConvAlgo algo;
  int kernel, stride, padding;
  int cin, cout;     // logical channels
  int cinS, coutS;   // stored channels
  int panel;         // output-channel panel width the weights were packed for (ISA's NR)
  // kDirect:   [coutS/panel][kernel*kernel taps][cinS][panel]
  // Winograd:  [(m+2)^2 points][coutS/panel][cinS][panel] (transformed in double, stored float)
  const float* weights;
  const float* bias;  // [coutS], zero padded
};

// The fully connected layer: y[b][n] = sum_k x[b][k] * W[n][k] + bias[n].
struct PackedLinear {
  int in, out;     // logical sizes
  int outS;        // out rounded up to the panel
  int panel;
  const float* weights;  // [outS/panel][in][panel]
  const float* bias;     // [outS]
};

struct ConvCall {
  const float* in;
  int batch, h, w;  // input spatial size; channels from the weights (cinS)
  float* out;
  int ho, wo;
  const float* residual;  // same layout and size as out, or null
  bool relu;
  const PackedConv* conv;
  float* scratch;          // Winograd transform buffers
  size_t scratchFloats;
  const float* zeros;      // at least max(cinS) zero floats, for padding taps
  ThreadPool* pool;
  int threads;
};

struct LinearCall {
  const float* in;  // [batch][in]
  int batch;
  float* out;       // [batch][out]
  const PackedLinear* linear;
  ThreadPool* pool;
  int threads;
};

struct KernelTable {
  const char* name;  // "avx512", "avx2", "neon", "generic"
  int vectorWidth;   // floats per vector
  int panel;         // output-channel panel width (NR) the weights must be packed for
  int mr;            // rows of the micro-kernel
  void (*conv)(const ConvCall&);
  void (*linear)(const LinearCall&);
  float (*fmaProbe)(long iterations);  // benchmark only: `iterations` rounds of 12 vector FMAs
  double fmaProbeFlopsPerIteration;
  // Winograd products in bf16 (weights packed as [point][panel][cin/2][panel width][2] bf16 pairs).
  bool bf16Products;
};

// How a Winograd convolution walks its tiles. fused: each task takes `tilesPerBlock` tiles through
// input transform, products and output transform in its own buffers (up to 256 channels);
// otherwise three parallel steps per pass (more channels: transformed weights that would not stay
// in L3).
struct WinogradSchedule {
  bool fused;
  int tilesPerBlock;
};
WinogradSchedule winogradSchedule(int m, int cinS, int coutS, int mr);

// Padding after each point's plane in the Winograd buffers ([point][tile][channels]): one cache
// line, so that the 36 planes do not fall into a few cache sets when a plane is a multiple of
// 1 KiB (layer 1: 24 tiles x 32 channels = 3 KiB), which the transforms, touching all 36 planes per
// tile, paid for in conflict misses.
constexpr int kWinogradPlanePad = 16;

// Floats of the Winograd buffers (transformed input and products) for `tiles` tiles.
size_t winogradScratchFloats(int m, int cinS, int coutS, int tiles);
// Scratch a Winograd convolution needs for `tiles` tiles on up to `threads` threads, given a budget
// for the three-step schedule.
size_t winogradScratchNeeded(int m, int cinS, int coutS, int mr, size_t tiles, int threads, size_t budget);
int winogradTilesPerPass(int m, int cinS, int coutS, size_t scratchFloats);

const KernelTable* kernelsGeneric();
const KernelTable* kernelsAvx2();    // null when not compiled in
const KernelTable* kernelsAvx512();  // null when not compiled in
const KernelTable* kernelsAvx512Bf16();  // AVX512_BF16 products; null when not compiled in
const KernelTable* kernelsNeon();    // null when not compiled in

// The best fp32 table this CPU runs, or the named one ("avx512", "avx2", "neon", "generic",
// "avx512-bf16"); null when the name is unknown or the CPU lacks it. "auto" never picks bf16.
const KernelTable* selectKernels(const char* name);

}  // namespace wsp
