// Native test harness: every kernel table this CPU runs, against a float64 reference written here.
// Built for the host by the addon's tests and for linux-arm64 by tools/cross (run under qemu), so
// the arm64 NEON kernels are checked for real without Node on arm64.
// Prints one line per check and closes with "N passed, N failed"; exit status 1 on any failure.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../src/network.h"
#include "../src/thread_pool.h"

using namespace wsp;

namespace {
int passed = 0, failed = 0;

void check(bool ok, const std::string& what, double err, double tol) {
  (ok ? passed : failed)++;
  std::printf("%s %s (max rel err %.3g, tolerance %.3g)\n", ok ? "ok  " : "FAIL", what.c_str(), err, tol);
}

std::vector<float> randomVector(std::mt19937& rng, size_t n, float scale) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Reference convolution in float64 on logical NCHW input and MLX [O][kH][kW][I] weights.
std::vector<double> refConv(const std::vector<float>& x, int B, int C, int H, int W, const std::vector<float>& w,
                            const std::vector<float>& bias, int O, int k, int s, int p, const std::vector<double>* res,
                            bool relu, int* hoOut, int* woOut) {
  const int ho = (H + 2 * p - k) / s + 1, wo = (W + 2 * p - k) / s + 1;
  std::vector<double> y(static_cast<size_t>(B) * O * ho * wo);
  for (int b = 0; b < B; b++)
    for (int o = 0; o < O; o++)
      for (int oy = 0; oy < ho; oy++)
        for (int ox = 0; ox < wo; ox++) {
          double acc = bias[o];
          for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
              const int iy = oy * s + ky - p, ix = ox * s + kx - p;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (int c = 0; c < C; c++)
                acc += static_cast<double>(w[((static_cast<size_t>(o) * k + ky) * k + kx) * C + c]) *
                       x[((static_cast<size_t>(b) * C + c) * H + iy) * W + ix];
            }
          const size_t at = ((static_cast<size_t>(b) * O + o) * ho + oy) * wo + ox;
          if (res) acc += (*res)[at];
          y[at] = relu && acc < 0 ? 0.0 : acc;
        }
  *hoOut = ho;
  *woOut = wo;
  return y;
}

double maxRelErr(const std::vector<float>& got, const std::vector<double>& ref) {
  double scale = 0, err = 0;
  for (double r : ref) scale = std::max(scale, std::fabs(r));
  for (size_t i = 0; i < ref.size(); i++) {
    const double d = std::fabs(got[i] - ref[i]);
    if (!(d <= err)) err = d;  // NaN propagates
  }
  return err / (scale > 0 ? scale : 1);
}

// Reference statistics pooling of one (b, c, f) row of T values: {mean, std} for a variant.
void refMeanStd(const double* row, int T, int variant, double* mean, double* stdev) {
  double m = 0, v = 0;
  for (int t = 0; t < T; t++) m += row[t];
  m /= T;
  for (int t = 0; t < T; t++) v += (row[t] - m) * (row[t] - m);
  v /= variant == 2 ? T : T - 1;
  const double eps = variant == 1 ? 1e-7 : variant == 2 ? 1e-10 : 0;
  *mean = m;
  *stdev = std::sqrt(v + eps);
}

