// The network's layers as aclnn operator sequences on device buffers. Activations are contiguous
// float32 NCHW [B, C, F, T]; vectors are [B, N]. Every function only queues work on the session's
// stream (launch mutex held, context bound); results are ready after a synchronisation.
#pragma once

#include <cstdint>
#include <vector>

#include "device_pool.h"
#include "session.h"

namespace wsp {

using Dims = std::vector<int64_t>;

int64_t elementCount(const Dims& dims);

// Statistics pooling variants (docs/model-spec.md §2.3).
enum class Pooling { kPyannote = 0, kWespeaker = 1, kMlx = 2 };

struct PoolingRule {
  int64_t correction;  // 1 = unbiased (divide by T-1), 0 = biased (divide by T)
  float epsilon;       // added to the variance inside the square root
};
PoolingRule poolingRule(Pooling pooling);

struct ConvParams {
  int64_t outChannels = 0, inChannels = 0, kernel = 0, stride = 1, padding = 0;
};

// Device-resident convolution: weight OIHW (converted from MLX OHWI once, at upload) and bias.
struct PreparedConv {
  ConvParams params;
  DeviceBuffer weight;
  DeviceBuffer bias;
};

// Device-resident linear layer: weight stored transposed, [in, out], so Addmm reads it row-major.
struct PreparedLinear {
  int64_t inFeatures = 0, outFeatures = 0;
  DeviceBuffer weightT;
  DeviceBuffer bias;
};

Dims convOutputDims(const Dims& input, const ConvParams& p);

// out = conv(x) + bias [+ residual] [then ReLU]; `residual` may be null and must not alias `out`.
void enqueueConv2d(Session& s, void* x, const Dims& xDims, const PreparedConv& conv, void* out, void* residual,
                   bool relu);

// x [B, C, F, T] -> out [B, 2·C·F]: means (index c·F + f) then standard deviations, over T.
// `scratch` holds statsPoolScratchBytes(xDims).
Dims statsPoolOutputDims(const Dims& xDims);
uint64_t statsPoolScratchBytes(const Dims& xDims);
void enqueueStatsPool(Session& s, void* x, const Dims& xDims, Pooling pooling, void* out, void* scratch);

// out [B, N] = x [B, K] · Wᵀ + b.
void enqueueLinear(Session& s, void* x, int64_t batch, const PreparedLinear& linear, void* out);

// out = x / max(‖x‖₂, 1e-12) per row of x [B, N]; `scratch` holds l2ScratchBytes(batch).
uint64_t l2ScratchBytes(int64_t batch);
void enqueueL2Normalize(Session& s, void* x, int64_t batch, int64_t n, void* out, void* scratch);

}  // namespace wsp
