// The convolution and linear kernels, written once over the vector vocabulary of simd.h.
// kernels_<isa>.cc defines WSP_ISA_* and WSP_ISA_NS, then includes this file; each instruction set
// gets its own copy in its own namespace and exports one KernelTable.
//
// Layout: activations [B][H][W][Cs] (see kernels.h). Every convolution is a sum of small matrix
// products done by one register-blocked micro-kernel: MR output pixels (rows) x NR output
// channels (columns), the input value broadcast, the packed weight panel loaded as vectors, and
// the epilogue (bias, residual, ReLU) applied while the accumulators are still in registers.
#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

#ifndef WSP_MR16
#define WSP_MR16 12
#endif

namespace wsp {
namespace WSP_ISA_NS {

// Register blocking per vector width: accumulators MR x NV plus NV weight vectors must fit in the
// register file (32 zmm for AVX-512, 16 ymm for AVX2, 32 q for NEON).
constexpr int NV = (W == 4) ? 4 : 2;
constexpr int NR = NV * W;
constexpr int MR = (W == 16) ? WSP_MR16 : (W == 4 ? 6 : (W == 8 ? 6 : 4));

static_assert(NR % 16 == 0 || 16 % NR == 0, "panel must tile the 16-channel padding");

struct Epilogue {
  const float* bias;      // at the panel's first column, or null
  const float* residual;  // row 0 of the residual at the panel's first column, or null
  bool relu;
};

// The epilogue, applied to the accumulators before their only store: bias, residual, ReLU.
// The epilogue's fields are read into locals (the stores may alias it, so each would be reloaded
// after every store) and the loops are unrolled completely: a loop indexed at run time keeps the
// accumulators in memory, which cost the small-K products (layer 1: K = 32) ~25 % of their time.
template <int MRt, int NVt>
static inline void storeTile(Vec (&acc)[MRt][NVt], float* out, size_t ldo, const Epilogue& ep) {
  const float* const bias = ep.bias;
  const float* const residual = ep.residual;
  const bool relu = ep.relu;
#pragma GCC unroll 4
  for (int v = 0; v < NVt; v++) {
    const Vec b = bias ? vload(bias + v * W) : vzero();
#pragma GCC unroll 16
    for (int m = 0; m < MRt; m++) {
      Vec r = bias ? vadd(acc[m][v], b) : acc[m][v];
      if (residual) r = vadd(r, vload(residual + m * ldo + v * W));
      if (relu) r = vmax(r, vzero());
      vstore(out + m * ldo + v * W, r);
    }
  }
}

// Micro-kernels are structs with a static run(), so one dispatcher turns the run-time row count
// and panel width into template arguments for all of them.

// Gathered rows: acc[m][v] = sum over taps t and k < K of rows[t*MR + m][k] * b[t*tapStride + k*NR + v*W].
template <int MRt, int NVt>
struct GatherKernel {
  static inline void run(const float* const* rows, int ntaps, int K, const float* b, size_t tapStride, float* out,
                         size_t ldo, const Epilogue& ep) {
    Vec acc[MRt][NVt];
    for (int m = 0; m < MRt; m++)
      for (int v = 0; v < NVt; v++) acc[m][v] = vzero();
    for (int t = 0; t < ntaps; t++) {
      const float* bt = b + t * tapStride;
      const float* a[MRt];
      for (int m = 0; m < MRt; m++) a[m] = rows[t * MR + m];
      for (int k = 0; k < K; k++) {
        Vec bv[NVt];
        for (int v = 0; v < NVt; v++) bv[v] = vload(bt + static_cast<size_t>(k) * NR + v * W);
        for (int m = 0; m < MRt; m++) {
          Vec av = vset1(a[m][k]);
          for (int v = 0; v < NVt; v++) acc[m][v] = vfma(av, bv[v], acc[m][v]);
        }
      }
    }
    storeTile<MRt, NVt>(acc, out, ldo, ep);
  }
};

// Rows of the weight panel a product prefetches ahead (32 rows of 32 floats: 4 KiB; 16 and 64
// measured no better).
#ifndef WSP_PREFETCH_ROWS
#define WSP_PREFETCH_ROWS 32
#endif
constexpr int kPrefetchRows = WSP_PREFETCH_ROWS;

// Rows at a fixed stride (Winograd products, linear): one base pointer and the stride instead of MR
// row pointers, which would not fit the general-purpose registers next to the loop state.
template <int MRt, int NVt>
struct StridedKernel {
  static inline void run(const float* a, size_t lda, int K, const float* b, float* out, size_t ldo,
                         const Epilogue& ep) {
    Vec acc[MRt][NVt];
    for (int m = 0; m < MRt; m++)
      for (int v = 0; v < NVt; v++) acc[m][v] = vzero();
    for (int k = 0; k < K; k++) {
      // The panel streams from L3 or memory (Winograd weights of layers 3-4 exceed L2), and the
      // hardware prefetcher stops at page boundaries: ask for the rows kPrefetchRows ahead.
      for (int v = 0; v < NVt; v++) __builtin_prefetch(b + static_cast<size_t>(k + kPrefetchRows) * NR + v * W);
      Vec bv[NVt];
      for (int v = 0; v < NVt; v++) bv[v] = vload(b + static_cast<size_t>(k) * NR + v * W);
      const float* ak = a + k;
      for (int m = 0; m < MRt; m++) {
        Vec av = vset1(ak[m * lda]);
        for (int v = 0; v < NVt; v++) acc[m][v] = vfma(av, bv[v], acc[m][v]);
      }
    }
    storeTile<MRt, NVt>(acc, out, ldo, ep);
  }
};

#if defined(WSP_BF16)
// bf16 products with fp32 accumulation (AVX512_BF16): a holds bf16 rows, b the panel as
// [K/2][NR][2] bf16 pairs; each vdpbf16ps adds a[k]*b[k] + a[k+1]*b[k+1] to 16 accumulators.
template <int MRt, int NVt>
struct Bf16Kernel {
  static inline void run(const uint16_t* a, size_t lda, int K, const uint16_t* b, float* out, size_t ldo,
                         const Epilogue& ep) {
    Vec acc[MRt][NVt];
    for (int m = 0; m < MRt; m++)
      for (int v = 0; v < NVt; v++) acc[m][v] = vzero();
    for (int k = 0; k < K; k += 2) {
      __m512bh bv[NVt];
      for (int v = 0; v < NVt; v++)
        bv[v] = (__m512bh)_mm512_loadu_si512(b + static_cast<size_t>(k) * NR + v * 2 * W);
      for (int m = 0; m < MRt; m++) {
        int32_t pair;
        __builtin_memcpy(&pair, a + m * lda + k, sizeof pair);
        const __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
        for (int v = 0; v < NVt; v++) acc[m][v].v = _mm512_dpbf16_ps(acc[m][v].v, av, bv[v]);
      }
    }
    storeTile<MRt, NVt>(acc, out, ldo, ep);
  }
};
#endif

// Calls Kernel<mrows, vectors>::run(args...) for 1 <= mrows <= MR and a full or 16-channel panel.
template <template <int, int> class Kernel, int NVt, typename... Args>
static inline void byRows(int mrows, Args... args) {
  switch (mrows) {
#define WSP_CASE(n)                                                  \
  case n:                                                            \
    if constexpr (n <= MR) Kernel<n, NVt>::run(args...);             \
    break;
    WSP_CASE(1) WSP_CASE(2) WSP_CASE(3) WSP_CASE(4) WSP_CASE(5) WSP_CASE(6) WSP_CASE(7) WSP_CASE(8)
    WSP_CASE(9) WSP_CASE(10) WSP_CASE(11) WSP_CASE(12) WSP_CASE(13) WSP_CASE(14)
#undef WSP_CASE
    default:
      break;
  }
}

template <template <int, int> class Kernel, typename... Args>
static inline void panelKernel(int mrows, int vectors, Args... args) {
  // A narrower last panel: channels are padded to 16, so it holds 16/W vectors.
  constexpr int tail = (16 / W) < NV ? (16 / W) : NV;
  if (vectors == NV) byRows<Kernel, NV>(mrows, args...);
  else byRows<Kernel, tail>(mrows, args...);
}

static inline int panelVectors(int coutS, int panel) {
  int left = coutS - panel * NR;
  return (left >= NR ? NR : left) / W;
}

// ---------------------------------------------------------------------------------------------
// Direct convolution as an implicit matrix product: rows are output pixels along time, the
// reduction runs over taps and input channels. Used for stride 2, 1x1 and the 1-channel stem.
static void convDirect(const ConvCall& c) {
  const PackedConv& p = *c.conv;
  const int taps = p.kernel * p.kernel;
  const int panels = (p.coutS + NR - 1) / NR;
  const int xblocks = (c.wo + MR - 1) / MR;
  const size_t tapStride = static_cast<size_t>(p.cinS) * NR;
  const size_t panelStride = tapStride * taps;
  // One task per output row: rows are few enough to balance and long enough that the task
  // counter is not a hot spot (per 12-pixel block, the 1-channel stem does very little work).
  parallelFor(c.pool, c.threads, c.batch * c.ho, [&](int task, int) {
    const int oy = task % c.ho;
    const int b = task / c.ho;
    for (int xb = 0; xb < xblocks; xb++) {
      const int x0 = xb * MR;
      const int mrows = c.wo - x0 < MR ? c.wo - x0 : MR;
      const float* rows[9 * MR];  // up to 3x3 taps
      for (int kh = 0; kh < p.kernel; kh++) {
        const int iy = oy * p.stride + kh - p.padding;
        for (int kw = 0; kw < p.kernel; kw++) {
          const int t = kh * p.kernel + kw;
          for (int m = 0; m < MR; m++) {
            const int ix = (x0 + (m < mrows ? m : 0)) * p.stride + kw - p.padding;
            const bool inside = iy >= 0 && iy < c.h && ix >= 0 && ix < c.w;
            rows[t * MR + m] =
                inside ? c.in + ((static_cast<size_t>(b) * c.h + iy) * c.w + ix) * p.cinS : c.zeros;
          }
        }
      }
      const size_t outRow = ((static_cast<size_t>(b) * c.ho + oy) * c.wo + x0) * p.coutS;
      for (int panel = 0; panel < panels; panel++) {
        const size_t col = static_cast<size_t>(panel) * NR;
        Epilogue ep{p.bias + col, c.residual ? c.residual + outRow + col : nullptr, c.relu};
        panelKernel<GatherKernel>(mrows, panelVectors(p.coutS, panel), static_cast<const float* const*>(rows), taps,
                                  p.cinS, p.weights + panel * panelStride, tapStride, c.out + outRow + col,
                                  static_cast<size_t>(p.coutS), ep);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Winograd F(m x m, 3 x 3), stride 1, padding 1 (Lavin & Gray 2016). Per pass over a group of
// tiles: (1) input transform B^T d B into V[point][tile][cin], (2) for every one of the
// (m+2)^2 points a matrix product V[point] x U[point] into M[point][tile][cout],
// (3) output transform A^T M A with the epilogue, written straight to the output.

template <int M>
struct WinogradTransforms;

template <>
struct WinogradTransforms<2> {
  static inline void input(const Vec* d, Vec* t) {  // B^T, 4 -> 4
    t[0] = vsub(d[0], d[2]);
    t[1] = vadd(d[1], d[2]);
    t[2] = vsub(d[2], d[1]);
    t[3] = vsub(d[1], d[3]);
  }
  static inline void output(const Vec* m, Vec* y) {  // A^T, 4 -> 2
    y[0] = vadd(vadd(m[0], m[1]), m[2]);
    y[1] = vsub(vsub(m[1], m[2]), m[3]);
  }
};

template <>
struct WinogradTransforms<4> {
  static inline void input(const Vec* d, Vec* t) {  // B^T, 6 -> 6
    const Vec four = vset1(4.0f), five = vset1(5.0f), two = vset1(2.0f);
    const Vec d4m2 = vsub(d[4], d[2]);          // d4 - d2
    const Vec d3m1 = vsub(d[3], d[1]);          // d3 - d1
    t[0] = vfma(four, d[0], vsub(d[4], vmul(five, d[2])));
    const Vec a = vsub(d[4], vmul(four, d[2]));  // d4 - 4 d2
    const Vec b = vsub(d[3], vmul(four, d[1]));  // d3 - 4 d1
    t[1] = vadd(a, b);
    t[2] = vsub(a, b);
    t[3] = vfma(two, d3m1, d4m2);
    t[4] = vsub(d4m2, vmul(two, d3m1));
    t[5] = vfma(four, d[1], vsub(d[5], vmul(five, d[3])));
  }
  static inline void output(const Vec* m, Vec* y) {  // A^T, 6 -> 4
    const Vec two = vset1(2.0f), four = vset1(4.0f), eight = vset1(8.0f);
    const Vec s12 = vadd(m[1], m[2]), d12 = vsub(m[1], m[2]);
    const Vec s34 = vadd(m[3], m[4]), d34 = vsub(m[3], m[4]);
    y[0] = vadd(vadd(m[0], s12), s34);
    y[1] = vfma(two, d34, d12);
    y[2] = vfma(four, s34, s12);
    y[3] = vadd(vfma(eight, d34, d12), m[5]);
  }
};

// Transformed input values: float, or bf16 in the bf16 build (the products' only rounding).
static inline void storeV(float* p, Vec v) { vstore(p, v); }
#if defined(WSP_BF16)
static inline void storeV(uint16_t* p, Vec v) { _mm256_storeu_si256((__m256i*)p, (__m256i)_mm512_cvtneps_pbh(v.v)); }
#endif

// M[r][0..NR) = V[r][0..K) x U for rows of V at stride lda.
static inline void pointProduct(int mrows, int vectors, const float* V, size_t lda, int K, const float* U, float* out,
                                size_t ldo, const Epilogue& ep) {
  panelKernel<StridedKernel>(mrows, vectors, V, lda, K, U, out, ldo, ep);
}
#if defined(WSP_BF16)
static inline void pointProduct(int mrows, int vectors, const uint16_t* V, size_t lda, int K, const float* U,
                                float* out, size_t ldo, const Epilogue& ep) {
  panelKernel<Bf16Kernel>(mrows, vectors, V, lda, K, reinterpret_cast<const uint16_t*>(U), out, ldo, ep);
}
#endif

// Geometry of one Winograd convolution call, and the two transforms over a range of tiles.
// VT: element type of the transformed input (float, or uint16_t = bf16).
template <int M, typename VT>
struct WinogradConv {
  static constexpr int A = M + 2;
  static constexpr int P = A * A;
  using T = WinogradTransforms<M>;
  const ConvCall& c;
  const PackedConv& p;
  int tilesW, tilesPerImage, totalTiles;

  // Elements from one point's plane to the next in a buffer of n tiles.
  static size_t plane(int n, int channels) { return static_cast<size_t>(n) * channels + kWinogradPlanePad; }

  explicit WinogradConv(const ConvCall& call) : c(call), p(*call.conv) {
    tilesW = (c.wo + M - 1) / M;
    tilesPerImage = ((c.ho + M - 1) / M) * tilesW;
    totalTiles = c.batch * tilesPerImage;
  }

  // B^T d B of tiles [first + from, first + to) into V[point][local][cinS], n tiles per point.
  void inputTransform(int first, int from, int to, VT* V, int n) const {
    for (int local = from; local < to; local++) {
      const int tile = first + local;
      const int b = tile / tilesPerImage;
      const int ty = (tile % tilesPerImage) / tilesW, tx = tile % tilesW;
      const int y0 = ty * M - 1, x0 = tx * M - 1;
      const float* base = c.in + static_cast<size_t>(b) * c.h * c.w * p.cinS;
      // Interior tiles (most of them) load without bounds checks.
      if (y0 >= 0 && x0 >= 0 && y0 + A <= c.h && x0 + A <= c.w) transformTile<false>(base, y0, x0, V, n, local);
      else transformTile<true>(base, y0, x0, V, n, local);
    }
  }

  template <bool kChecked>
  void transformTile(const float* base, int y0, int x0, VT* V, int n, int local) const {
    // Sizes in locals: the vector stores may alias the call struct, so c.h and c.w read in the
    // loop would be reloaded after every store.
    const int cinS = p.cinS, h = c.h, w = c.w;
    for (int c0 = 0; c0 < cinS; c0 += W) {
      Vec rowsT[A][A];  // rows after the transform along time
      for (int i = 0; i < A; i++) {
        Vec d[A];
        const int iy = y0 + i;
        for (int j = 0; j < A; j++) {
          const int ix = x0 + j;
          const bool inside = !kChecked || (iy >= 0 && iy < h && ix >= 0 && ix < w);
          d[j] = inside ? vload(base + (static_cast<size_t>(iy) * w + ix) * cinS + c0) : vzero();
        }
        T::input(d, rowsT[i]);
      }
      for (int j = 0; j < A; j++) {
        Vec col[A], out[A];
        for (int i = 0; i < A; i++) col[i] = rowsT[i][j];
        T::input(col, out);
        for (int i = 0; i < A; i++)
          storeV(V + (i * A + j) * plane(n, cinS) + static_cast<size_t>(local) * cinS + c0, out[i]);
      }
    }
  }

  // A^T m A of tiles [first + from, first + to) from Mb[point][local][coutS], plus bias, residual,
  // ReLU, stored once into the output.
  void outputTransform(int first, int from, int to, const float* Mb, int n) const {
    // The call's fields in locals: the output stores may alias the call struct, so fields read
    // through `c` would be reloaded after every store.
    const int coutS = p.coutS, ho = c.ho, wo = c.wo;
    float* const out = c.out;
    const float* const residual = c.residual;
    const bool relu = c.relu;
    for (int local = from; local < to; local++) {
      const int tile = first + local;
      const int b = tile / tilesPerImage;
      const int ty = (tile % tilesPerImage) / tilesW, tx = tile % tilesW;
      const size_t imageBase = static_cast<size_t>(b) * ho * wo * coutS;
      for (int c0 = 0; c0 < coutS; c0 += W) {
        Vec rowsT[A][M];
        for (int i = 0; i < A; i++) {
          Vec mv[A];
          for (int j = 0; j < A; j++)
            mv[j] = vload(Mb + (i * A + j) * plane(n, coutS) + static_cast<size_t>(local) * coutS + c0);
          T::output(mv, rowsT[i]);
        }
        const Vec bias = vload(p.bias + c0);
        for (int j = 0; j < M; j++) {
          const int ox = tx * M + j;
          if (ox >= wo) break;
          Vec col[A], y[M];
          for (int i = 0; i < A; i++) col[i] = rowsT[i][j];
          T::output(col, y);
          for (int i = 0; i < M; i++) {
            const int oy = ty * M + i;
            if (oy >= ho) break;
            const size_t at = imageBase + (static_cast<size_t>(oy) * wo + ox) * coutS + c0;
            Vec r = vadd(y[i], bias);
            if (residual) r = vadd(r, vload(residual + at));
            if (relu) r = vmax(r, vzero());
            vstore(out + at, r);
          }
        }
      }
    }
  }

  // M[point][r0..r1) = V[point][r0..r1) x U[point] for one output-channel panel.
  void multiply(int point, int panel, int r0, int r1, const VT* V, float* Mb, int n) const {
    const int cinS = p.cinS, coutS = p.coutS;
    const int panels = (coutS + NR - 1) / NR;
    const VT* Vp = V + point * plane(n, cinS);
    const float* U = p.weights + (static_cast<size_t>(point) * panels + panel) * cinS * NR;
    float* Mp = Mb + point * plane(n, coutS) + static_cast<size_t>(panel) * NR;
    const int vectors = panelVectors(coutS, panel);
    const Epilogue none{nullptr, nullptr, false};
    for (int r = r0; r < r1; r += MR) {
      const int mrows = r1 - r < MR ? r1 - r : MR;
      pointProduct(mrows, vectors, Vp + static_cast<size_t>(r) * cinS, static_cast<size_t>(cinS), cinS, U,
                   Mp + static_cast<size_t>(r) * coutS, static_cast<size_t>(coutS), none);
    }
  }
};

template <int M, typename VT>
static void convWinograd(const ConvCall& c) {
  using G = WinogradConv<M, VT>;
  constexpr int P = G::P;
  const G g(c);
  const PackedConv& p = *c.conv;
  const int cinS = p.cinS, coutS = p.coutS;
  const int panels = (coutS + NR - 1) / NR;
  const WinogradSchedule plan = winogradSchedule(M, cinS, coutS, MR);

  if (plan.fused) {
    // Up to 256 channels: each task takes a block of tiles through all three steps in its own
    // cache-sized buffers, so only the input, the output and the weights (from L3) touch memory
    // beyond L2, and the threads never wait for each other inside the convolution.
    const int nb = plan.tilesPerBlock;
    const size_t perWorker = winogradScratchFloats(M, cinS, coutS, nb);
    // A whole number of blocks per thread, of (nearly) equal size: with 2 threads and few blocks
    // (layer 3 at 1 x 200: 65 tiles), blocks of exactly nb tiles would leave one thread a short
    // last block while the other still works.
    const int threads = c.threads > 1 ? c.threads : 1;
    const int blocks = ((g.totalTiles + nb - 1) / nb + threads - 1) / threads * threads;
    parallelFor(c.pool, c.threads, blocks, [&](int block, int worker) {
      VT* V = reinterpret_cast<VT*>(c.scratch + static_cast<size_t>(worker) * perWorker);
      float* Mb = reinterpret_cast<float*>(V + P * G::plane(nb, cinS));
      const int first = static_cast<int>(static_cast<int64_t>(g.totalTiles) * block / blocks);
      const int n = static_cast<int>(static_cast<int64_t>(g.totalTiles) * (block + 1) / blocks) - first;
      if (n == 0) return;
      g.inputTransform(first, 0, n, V, n);
      for (int point = 0; point < P; point++)
        for (int panel = 0; panel < panels; panel++) g.multiply(point, panel, 0, n, V, Mb, n);
      g.outputTransform(first, 0, n, Mb, n);
    });
    return;
  }

  // More channels: three parallel steps per pass over as many tiles as the scratch holds,
  // so each point's weights (up to cin x cout floats) are read once per pass.
  const int perPass = winogradTilesPerPass(M, cinS, coutS, c.scratchFloats);
  VT* const V = reinterpret_cast<VT*>(c.scratch);
  for (int first = 0; first < g.totalTiles; first += perPass) {
    const int n = g.totalTiles - first < perPass ? g.totalTiles - first : perPass;
    float* const Mb = reinterpret_cast<float*>(V + P * G::plane(n, cinS));
    constexpr int kTilesPerTask = 4;
    const int tileTasks = (n + kTilesPerTask - 1) / kTilesPerTask;
    auto range = [&](int task, int* from, int* to) {
      *from = task * kTilesPerTask;
      *to = *from + kTilesPerTask < n ? *from + kTilesPerTask : n;
    };
    parallelFor(c.pool, c.threads, tileTasks, [&](int task, int) {
      int from, to;
      range(task, &from, &to);
      g.inputTransform(first, from, to, V, n);
    });
    constexpr int kRowBlocksPerTask = 8;
    const int rowGroups = (n + MR * kRowBlocksPerTask - 1) / (MR * kRowBlocksPerTask);
    parallelFor(c.pool, c.threads, P * panels * rowGroups, [&](int task, int) {
      const int group = task % rowGroups;
      const int panel = (task / rowGroups) % panels;
      const int point = task / rowGroups / panels;
      const int r0 = group * MR * kRowBlocksPerTask;
      g.multiply(point, panel, r0, r0 + MR * kRowBlocksPerTask < n ? r0 + MR * kRowBlocksPerTask : n, V, Mb, n);
    });
    parallelFor(c.pool, c.threads, tileTasks, [&](int task, int) {
      int from, to;
      range(task, &from, &to);
      g.outputTransform(first, from, to, Mb, n);
    });
  }
}

#if defined(WSP_BF16)
using WinogradInput = uint16_t;  // bf16
#else
using WinogradInput = float;
#endif

static void conv(const ConvCall& c) {
  switch (c.conv->algo) {
    case ConvAlgo::kWinograd4:
      convWinograd<4, WinogradInput>(c);
      break;
    case ConvAlgo::kWinograd2:
      convWinograd<2, WinogradInput>(c);
      break;
    default:
      convDirect(c);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Linear: rows are batch items, one tap, the reduction over all input features.
static void linear(const LinearCall& c) {
  const PackedLinear& p = *c.linear;
  const int panels = p.outS / p.panel;
  const int rowBlocks = (c.batch + MR - 1) / MR;
  parallelFor(c.pool, c.threads, panels * rowBlocks, [&](int task, int) {
    const int panel = task % panels;
    const int r = (task / panels) * MR;
    const int mrows = c.batch - r < MR ? c.batch - r : MR;
    const size_t col = static_cast<size_t>(panel) * NR;
    Epilogue ep{p.bias + col, nullptr, false};
    panelKernel<StridedKernel>(mrows, panelVectors(p.outS, panel), c.in + static_cast<size_t>(r) * p.in,
                               static_cast<size_t>(p.in), p.in, static_cast<const float*>(p.weights + col * p.in),
                               c.out + static_cast<size_t>(r) * p.outS + col, static_cast<size_t>(p.outS), ep);
  });
}

// ---------------------------------------------------------------------------------------------
// FMA throughput probe for the benchmark's "share of peak": 12 independent accumulator chains
// (enough to hide the FMA latency), no memory traffic. Returns a value that depends on every FMA.
static float fmaProbe(long iterations) {
  Vec acc[12];
  for (int i = 0; i < 12; i++) acc[i] = vset1(0.001f * i);
  const Vec m = vset1(0.999999f), c = vset1(1e-7f);
  for (long k = 0; k < iterations; k++)
    for (int i = 0; i < 12; i++) acc[i] = vfma(acc[i], m, c);
  float out[W];
  Vec sum = acc[0];
  for (int i = 1; i < 12; i++) sum = vadd(sum, acc[i]);
  vstore(out, sum);
  return out[0];
}
constexpr double kFmaProbeFlopsPerIteration = 12.0 * 2 * W;

}  // namespace WSP_ISA_NS
}  // namespace wsp