void testConv(const KernelTable* kt, std::mt19937& rng, int B, int C, int O, int H, int W, int k, int s, int p,
              int winograd, bool withResidual, bool relu) {
  auto stats = std::make_shared<MemoryStats>();
  const auto x = randomVector(rng, static_cast<size_t>(B) * C * H * W, 1.0f);
  const auto w = randomVector(rng, static_cast<size_t>(O) * k * k * C, std::sqrt(2.0f / (k * k * C)));
  const auto bias = randomVector(rng, O, 0.1f);
  PreparedConvWeights pw(kt, stats, w.data(), O, k, k, C, bias.data(), s, p, ConvOptions{winograd});
  Tensor in(stats, activationView(nullptr, B, C, H, W));
  in.fromLogical(x.data());
  const View outShape = convOutputShape(in.view(), pw);
  Tensor out(stats, outShape);
  std::vector<float> resHost;
  std::vector<double> resRef;
  std::unique_ptr<Tensor> res;
  if (withResidual) {
    resHost = randomVector(rng, outShape.floats() / outShape.stored * O, 1.0f);
    resRef.assign(resHost.begin(), resHost.end());
    res.reset(new Tensor(stats, outShape));
    res->fromLogical(resHost.data());
  }
  std::vector<float> scratch(convScratchFloats(pw, B, H, W));
  ExecContext ctx{&ThreadPool::shared(), ThreadPool::hardwareThreads()};
  View resView = res ? res->view() : View{};
  runConv(ctx, in.view(), pw, res ? &resView : nullptr, relu, out.view(), scratch.data(), scratch.size());
  int ho, wo;
  const auto ref = refConv(x, B, C, H, W, w, bias, O, k, s, p, withResidual ? &resRef : nullptr, relu, &ho, &wo);
  std::vector<float> got(ref.size());
  out.toLogical(got.data());
  char name[200];
  std::snprintf(name, sizeof name, "%s conv %dx%d s%d p%d B%d C%d->%d %dx%d algo=%d%s%s", kt->name, k, k, s, p, B, C,
                O, H, W, static_cast<int>(pw.packed.algo), withResidual ? " +res" : "", relu ? " relu" : "");
  const double err = maxRelErr(got, ref);
  // fp32 with a few hundred terms: ~1e-6; Winograd F(4x4) amplifies rounding by its transforms.
  const bool transformed = pw.packed.algo != ConvAlgo::kDirect;
  // bf16 products: 8-bit mantissas, amplified by F(4x4)'s transform coefficients (measured ~4.5e-2).
  const double tol = transformed && kt->bf16Products ? (pw.packed.algo == ConvAlgo::kWinograd4 ? 8e-2 : 1e-2)
                     : pw.packed.algo == ConvAlgo::kWinograd4 ? 2e-5 : 5e-6;
  check(err <= tol, name, err, tol);
}

void testLinearPoolL2(const KernelTable* kt, std::mt19937& rng) {
  auto stats = std::make_shared<MemoryStats>();
  const int B = 3, K = 5120 / 8 + 3, N = 40;
  const auto x = randomVector(rng, static_cast<size_t>(B) * K, 1.0f);
  const auto w = randomVector(rng, static_cast<size_t>(N) * K, 0.05f);
  const auto bias = randomVector(rng, N, 0.1f);
  PreparedLinearWeights pl(kt, stats, w.data(), N, K, bias.data());
  std::vector<float> xs(x), y(static_cast<size_t>(B) * N);
  ExecContext ctx{&ThreadPool::shared(), 2};
  runLinear(ctx, vectorView(xs.data(), B, K), pl, vectorView(y.data(), B, N));
  std::vector<double> ref(y.size());
  for (int b = 0; b < B; b++)
    for (int n = 0; n < N; n++) {
      double acc = bias[n];
      for (int k = 0; k < K; k++) acc += static_cast<double>(w[static_cast<size_t>(n) * K + k]) * x[b * K + k];
      ref[b * N + n] = acc;
    }
  const double err = maxRelErr(y, ref);
  check(err <= 5e-6, std::string(kt->name) + " linear 3x643->40", err, 5e-6);

  // Pooling (three variants) on an odd shape, channel-major output, means then stds.
  const int C = 20, F = 3, T = 7;
  const auto a = randomVector(rng, static_cast<size_t>(B) * C * F * T, 1.0f);
  Tensor t(stats, activationView(nullptr, B, C, F, T));
  t.fromLogical(a.data());
  for (int variant = 0; variant < 3; variant++) {
    std::vector<float> out(static_cast<size_t>(B) * 2 * C * F);
    runStatsPool(t.view(), static_cast<Pooling>(variant), vectorView(out.data(), B, 2 * C * F));
    std::vector<double> r(out.size());
    for (int b = 0; b < B; b++)
      for (int c = 0; c < C; c++)
        for (int f = 0; f < F; f++) {
          const std::vector<double> row(a.begin() + ((static_cast<size_t>(b) * C + c) * F + f) * T,
                                        a.begin() + ((static_cast<size_t>(b) * C + c) * F + f + 1) * T);
          refMeanStd(row.data(), T, variant, &r[b * 2 * C * F + c * F + f], &r[b * 2 * C * F + C * F + c * F + f]);
        }
    const double err2 = maxRelErr(out, r);
    check(err2 <= 1e-6, std::string(kt->name) + " stats pool variant " + std::to_string(variant), err2, 1e-6);
  }
}

