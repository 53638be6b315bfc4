#include "network.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "thread_pool.h"

namespace wsp {

namespace {
// Winograd transform buffers per pass: ~6 MB keeps a pass inside L2+L3 on small cores and big
// batches from allocating tens of megabytes.
constexpr size_t kWinogradScratchBudget = 1536 * 1024;

template <typename T>
int64_t bytesOf(const std::vector<T>& v) {
  return static_cast<int64_t>(v.capacity() * sizeof(T));
}
}  // namespace

bool parsePooling(const std::string& name, Pooling* out) {
  if (name == "pyannote") *out = Pooling::kPyannote;
  else if (name == "wespeaker") *out = Pooling::kWespeaker;
  else if (name == "mlx") *out = Pooling::kMlx;
  else return false;
  return true;
}

int poolingMinimumSteps(Pooling variant) { return variant == Pooling::kMlx ? 1 : 2; }

View activationView(float* data, int batch, int channels, int height, int width) {
  return View{data, 4, batch, channels, height, width, storedChannels(channels)};
}

View vectorView(float* data, int batch, int n) { return View{data, 2, batch, n, 1, 1, n}; }

// ---------------------------------------------------------------------------------------------
Tensor::Tensor(std::shared_ptr<MemoryStats> stats, const View& shape)
    : data_(shape.floats(), 0.0f), view_(shape), stats_(std::move(stats)) {
  view_.data = data_.data();
  stats_->tensors++;
  stats_->bytes += bytesOf(data_);
}

Tensor::~Tensor() {
  stats_->tensors--;
  stats_->bytes -= bytesOf(data_);
}

void Tensor::fromLogical(const float* src) {
  const View& v = view_;
  if (v.rank == 2) {
    std::memcpy(v.data, src, sizeof(float) * v.floats());
    return;
  }
  const size_t plane = static_cast<size_t>(v.height) * v.width;
  for (int b = 0; b < v.batch; b++)
    for (int c = 0; c < v.channels; c++) {
      const float* s = src + (static_cast<size_t>(b) * v.channels + c) * plane;
      float* d = v.data + static_cast<size_t>(b) * plane * v.stored + c;
      for (size_t p = 0; p < plane; p++) d[p * v.stored] = s[p];
    }
}

void Tensor::toLogical(float* dst) const {
  const View& v = view_;
  if (v.rank == 2) {
    std::memcpy(dst, v.data, sizeof(float) * v.floats());
    return;
  }
  const size_t plane = static_cast<size_t>(v.height) * v.width;
  for (int b = 0; b < v.batch; b++)
    for (int c = 0; c < v.channels; c++) {
      float* d = dst + (static_cast<size_t>(b) * v.channels + c) * plane;
      const float* s = v.data + static_cast<size_t>(b) * plane * v.stored + c;
      for (size_t p = 0; p < plane; p++) d[p] = s[p * v.stored];
    }
}

// ---------------------------------------------------------------------------------------------
// Weight preparation, in double so the Winograd transform adds no rounding of its own.
namespace {
// float -> bf16 with round-to-nearest-even (what vcvtneps2bf16 does for the activations).
uint16_t toBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // NaN stays NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

const double kG2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
const double kG4[6][3] = {{1.0 / 4, 0, 0},
                          {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                          {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                          {1.0 / 24, 1.0 / 12, 1.0 / 6},
                          {1.0 / 24, -1.0 / 12, 1.0 / 6},
                          {0, 0, 1}};
}  // namespace

PreparedWeights::~PreparedWeights() {
  if (!counted_) return;
  stats_->preparedWeights--;
  stats_->bytes -= bytesOf(weights_) + bytesOf(bias_);
}

void PreparedWeights::account() {
  counted_ = true;
  stats_->preparedWeights++;
  stats_->bytes += bytesOf(weights_) + bytesOf(bias_);
}

PreparedConvWeights::PreparedConvWeights(const KernelTable* k, std::shared_ptr<MemoryStats> stats,
                                         const float* weight, int out, int kh, int kw, int in, const float* bias,
                                         int stride, int padding, ConvOptions options)
    : PreparedWeights(k, std::move(stats)) {
  if (out < 1 || in < 1) throw ArgumentError("convolution channels must be positive");
  if (kh != kw || (kh != 1 && kh != 3)) throw ArgumentError("convolution kernel must be 1x1 or 3x3");
  if (stride != 1 && stride != 2) throw ArgumentError("convolution stride must be 1 or 2");
  if (padding != 0 && padding != 1) throw ArgumentError("convolution padding must be 0 or 1");
  if (options.winograd != 0 && options.winograd != 2 && options.winograd != 4)
    throw ArgumentError("winograd must be 0, 2 or 4");
  PackedConv& p = packed;
  p.kernel = kh;
  p.stride = stride;
  p.padding = padding;
  p.cin = in;
  p.cout = out;
  p.cinS = storedChannels(in);
  p.coutS = storedChannels(out);
  p.panel = k->panel;
  const int NR = k->panel;
  const int panels = (p.coutS + NR - 1) / NR;
  const bool winogradFits = kh == 3 && stride == 1 && padding == 1 && p.cinS % 16 == 0;
  p.algo = (winogradFits && options.winograd == 4)   ? ConvAlgo::kWinograd4
           : (winogradFits && options.winograd == 2) ? ConvAlgo::kWinograd2
                                                     : ConvAlgo::kDirect;
  auto w = [&](int o, int y, int x, int i) {
    return static_cast<double>(weight[((static_cast<size_t>(o) * kh + y) * kw + x) * in + i]);
  };
  if (p.algo == ConvAlgo::kDirect) {
    const int taps = kh * kw;
    weights_.assign(static_cast<size_t>(panels) * taps * p.cinS * NR, 0.0f);
    for (int o = 0; o < out; o++)
      for (int t = 0; t < taps; t++)
        for (int i = 0; i < in; i++)
          weights_[((static_cast<size_t>(o / NR) * taps + t) * p.cinS + i) * NR + o % NR] =
              static_cast<float>(w(o, t / kw, t % kw, i));
  } else {
    const int m = p.algo == ConvAlgo::kWinograd4 ? 4 : 2;
    const int A = m + 2;
    const double* G = m == 4 ? &kG4[0][0] : &kG2[0][0];
    weights_.assign(static_cast<size_t>(A) * A * panels * p.cinS * NR, 0.0f);
    for (int o = 0; o < out; o++)
      for (int i = 0; i < in; i++) {
        double gg[6][3];  // G g (rows: transformed frequency, cols: time taps)
        for (int a = 0; a < A; a++)
          for (int x = 0; x < 3; x++) {
            double s = 0;
            for (int y = 0; y < 3; y++) s += G[a * 3 + y] * w(o, y, x, i);
            gg[a][x] = s;
          }
        for (int a = 0; a < A; a++)
          for (int b = 0; b < A; b++) {
            double s = 0;
            for (int x = 0; x < 3; x++) s += gg[a][x] * G[b * 3 + x];
            const size_t point = static_cast<size_t>(a) * A + b;
            const size_t panelBase = (point * panels + o / NR) * p.cinS * NR;
            if (k->bf16Products) {  // [cin/2][NR][2] bf16 pairs at the start of the panel's float slot
              uint16_t* u = reinterpret_cast<uint16_t*>(weights_.data() + panelBase);
              u[((static_cast<size_t>(i) / 2) * NR + o % NR) * 2 + i % 2] = toBf16(static_cast<float>(s));
            } else {
              weights_[panelBase + static_cast<size_t>(i) * NR + o % NR] = static_cast<float>(s);
            }
          }
      }
  }
  bias_.assign(static_cast<size_t>(panels) * NR, 0.0f);
  for (int o = 0; o < out; o++) bias_[o] = bias[o];
  p.weights = weights_.data();
  p.bias = bias_.data();
  account();
}

PreparedLinearWeights::PreparedLinearWeights(const KernelTable* k, std::shared_ptr<MemoryStats> stats,
                                             const float* weight, int out, int in, const float* bias)
    : PreparedWeights(k, std::move(stats)) {
  if (out < 1 || in < 1) throw ArgumentError("linear sizes must be positive");
  const int NR = k->panel;
  packed.in = in;
  packed.out = out;
  packed.panel = NR;
  packed.outS = (out + NR - 1) / NR * NR;
  weights_.assign(static_cast<size_t>(packed.outS) * in, 0.0f);
  for (int o = 0; o < out; o++)
    for (int i = 0; i < in; i++)
      weights_[(static_cast<size_t>(o / NR) * in + i) * NR + o % NR] = weight[static_cast<size_t>(o) * in + i];
  bias_.assign(packed.outS, 0.0f);
  for (int o = 0; o < out; o++) bias_[o] = bias[o];
  packed.weights = weights_.data();
  packed.bias = bias_.data();
  account();
}

// ---------------------------------------------------------------------------------------------
int convOutputSize(int n, int kernel, int stride, int padding) { return (n + 2 * padding - kernel) / stride + 1; }

View convOutputShape(const View& x, const PreparedConvWeights& w) {
  const PackedConv& p = w.packed;
  if (x.rank != 4) throw ArgumentError("convolution input must be a [B, C, F, T] activation");
  if (x.channels != p.cin)
    throw ArgumentError("convolution expects " + std::to_string(p.cin) + " input channels, got " +
                        std::to_string(x.channels));
  const int ho = convOutputSize(x.height, p.kernel, p.stride, p.padding);
  const int wo = convOutputSize(x.width, p.kernel, p.stride, p.padding);
  if (x.height + 2 * p.padding < p.kernel || x.width + 2 * p.padding < p.kernel)
    throw ArgumentError("convolution input is smaller than the kernel");
  return activationView(nullptr, x.batch, p.cout, ho, wo);
}

size_t convScratchFloats(const PreparedConvWeights& w, int batch, int h, int w_) {
  const PackedConv& p = w.packed;
  if (p.algo == ConvAlgo::kDirect) return 0;
  const int m = static_cast<int>(p.algo);
  const size_t tiles = static_cast<size_t>(batch) * ((h + m - 1) / m) * ((w_ + m - 1) / m);
  return winogradScratchNeeded(m, p.cinS, p.coutS, w.kernels->mr, tiles, ThreadPool::shared().size(),
                               kWinogradScratchBudget);
}

void runConv(const ExecContext& ctx, const View& x, const PreparedConvWeights& w, const View* residual, bool relu,
             const View& out, float* scratch, size_t scratchFloats) {
  static const std::vector<float>* zeros = new std::vector<float>(4096, 0.0f);  // never freed: shared, read-only
  const PackedConv& p = w.packed;
  if (p.cinS > static_cast<int>(zeros->size())) throw ArgumentError("too many input channels");
  ConvCall call{};
  call.in = x.data;
  call.batch = x.batch;
  call.h = x.height;
  call.w = x.width;
  call.out = out.data;
  call.ho = out.height;
  call.wo = out.width;
  call.residual = residual ? residual->data : nullptr;
  call.relu = relu;
  call.conv = &p;
  call.scratch = scratch;
  call.scratchFloats = scratchFloats;
  call.zeros = zeros->data();
  call.pool = ctx.pool;
  call.threads = ctx.threads;
  w.kernels->conv(call);
}

void runStatsPool(const View& x, Pooling variant, const View& out) {
  const int C = x.channels, F = x.height, T = x.width;
  if (T < poolingMinimumSteps(variant)) throw ArgumentError("statistics pooling needs more time steps");
  const size_t half = static_cast<size_t>(C) * F;
  const bool unbiased = variant != Pooling::kMlx;
  const double eps = variant == Pooling::kWespeaker ? 1e-7 : variant == Pooling::kMlx ? 1e-10 : 0.0;
  std::vector<double> sum(x.stored), sq(x.stored);
  for (int b = 0; b < x.batch; b++) {
    float* o = out.data + static_cast<size_t>(b) * 2 * half;
    for (int f = 0; f < F; f++) {
      const float* row = x.data + (static_cast<size_t>(b) * F + f) * T * x.stored;
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(sq.begin(), sq.end(), 0.0);
      for (int t = 0; t < T; t++)
        for (int c = 0; c < C; c++) sum[c] += row[static_cast<size_t>(t) * x.stored + c];
      for (int c = 0; c < C; c++) sum[c] /= T;  // mean
      for (int t = 0; t < T; t++)
        for (int c = 0; c < C; c++) {
          const double d = row[static_cast<size_t>(t) * x.stored + c] - sum[c];
          sq[c] += d * d;
        }
      for (int c = 0; c < C; c++) {
        const double var = sq[c] / (unbiased ? T - 1 : T);
        o[static_cast<size_t>(c) * F + f] = static_cast<float>(sum[c]);
        o[half + static_cast<size_t>(c) * F + f] = static_cast<float>(std::sqrt(var + eps));
      }
    }
  }
}

void runLinear(const ExecContext& ctx, const View& x, const PreparedLinearWeights& w, const View& out) {
  const PackedLinear& p = w.packed;
  std::vector<float> padded(static_cast<size_t>(x.batch) * p.outS);
  LinearCall call{x.data, x.batch, padded.data(), &p, ctx.pool, ctx.threads};
  w.kernels->linear(call);
  for (int b = 0; b < x.batch; b++)
    std::memcpy(out.data + static_cast<size_t>(b) * p.out, padded.data() + static_cast<size_t>(b) * p.outS,
                sizeof(float) * p.out);
}

void runL2Normalize(const View& x, const View& out) {
  const int n = x.channels;
  for (int b = 0; b < x.batch; b++) {
    const float* s = x.data + static_cast<size_t>(b) * n;
    double ss = 0;
    for (int i = 0; i < n; i++) ss += static_cast<double>(s[i]) * s[i];
    const double inv = 1.0 / std::max(std::sqrt(ss), 1e-12);  // the SPI's floor (PyTorch F.normalize)
    for (int i = 0; i < n; i++) out.data[static_cast<size_t>(b) * n + i] = static_cast<float>(s[i] * inv);
  }
}

// ---------------------------------------------------------------------------------------------
namespace {
// Shapes of every value for one input shape; throws ArgumentError on any disagreement.
std::vector<View> inferShapes(const std::vector<PlanOp>& ops, int melBins, int batch, int frames) {
  std::vector<View> shapes;
  shapes.push_back(activationView(nullptr, batch, 1, melBins, frames));
  for (size_t i = 0; i < ops.size(); i++) {
    const PlanOp& op = ops[i];
    const std::string where = "op " + std::to_string(i) + ": ";
    if (op.input < 0 || op.input > static_cast<int>(i)) throw ArgumentError(where + "input must name an earlier value");
    const View& x = shapes[op.input];
    View y{};
    try {
      switch (op.kind) {
        case PlanOp::Kind::kConv: {
          if (!op.conv) throw ArgumentError("missing convolution weights");
          y = convOutputShape(x, *op.conv);
          if (op.residual >= 0) {
            if (op.residual > static_cast<int>(i)) throw ArgumentError("residual must name an earlier value");
            const View& r = shapes[op.residual];
            if (r.rank != 4 || r.channels != y.channels || r.height != y.height || r.width != y.width)
              throw ArgumentError("residual shape differs from the convolution output");
          }
          break;
        }
        case PlanOp::Kind::kPool:
          if (x.rank != 4) throw ArgumentError("pooling input must be an activation");
          if (x.width < poolingMinimumSteps(op.pooling))
            throw ArgumentError("input too short: the pooling has " + std::to_string(x.width) + " time step(s)");
          y = vectorView(nullptr, batch, 2 * x.channels * x.height);
          break;
        case PlanOp::Kind::kLinear:
          if (!op.linear) throw ArgumentError("missing linear weights");
          if (x.rank != 2 || x.channels != op.linear->packed.in)
            throw ArgumentError("linear expects " + std::to_string(op.linear->packed.in) + " input features");
          y = vectorView(nullptr, batch, op.linear->packed.out);
          break;
        case PlanOp::Kind::kL2:
          if (x.rank != 2) throw ArgumentError("l2 normalisation expects vectors");
          y = x;
          break;
      }
    } catch (const ArgumentError& e) {
      throw ArgumentError(where + e.what());
    }
    shapes.push_back(y);
  }
  if (shapes.back().rank != 2) throw ArgumentError("the plan must end with a vector ([B, N]) value");
  return shapes;
}
}  // namespace

Plan::Plan(std::vector<PlanOp> ops, int melBins, std::shared_ptr<MemoryStats> stats)
    : ops_(std::move(ops)), melBins_(melBins), stats_(std::move(stats)), mu_(new std::mutex()) {
  if (const char* env = std::getenv("WSP_CPU_CHUNK_BYTES")) chunkBudgetBytes_ = std::strtoull(env, nullptr, 10);
  if (ops_.empty()) throw ArgumentError("the plan has no ops");
  if (melBins_ < 1) throw ArgumentError("melBins must be positive");
  // Validate the structure once on a shape every valid network accepts.
  std::vector<View> shapes = inferShapes(ops_, melBins_, 1, 64 * 8);
  outputSize_ = shapes.back().channels;
  numValues_ = static_cast<int>(shapes.size());
}

Plan::~Plan() { stats_->bytes -= static_cast<int64_t>(plannedBytes()); }

int Plan::minimumFrames() const {
  // The smallest frame count whose shapes are all valid (time shrinks by ceil(n/2) per stride).
  int lo = 1;
  for (int frames = 1; frames <= 4096; frames++) {
    try {
      inferShapes(ops_, melBins_, 1, frames);
      return frames;
    } catch (const ArgumentError&) {
      lo = frames + 1;
    }
  }
  return lo;
}

size_t Plan::plannedBytes() const {
  size_t bytes = scratch_.capacity() * sizeof(float);
  for (const auto& s : slots_) bytes += s.capacity() * sizeof(float);
  return bytes;
}

Plan::Schedule Plan::scheduleFor(int batch, int frames) const {
  const std::vector<View> perItem = inferShapes(ops_, melBins_, 1, frames);
  auto bytes = [&](int value) { return perItem[value].floats() * sizeof(float); };
  // Head: a few items at a time through the whole network: one item's activations (2 MB per
  // buffer at 200 frames) stay in the caches from layer to layer, where a batch of 16 would
  // stream 32 MB buffers through memory at every layer.
  size_t largest = 0;
  for (size_t v = 0; v < perItem.size(); v++) largest = std::max(largest, bytes(static_cast<int>(v)));
  const size_t budget = chunkBudgetBytes_;
  const int chunk = std::max(1, std::min(batch, largest >= budget ? 1 : static_cast<int>(budget / largest)));
  // Tail: the longest run of final ops whose values are all at most 1/8 of the budget per item.
  // Their weights (layer 4: 9.4 MB of Winograd weights per convolution, the embedding's 5 MB)
  // outweigh their activations, so they run for as many items at once as the budget holds.
  const size_t small = budget / 8;
  size_t tailStart = ops_.size(), tailLargest = 0;
  for (size_t i = ops_.size(); i-- > 0;) {
    const PlanOp& op = ops_[i];
    const size_t opLargest = std::max({bytes(op.input), bytes(static_cast<int>(i) + 1),
                                       op.residual >= 0 ? bytes(op.residual) : size_t{0}});
    if (opLargest > small) break;
    tailStart = i;
    tailLargest = std::max(tailLargest, opLargest);
  }
  int group = chunk;
  if (tailStart < ops_.size()) {
    // Groups of equal size (16 items, 12 fit: two groups of 8), a whole number of chunks.
    const int fits = std::max(1, static_cast<int>(budget / std::max<size_t>(tailLargest, 1)));
    const int groups = (batch + fits - 1) / fits;
    const int even = (batch + groups - 1) / groups;
    group = std::max(chunk, (even + chunk - 1) / chunk * chunk);
  }
  return Schedule{chunk, group, static_cast<int>(tailStart)};
}

void Plan::planFor(const Schedule& schedule, int frames) {
  if (schedule == schedule_ && frames == frames_) return;
  std::vector<View> shapes = inferShapes(ops_, melBins_, 1, frames);
  const int tailStart = schedule.tailStart;
  // Last op reading each value (the output value lives to the end), and the values made by the
  // head and read by the tail: they hold a whole group, each head chunk writing its items.
  std::vector<int> lastUse(shapes.size(), -1);
  std::vector<bool> crossing(shapes.size(), false);
  for (size_t i = 0; i < ops_.size(); i++) {
    for (int v : {ops_[i].input, ops_[i].residual}) {
      if (v < 0) continue;
      lastUse[v] = static_cast<int>(i);
      if (static_cast<int>(i) >= tailStart && v <= tailStart) crossing[v] = true;  // value v is made by op v - 1
    }
  }
  lastUse.back() = static_cast<int>(ops_.size());
  for (size_t v = 0; v < shapes.size(); v++)
    shapes[v].batch = crossing[v] || static_cast<int>(v) > tailStart ? schedule.group : schedule.chunk;
  // Greedy slot assignment: a value's slot is free again after its last reader ran. A crossing
  // value gets a slot of its own: the head runs again for the group's next items while it holds
  // the earlier ones, so it may not share a slot with a head value made before it.
  std::vector<int> slotOf(shapes.size(), -1);
  std::vector<size_t> slotSize;
  std::vector<int> slotBusyUntil;  // op index of the last use of the value in the slot
  size_t scratch = 0;
  auto assign = [&](int value, int producedAt) {
    const size_t need = shapes[value].floats();
    int best = -1;
    for (size_t s = 0; s < slotSize.size() && !crossing[value]; s++) {
      if (slotBusyUntil[s] >= producedAt) continue;
      if (best < 0 || (slotSize[s] >= need) > (slotSize[best] >= need) ||
          ((slotSize[s] >= need) == (slotSize[best] >= need) && slotSize[s] > slotSize[best]))
        best = static_cast<int>(s);
    }
    if (best < 0) {
      best = static_cast<int>(slotSize.size());
      slotSize.push_back(0);
      slotBusyUntil.push_back(-1);
    }
    slotSize[best] = std::max(slotSize[best], need);
    slotBusyUntil[best] = lastUse[value];
    slotOf[value] = best;
  };
  assign(0, -1);
  for (size_t i = 0; i < ops_.size(); i++) {
    assign(static_cast<int>(i) + 1, static_cast<int>(i));
    if (ops_[i].kind == PlanOp::Kind::kConv) {
      const View& x = shapes[ops_[i].input];
      scratch = std::max(scratch, convScratchFloats(*ops_[i].conv, x.batch, x.height, x.width));
    }
  }
  stats_->bytes -= static_cast<int64_t>(plannedBytes());
  slots_.assign(slotSize.size(), {});
  for (size_t s = 0; s < slotSize.size(); s++) slots_[s].assign(slotSize[s], 0.0f);
  scratch_.assign(scratch, 0.0f);
  scratch_.shrink_to_fit();
  stats_->bytes += static_cast<int64_t>(plannedBytes());
  values_ = shapes;
  for (size_t v = 0; v < values_.size(); v++) values_[v].data = slots_[slotOf[v]].data();
  crossing_ = crossing;
  schedule_ = schedule;
  frames_ = frames;
}

void Plan::runOps(const ExecContext& ctx, std::vector<View>& values, size_t from, size_t to, double* opSeconds) {
  for (size_t i = from; i < to; i++) {
    const PlanOp& op = ops_[i];
    const View& x = values[op.input];
    const View& y = values[i + 1];
    const auto started = std::chrono::steady_clock::now();
    switch (op.kind) {
      case PlanOp::Kind::kConv:
        runConv(ctx, x, *op.conv, op.residual >= 0 ? &values[op.residual] : nullptr, op.relu, y, scratch_.data(),
                scratch_.size());
        break;
      case PlanOp::Kind::kPool:
        runStatsPool(x, op.pooling, y);
        break;
      case PlanOp::Kind::kLinear:
        runLinear(ctx, x, *op.linear, y);
        break;
      case PlanOp::Kind::kL2:
        runL2Normalize(x, y);
        break;
    }
    if (opSeconds) opSeconds[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
}

void Plan::run(const ExecContext& ctx, const float* features, int batch, int frames, float* out, double* opSeconds) {
  std::lock_guard<std::mutex> lock(*mu_);
  if (batch < 1 || frames < 1) throw ArgumentError("batch and frames must be positive");
  const Schedule sc = scheduleFor(batch, frames);
  planFor(sc, frames);
  if (opSeconds) std::fill(opSeconds, opSeconds + ops_.size(), 0.0);
  JobLock job(*ctx.pool);
  const size_t tailStart = static_cast<size_t>(sc.tailStart);
  std::vector<View> values = values_;
  for (int groupFirst = 0; groupFirst < batch; groupFirst += sc.group) {
    const int groupCount = std::min(sc.group, batch - groupFirst);
    for (int first = groupFirst; first < groupFirst + groupCount; first += sc.chunk) {
      const int n = std::min(sc.chunk, groupFirst + groupCount - first);
      for (size_t v = 0; v <= tailStart; v++) {
        values[v].batch = n;  // the last chunk may be smaller than the planned one
        // A crossing value: this chunk's items within the group's slot.
        const size_t itemFloats = values_[v].floats() / values_[v].batch;
        values[v].data = values_[v].data + (crossing_[v] ? static_cast<size_t>(first - groupFirst) * itemFloats : 0);
      }
      // Features [B][T][F] -> the input activation [b][F][T][1] (frequency is the height).
      const View& in = values[0];
      for (int b = 0; b < n; b++)
        for (int t = 0; t < frames; t++)
          for (int f = 0; f < melBins_; f++)
            in.data[(static_cast<size_t>(b) * melBins_ + f) * frames + t] =
                features[(static_cast<size_t>(first + b) * frames + t) * melBins_ + f];
      runOps(ctx, values, 0, tailStart, opSeconds);
    }
    for (size_t v = 0; v < values.size(); v++) {
      if (v <= tailStart && !crossing_[v]) continue;
      values[v].data = values_[v].data;
      values[v].batch = groupCount;
    }
    runOps(ctx, values, tailStart, ops_.size(), opSeconds);
    std::memcpy(out + static_cast<size_t>(groupFirst) * outputSize_, values.back().data,
                sizeof(float) * values.back().floats());
  }
}

}  // namespace wsp
