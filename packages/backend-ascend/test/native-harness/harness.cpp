// A plain C++ test of the addon's native core (loader, session, pooled memory, layer operations,
// whole-network program, graph capture) against the fake CANN, without Node. Its purpose is the
// linux-arm64 build: cross-compiled with aarch64-linux-gnu-g++ and run under qemu-aarch64 next to an
// arm64 fake CANN (test/arm64.test.ts), since no arm64 Node is available here.
//
//   harness full          ASCEND_HOME_PATH = a complete fake toolkit: every check below
//   harness missing-sqrt  ASCEND_HOME_PATH = toolkit-no-sqrt: the loader names the symbol
//
// Prints one line per check and ends with "N passed, N failed"; exit status 0 only if none failed.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../native/acl_error.h"
#include "../../native/cann_loader.h"
#include "../../native/host_buffer.h"
#include "../../native/layer_ops.h"
#include "../../native/program.h"
#include "../../native/session.h"

using namespace wsp;

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  (ok ? passed : failed)++;
}

std::vector<float> randomVector(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

double maxRelative(const std::vector<float>& got, const std::vector<double>& want) {
  double diff = 0, scale = 1e-30;
  for (size_t i = 0; i < want.size(); i++) {
    diff = std::max(diff, std::fabs(got[i] - want[i]));
    scale = std::max(scale, std::fabs(want[i]));
  }
  return diff / scale;
}

// ---- float64 references (weights OIHW here, as uploaded) -----------------------------------------

std::vector<double> conv64(const std::vector<float>& x, const Dims& xd, const std::vector<float>& w, const std::vector<float>& b,
                           const ConvParams& p, const std::vector<float>* residual, bool relu) {
  const Dims od = convOutputDims(xd, p);
  std::vector<double> out(static_cast<size_t>(elementCount(od)));
  for (int64_t n = 0; n < od[0]; n++)
    for (int64_t o = 0; o < od[1]; o++)
      for (int64_t f = 0; f < od[2]; f++)
        for (int64_t t = 0; t < od[3]; t++) {
          double acc = b[o];
          for (int64_t i = 0; i < p.inChannels; i++)
            for (int64_t kh = 0; kh < p.kernel; kh++)
              for (int64_t kw = 0; kw < p.kernel; kw++) {
                const int64_t h = f * p.stride + kh - p.padding, c = t * p.stride + kw - p.padding;
                if (h < 0 || h >= xd[2] || c < 0 || c >= xd[3]) continue;
                acc += double(w[((o * p.inChannels + i) * p.kernel + kh) * p.kernel + kw]) * x[((n * xd[1] + i) * xd[2] + h) * xd[3] + c];
              }
          const size_t k = static_cast<size_t>(((n * od[1] + o) * od[2] + f) * od[3] + t);
          if (residual) acc += (*residual)[k];
          out[k] = relu ? std::max(0.0, acc) : acc;
        }
  return out;
}

std::vector<double> statsPool64(const std::vector<float>& x, const Dims& xd, Pooling pooling) {
  const PoolingRule rule = poolingRule(pooling);
  const int64_t rows = xd[1] * xd[2], T = xd[3];
  std::vector<double> out(static_cast<size_t>(xd[0] * 2 * rows));
  for (int64_t b = 0; b < xd[0]; b++)
    for (int64_t r = 0; r < rows; r++) {
      double mean = 0, ss = 0;
      for (int64_t t = 0; t < T; t++) mean += x[(b * rows + r) * T + t];
      mean /= T;
      for (int64_t t = 0; t < T; t++) ss += std::pow(x[(b * rows + r) * T + t] - mean, 2);
      out[b * 2 * rows + r] = mean;
      out[b * 2 * rows + rows + r] = std::sqrt(ss / double(T - rule.correction) + double(rule.epsilon));
    }
  return out;
}

// ---- device helpers --------------------------------------------------------------------------------

DeviceBuffer upload(Session& s, const std::vector<float>& v) {
  DeviceBuffer block = s.pool().allocate(v.size() * sizeof(float));
  auto staging = std::make_shared<PinnedHostBuffer>(s.api(), v.size() * sizeof(float));
  std::memcpy(staging->data(), v.data(), v.size() * sizeof(float));
  checkAcl(s.api(), s.api().aclrtMemcpyAsync(block->ptr(), block->bytes(), staging->data(), staging->bytes(), cann::kMemcpyHostToDevice, s.stream()),
           "aclrtMemcpyAsync");
  s.deferRelease(staging);
  return block;
}

std::vector<float> download(Session& s, const DeviceBuffer& b, size_t n) {
  s.synchronize();
  std::vector<float> out(n);
  checkAcl(s.api(), s.api().aclrtMemcpy(out.data(), n * 4, b->ptr(), n * 4, cann::kMemcpyDeviceToHost), "aclrtMemcpy");
  return out;
}

std::shared_ptr<PreparedConv> prepareConv(Session& s, ConvParams p, uint32_t seed, std::vector<float>* w = nullptr,
                                          std::vector<float>* b = nullptr) {
  auto conv = std::make_shared<PreparedConv>();
  conv->params = p;
  auto wv = randomVector(static_cast<size_t>(p.outChannels * p.inChannels * p.kernel * p.kernel), seed, 0.3f);
  auto bv = randomVector(static_cast<size_t>(p.outChannels), seed + 1, 0.1f);
  conv->weight = upload(s, wv);
  conv->bias = upload(s, bv);
  if (w) *w = wv;
  if (b) *b = bv;
  return conv;
}

std::string fakeReport() {
  using Fn = const char* (*)();
  auto fn = reinterpret_cast<Fn>(cann::findRuntimeSymbol("fake_cann_report"));
  return fn ? fn() : "";
}

bool nothingLive(const std::string& report) {
  for (const char* key : {"\"tensors\":0", "\"executors\":0", "\"deviceAllocations\":0", "\"hostAllocations\":0",
                          "\"streams\":0", "\"contexts\":0", "\"deviceRefs\":0", "\"graphs\":0", "\"violations\":0"}) {
    if (report.find(key) == std::string::npos) return false;
  }
  return true;
}

void runFull() {
  const cann::LoadReport& report = cann::loadCann();
  check(report.status == cann::LoadStatus::kOk, "loader: " + report.message);
  if (report.status != cann::LoadStatus::kOk) return;

  auto session = Session::open({});
  Session& s = *session;
  s.bind();
  // Launches need the launch mutex; results are read (synchronize) without it.
  auto launched = [&s](auto enqueue) {
    std::lock_guard<std::mutex> launch(s.launchMutex());
    return enqueue();
  };
  {
    // conv 3x3 stride 2 with residual and ReLU
    const Dims xd{2, 3, 9, 7};
    const ConvParams p{4, 3, 3, 2, 1};
    const Dims od = convOutputDims(xd, p);
    const auto xv = randomVector(static_cast<size_t>(elementCount(xd)), 1);
    const auto rv = randomVector(static_cast<size_t>(elementCount(od)), 2);
    std::vector<float> wv, bv;
    DeviceBuffer out = launched([&] {
      auto conv = prepareConv(s, p, 10, &wv, &bv);
      auto x = upload(s, xv), r = upload(s, rv);
      auto o = s.pool().allocate(static_cast<size_t>(elementCount(od)) * 4);
      enqueueConv2d(s, x->ptr(), xd, *conv, o->ptr(), r->ptr(), true);
      return o;
    });
    const double err = maxRelative(download(s, out, static_cast<size_t>(elementCount(od))), conv64(xv, xd, wv, bv, p, &rv, true));
    check(err < 2e-6, "conv2d 3x3/2 + residual + ReLU vs float64 (max rel " + std::to_string(err) + ")");
  }
  {
    // statistics pooling, wespeaker variant
    const Dims pd{2, 3, 4, 6};
    const Dims od = statsPoolOutputDims(pd);
    const auto pv = randomVector(static_cast<size_t>(elementCount(pd)), 3);
    DeviceBuffer pooled = launched([&] {
      auto px = upload(s, pv);
      auto o = s.pool().allocate(static_cast<size_t>(elementCount(od)) * 4);
      auto scratch = s.pool().allocate(statsPoolScratchBytes(pd));
      enqueueStatsPool(s, px->ptr(), pd, Pooling::kWespeaker, o->ptr(), scratch->ptr());
      return o;
    });
    const double err = maxRelative(download(s, pooled, static_cast<size_t>(elementCount(od))), statsPool64(pv, pd, Pooling::kWespeaker));
    check(err < 2e-6, "statsPool wespeaker vs float64 (max rel " + std::to_string(err) + ")");
  }

  // A small network as a program, eager and with graph capture: identical results.
  std::vector<ProgramStep> steps;
  ProgramStep c1;
  c1.kind = ProgramStep::Kind::kConv;
  c1.input = 0;
  c1.output = 1;
  c1.relu = true;
  ProgramStep c2 = c1;
  c2.input = 1;
  c2.output = 2;
  ProgramStep pool;
  pool.kind = ProgramStep::Kind::kStatsPool;
  pool.input = 2;
  pool.output = 3;
  pool.pooling = Pooling::kPyannote;
  ProgramStep lin;
  lin.kind = ProgramStep::Kind::kLinear;
  lin.input = 3;
  lin.output = 4;
  ProgramStep l2;
  l2.kind = ProgramStep::Kind::kL2Normalize;
  l2.input = 4;
  l2.output = 5;
  {
    std::lock_guard<std::mutex> launch(s.launchMutex());
    c1.conv = prepareConv(s, {4, 1, 3, 1, 1}, 20);
    c2.conv = prepareConv(s, {4, 4, 3, 2, 1}, 30);
    lin.linear = std::make_shared<PreparedLinear>();
    lin.linear->inFeatures = 2 * 4 * 4;  // 8 mel bins -> 4 after the stride
    lin.linear->outFeatures = 5;
    lin.linear->weightT = upload(s, randomVector(32 * 5, 40, 0.2f));
    lin.linear->bias = upload(s, randomVector(5, 41));
  }
  steps = {c1, c2, pool, lin, l2};
  const auto features = randomVector(2 * 12 * 8, 50);
  Dims outDims;
  auto eager = Program::create(session, steps, 6, 8, {});
  auto captured = Program::create(session, steps, 6, 8, {true, 4});
  const auto a = eager->run(features.data(), 2, 12, outDims);
  check(outDims == Dims({2, 5}), "program output shape [2, 5]");
  double norm = 0;
  for (int i = 0; i < 5; i++) norm += double(a[i]) * a[i];
  check(std::fabs(norm - 1) < 1e-6, "program output rows are unit vectors");
  bool same = true;
  for (int k = 0; k < 3; k++) same = same && captured->run(features.data(), 2, 12, outDims) == a;
  const auto shapes = captured->shapes();
  check(same && shapes.size() == 1 && shapes[0].captured, "graph capture on the second run, replay identical");
  eager->dispose();
  captured->dispose();

  check(session->close(), "session closes cleanly");
  const std::string r = fakeReport();
  check(nothingLive(r), "nothing left on the fake device, no rule broken: " + r);
}

void runMissingSymbol() {
  const cann::LoadReport& report = cann::loadCann();
  check(report.status == cann::LoadStatus::kSymbolMissing && report.symbol == "aclnnInplaceSqrtGetWorkspaceSize",
        "loader names the missing symbol: " + report.message);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "full";
  try {
    if (mode == "missing-sqrt") runMissingSymbol();
    else runFull();
  } catch (const Failure& f) {
    check(false, std::string("unexpected failure: ") + f.what());
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