// A small residual network through the whole-graph plan against the same ops in float64.
void testPlan(const KernelTable* kt, std::mt19937& rng) {
  auto stats = std::make_shared<MemoryStats>();
  const int B = 2, F = 16, T = 19, C1 = 16, C2 = 32, E = 8;
  auto mk = [&](int o, int k, int c) { return randomVector(rng, static_cast<size_t>(o) * k * k * c, std::sqrt(2.0f / (k * k * c))); };
  const auto w0 = mk(C1, 3, 1), w1 = mk(C1, 3, C1), w2 = mk(C1, 3, C1), w3 = mk(C2, 3, C1), w4 = mk(C2, 3, C2),
             ws = mk(C2, 1, C1);
  const auto b0 = randomVector(rng, C1, 0.1f), b1 = randomVector(rng, C1, 0.1f), b2 = randomVector(rng, C1, 0.1f),
             b3 = randomVector(rng, C2, 0.1f), b4 = randomVector(rng, C2, 0.1f), bs = randomVector(rng, C2, 0.1f);
  const int pooled = 2 * C2 * (F / 2);
  const auto wl = randomVector(rng, static_cast<size_t>(E) * pooled, 0.05f), bl = randomVector(rng, E, 0.1f);
  auto conv = [&](const std::vector<float>& w, const std::vector<float>& b, int o, int k, int c, int s, int p) {
    return std::make_shared<PreparedConvWeights>(kt, stats, w.data(), o, k, k, c, b.data(), s, p, ConvOptions{4});
  };
  std::vector<PlanOp> ops;
  auto add = [&](PlanOp op) { ops.push_back(op); return static_cast<int>(ops.size()); };
  PlanOp op{};
  op.kind = PlanOp::Kind::kConv;
  op.input = 0; op.relu = true; op.conv = conv(w0, b0, C1, 3, 1, 1, 1);
  const int v1 = add(op);
  op.input = v1; op.conv = conv(w1, b1, C1, 3, C1, 1, 1);
  const int v2 = add(op);
  op.input = v2; op.relu = true; op.residual = v1; op.conv = conv(w2, b2, C1, 3, C1, 1, 1);
  const int v3 = add(op);
  op.input = v3; op.residual = -1; op.relu = true; op.conv = conv(w3, b3, C2, 3, C1, 2, 1);
  const int v4 = add(op);
  op.input = v3; op.relu = false; op.conv = conv(ws, bs, C2, 1, C1, 2, 0);
  const int v5 = add(op);
  op.input = v4; op.residual = v5; op.relu = true; op.conv = conv(w4, b4, C2, 3, C2, 1, 1);
  const int v6 = add(op);
  PlanOp pool{};
  pool.kind = PlanOp::Kind::kPool; pool.input = v6; pool.pooling = Pooling::kPyannote;
  const int v7 = add(pool);
  PlanOp lin{};
  lin.kind = PlanOp::Kind::kLinear; lin.input = v7;
  lin.linear = std::make_shared<PreparedLinearWeights>(kt, stats, wl.data(), E, pooled, bl.data());
  const int v8 = add(lin);
  PlanOp l2{};
  l2.kind = PlanOp::Kind::kL2; l2.input = v8;
  add(l2);
  Plan plan(ops, F, stats);
  const auto feats = randomVector(rng, static_cast<size_t>(B) * T * F, 1.0f);
  std::vector<float> out(static_cast<size_t>(B) * E);
  ExecContext ctx{&ThreadPool::shared(), ThreadPool::hardwareThreads()};
  plan.run(ctx, feats.data(), B, T, out.data());

  // Reference.
  std::vector<float> x(static_cast<size_t>(B) * F * T);
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int f = 0; f < F; f++) x[(static_cast<size_t>(b) * F + f) * T + t] = feats[(static_cast<size_t>(b) * T + t) * F + f];
  int h, w;
  auto toF = [](const std::vector<double>& d) { return std::vector<float>(d.begin(), d.end()); };
  // The reference keeps float64 between layers; inputs of each conv are rounded to float only
  // because refConv takes float input (rounding of 1e-7 relative, far below the tolerance).
  auto r1 = refConv(x, B, 1, F, T, w0, b0, C1, 3, 1, 1, nullptr, true, &h, &w);
  auto r2 = refConv(toF(r1), B, C1, F, T, w1, b1, C1, 3, 1, 1, nullptr, true, &h, &w);
  auto r3 = refConv(toF(r2), B, C1, F, T, w2, b2, C1, 3, 1, 1, &r1, true, &h, &w);
  auto r4 = refConv(toF(r3), B, C1, F, T, w3, b3, C2, 3, 2, 1, nullptr, true, &h, &w);
  auto r5 = refConv(toF(r3), B, C1, F, T, ws, bs, C2, 1, 2, 0, nullptr, false, &h, &w);
  auto r6 = refConv(toF(r4), B, C2, h, w, w4, b4, C2, 3, 1, 1, &r5, true, &h, &w);
  std::vector<double> ref(out.size());
  for (int b = 0; b < B; b++) {
    std::vector<double> pooledRef(pooled);
    for (int c = 0; c < C2; c++)
      for (int f = 0; f < h; f++)
        refMeanStd(&r6[((static_cast<size_t>(b) * C2 + c) * h + f) * w], w, 0, &pooledRef[c * h + f],
                   &pooledRef[C2 * h + c * h + f]);
    double ss = 0;
    for (int e = 0; e < E; e++) {
      double acc = bl[e];
      for (int j = 0; j < pooled; j++) acc += static_cast<double>(wl[static_cast<size_t>(e) * pooled + j]) * pooledRef[j];
      ref[b * E + e] = acc;
      ss += acc * acc;
    }
    for (int e = 0; e < E; e++) ref[b * E + e] /= std::sqrt(ss);
  }
  const double err = maxRelErr(out, ref);
  const double tol = kt->bf16Products ? 5e-2 : 2e-5;
  check(err <= tol, std::string(kt->name) + " whole-network plan (odd T, batch 2, shortcut, residuals)", err, tol);
}
}  // namespace

