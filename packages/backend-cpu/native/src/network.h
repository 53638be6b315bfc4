// The instruction-set-independent part of the native backend: tensors in the kernels' layout,
// weight preparation (packing, Winograd transform), the layer ops, and the whole-network plan.
// No N-API here, so the arm64 test harness links it as is.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels.h"

namespace wsp {

// Bad arguments: the addon turns these into JS RangeError (never an abort).
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Pooling : int { kPyannote = 0, kWespeaker = 1, kMlx = 2 };
bool parsePooling(const std::string& name, Pooling* out);

// Counts of live objects and bytes, per backend (shared by its tensors and weights).
struct MemoryStats {
  std::atomic<int64_t> tensors{0}, preparedWeights{0}, bytes{0};
};

// An activation [B][H][W][Cs] (rank 4, logical NCHW [B, C, H, W]) or a vector batch [B][N]
// (rank 2: channels = N, height = width = 1, stored = N).
struct View {
  float* data;
  int rank, batch, channels, height, width, stored;
  size_t floats() const { return static_cast<size_t>(batch) * height * width * stored; }
};
View activationView(float* data, int batch, int channels, int height, int width);
View vectorView(float* data, int batch, int n);

// A tensor owned by a backend (the op-by-op API); counted in the backend's MemoryStats.
class Tensor {
 public:
  Tensor(std::shared_ptr<MemoryStats> stats, const View& shape);
  ~Tensor();
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;
  View view() { return view_; }
  const View& shape() const { return view_; }

  // From / to contiguous logical NCHW (rank 4) or [B, N] (rank 2).
  void fromLogical(const float* src);
  void toLogical(float* dst) const;

 private:
  std::vector<float> data_;
  View view_;
  std::shared_ptr<MemoryStats> stats_;
};

struct ConvOptions {
  int winograd = 4;  // tile size for 3x3 stride-1 convolutions: 4, 2, or 0 (direct)
};

// Packed weights and bias of one layer, counted in the owning backend's MemoryStats.
class PreparedWeights {
 public:
  PreparedWeights(const PreparedWeights&) = delete;
  PreparedWeights& operator=(const PreparedWeights&) = delete;
  const KernelTable* kernels;

 protected:
  PreparedWeights(const KernelTable* k, std::shared_ptr<MemoryStats> stats) : kernels(k), stats_(std::move(stats)) {}
  ~PreparedWeights();
  void account();  // call once weights_ and bias_ are filled
  std::vector<float> weights_, bias_;

 private:
  std::shared_ptr<MemoryStats> stats_;
  bool counted_ = false;
};

class PreparedConvWeights : public PreparedWeights {
 public:
  // weight: MLX layout [O][kH][kW][I]; bias [O].
  PreparedConvWeights(const KernelTable* kernels, std::shared_ptr<MemoryStats> stats, const float* weight, int out,
                      int kh, int kw, int in, const float* bias, int stride, int padding, ConvOptions options);
  PackedConv packed;
};

class PreparedLinearWeights : public PreparedWeights {
 public:
  PreparedLinearWeights(const KernelTable* kernels, std::shared_ptr<MemoryStats> stats, const float* weight, int out,
                        int in, const float* bias);
  PackedLinear packed;
};

struct ExecContext {
  ThreadPool* pool;
  int threads;
};

int convOutputSize(int n, int kernel, int stride, int padding);

// The single ops. `out` must have the right shape (the caller allocates; see the *Shape helpers).
// The single ops on views of the right shapes (checked by the callers: the addon and Plan).
View convOutputShape(const View& x, const PreparedConvWeights& w);
size_t convScratchFloats(const PreparedConvWeights& w, int batch, int h, int w_);
void runConv(const ExecContext& ctx, const View& x, const PreparedConvWeights& w, const View* residual, bool relu,
             const View& out, float* scratch, size_t scratchFloats);
// Mean and std over time per (c, f), channel-major c*H + f; means then stds: out [B, 2*C*H].
void runStatsPool(const View& x, Pooling variant, const View& out);
void runLinear(const ExecContext& ctx, const View& x, const PreparedLinearWeights& w, const View& out);
void runL2Normalize(const View& x, const View& out);
// Smallest time length at the pooling input for which the variant's statistic is defined.
int poolingMinimumSteps(Pooling variant);

// Whole-network plan: a list of ops over numbered values (0 = the network input [B, 1, F, T]).
struct PlanOp {
  enum class Kind { kConv, kPool, kLinear, kL2 } kind;
  int input = 0, residual = -1, output = 0;
  bool relu = false;
  Pooling pooling = Pooling::kPyannote;
  std::shared_ptr<PreparedConvWeights> conv;
  std::shared_ptr<PreparedLinearWeights> linear;
};

class Plan {
 public:
  // Validates the op list (value numbering, channel agreement); throws ArgumentError.
  Plan(std::vector<PlanOp> ops, int melBins, std::shared_ptr<MemoryStats> stats);
  ~Plan();

  int melBins() const { return melBins_; }
  int outputSize() const { return outputSize_; }
  // Smallest frame count the plan accepts (unbiased pooling needs 2 time steps after the strides).
  int minimumFrames() const;

  // features: [batch][frames][melBins]; out: [batch][outputSize]. Thread-safe per plan (one run at
  // a time per plan, serialised by a mutex; different plans share the process pool's job lock).
  // opSeconds, when given, receives the wall time of every op (ops().size() entries).
  void run(const ExecContext& ctx, const float* features, int batch, int frames, float* out,
           double* opSeconds = nullptr);
  size_t numOps() const { return ops_.size(); }

  // Bytes held by the planned buffers for the last shape.
  size_t plannedBytes() const;

 private:
  // How a batch runs: the head (ops before tailStart) `chunk` items at a time, so that its large
  // activations stay in the caches; the tail (small activations, large weights: layer 4, pooling,
  // embedding) `group` items at a time, so that its weights are read once per group.
  struct Schedule {
    int chunk, group, tailStart;
    bool operator==(const Schedule& o) const { return chunk == o.chunk && group == o.group && tailStart == o.tailStart; }
  };
  Schedule scheduleFor(int batch, int frames) const;
  void planFor(const Schedule& schedule, int frames);
  void runOps(const ExecContext& ctx, std::vector<View>& values, size_t from, size_t to, double* opSeconds);

  std::vector<PlanOp> ops_;
  int melBins_, outputSize_ = 0, numValues_ = 0;
  std::shared_ptr<MemoryStats> stats_;
  // Planned for (schedule_, frames_): value -> slot, slot storage, scratch.
  Schedule schedule_{-1, -1, -1};
  int frames_ = -1;
  std::vector<bool> crossing_;  // values made by the head and read by the tail (group-sized slots)
  // Largest activation of one head chunk or tail group (WSP_CPU_CHUNK_BYTES overrides).
  size_t chunkBudgetBytes_ = 3u << 20;
  std::vector<View> values_;  // shapes; data points into slots_
  std::vector<std::vector<float>> slots_;
  std::vector<float> scratch_;
  std::unique_ptr<std::mutex> mu_;
};

}  // namespace wsp