int main() {
  std::mt19937 rng(1234);
  std::vector<const KernelTable*> tables;
  for (const char* name : {"avx512", "avx512-bf16", "avx2", "neon", "generic"}) {
    const KernelTable* t = selectKernels(name);
    if (t) tables.push_back(t);
  }
  std::printf("kernel tables on this CPU:");
  for (auto t : tables) std::printf(" %s", t->name);
  std::printf(" (auto = %s)\n", selectKernels("auto")->name);
  for (const KernelTable* kt : tables) {
    testConv(kt, rng, 2, 16, 32, 13, 17, 3, 1, 1, 4, true, true);   // Winograd F(4x4), odd sizes, partial tiles
    testConv(kt, rng, 1, 32, 16, 9, 11, 3, 1, 1, 2, false, true);   // Winograd F(2x2)
    testConv(kt, rng, 1, 64, 48, 10, 25, 3, 1, 1, 4, true, false);  // layer4-like edge tiles
    testConv(kt, rng, 2, 128, 144, 6, 11, 3, 1, 1, 4, true, true);  // large channels, fused blocks
    testConv(kt, rng, 1, 256, 256, 5, 9, 3, 1, 1, 4, true, true);   // layer 4's size (9 MiB of weights), fused
    testConv(kt, rng, 1, 256, 512, 4, 9, 3, 1, 1, 4, true, true);   // weights > 16 MiB: three-step schedule
    testConv(kt, rng, 3, 16, 16, 40, 37, 3, 1, 1, 4, true, true);   // many tiles: several fused blocks
    testConv(kt, rng, 2, 16, 32, 13, 17, 3, 2, 1, 4, false, true);  // stride 2 on odd lengths (direct)
    testConv(kt, rng, 2, 16, 32, 13, 17, 1, 2, 0, 4, false, false); // 1x1 stride-2 shortcut
    testConv(kt, rng, 2, 1, 32, 12, 21, 3, 1, 1, 4, false, true);   // 1-channel stem (direct)
    testConv(kt, rng, 1, 20, 24, 7, 9, 3, 1, 1, 0, true, true);     // direct 3x3 s1, unpadded channel counts
    testLinearPoolL2(kt, rng);
    testPlan(kt, rng);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
