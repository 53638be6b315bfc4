#include "layer_ops.h"

#include "aclnn_call.h"

namespace wsp {

int64_t elementCount(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

PoolingRule poolingRule(Pooling pooling) {
  switch (pooling) {
    case Pooling::kPyannote: return {1, 0.0f};    // unbiased, no epsilon
    case Pooling::kWespeaker: return {1, 1e-7f};  // unbiased, + 1e-7 inside the root
    case Pooling::kMlx: return {0, 1e-10f};       // biased, + 1e-10 inside the root
  }
  return {1, 0.0f};
}

Dims convOutputDims(const Dims& in, const ConvParams& p) {
  auto out = [&](int64_t n) { return (n + 2 * p.padding - p.kernel) / p.stride + 1; };
  return {in[0], p.outChannels, out(in[2]), out(in[3])};
}

void enqueueConv2d(Session& s, void* x, const Dims& xDims, const PreparedConv& conv, void* out, void* residual,
                   bool relu) {
  const cann::Api& api = s.api();
  const ConvParams& p = conv.params;
  const Dims outDims = convOutputDims(xDims, p);
  {
    TensorDesc input = makeTensor(api, x, xDims, cann::kFormatNCHW);
    TensorDesc weight = makeTensor(api, conv.weight->ptr(), {p.outChannels, p.inChannels, p.kernel, p.kernel},
                                   cann::kFormatNCHW);
    TensorDesc bias = makeTensor(api, conv.bias->ptr(), {p.outChannels});
    TensorDesc output = makeTensor(api, out, outDims, cann::kFormatNCHW);
    IntArrayDesc stride = makeIntArray(api, {p.stride, p.stride});
    IntArrayDesc padding = makeIntArray(api, {p.padding, p.padding});
    IntArrayDesc dilation = makeIntArray(api, {1, 1});
    IntArrayDesc outputPadding = makeIntArray(api, {0, 0});
    runCubeAclnn(s, CubeOp::kConvolution, api.convolution,
                 [&](int8_t cube, uint64_t* ws, cann::OpExecutor** exec) {
                   return api.convolution.prepare(input.get(), weight.get(), bias.get(), stride.get(), padding.get(),
                                                  dilation.get(), false, outputPadding.get(), 1, output.get(), cube,
                                                  ws, exec);
                 });
  }
  // Epilogue in place on the convolution output (elementwise ops take ND tensors).
  TensorDesc result = makeTensor(api, out, outDims);
  if (residual) {
    TensorDesc other = makeTensor(api, residual, outDims);
    float one = 1.0f;
    ScalarDesc alpha = makeFloatScalar(api, &one);
    runAclnn(s, api.inplaceAdd, result.get(), other.get(), alpha.get());
  }
  if (relu) runAclnn(s, api.inplaceRelu, result.get());
}

Dims statsPoolOutputDims(const Dims& x) { return {x[0], 2 * x[1] * x[2]}; }

uint64_t statsPoolScratchBytes(const Dims& x) { return static_cast<uint64_t>(2 * x[0] * x[1] * x[2]) * sizeof(float); }

void enqueueStatsPool(Session& s, void* x, const Dims& xDims, Pooling pooling, void* out, void* scratch) {
  const cann::Api& api = s.api();
  const int64_t batch = xDims[0], rows = xDims[1] * xDims[2], frames = xDims[3];
  const PoolingRule rule = poolingRule(pooling);
  // [B, C, F, T] viewed as [B, C·F, T]: the channel-major flatten costs nothing in NCHW.
  float* stdPart = static_cast<float*>(scratch);
  float* meanPart = stdPart + batch * rows;
  TensorDesc input = makeTensor(api, x, {batch, rows, frames});
  TensorDesc var = makeTensor(api, stdPart, {batch, rows});
  TensorDesc mean = makeTensor(api, meanPart, {batch, rows});
  IntArrayDesc timeAxis = makeIntArray(api, {2});
  runAclnn(s, api.varMean, input.get(), timeAxis.get(), rule.correction, false, var.get(), mean.get());
  if (rule.epsilon > 0) {
    float eps = rule.epsilon, one = 1.0f;
    ScalarDesc epsilon = makeFloatScalar(api, &eps);
    ScalarDesc alpha = makeFloatScalar(api, &one);
    runAclnn(s, api.inplaceAdds, var.get(), epsilon.get(), alpha.get());
  }
  runAclnn(s, api.inplaceSqrt, var.get());  // var now holds the standard deviation

  // [mean | std] along dim 1. The list owns the two tensors it is given.
  TensorDesc meanIn = makeTensor(api, meanPart, {batch, rows});
  TensorDesc stdIn = makeTensor(api, stdPart, {batch, rows});
  const cann::Tensor* parts[2] = {meanIn.get(), stdIn.get()};
  cann::TensorList* raw = api.aclCreateTensorList(parts, 2);
  if (!raw) throw aclFailure(api, -1, "aclCreateTensorList", false);
  meanIn.release();
  stdIn.release();
  TensorListDesc list(&api, raw);
  TensorDesc output = makeTensor(api, out, {batch, 2 * rows});
  runAclnn(s, api.cat, list.get(), int64_t{1}, output.get());
}

void enqueueLinear(Session& s, void* x, int64_t batch, const PreparedLinear& linear, void* out) {
  const cann::Api& api = s.api();
  TensorDesc bias = makeTensor(api, linear.bias->ptr(), {1, linear.outFeatures});
  TensorDesc mat1 = makeTensor(api, x, {batch, linear.inFeatures});
  TensorDesc mat2 = makeTensor(api, linear.weightT->ptr(), {linear.inFeatures, linear.outFeatures});
  TensorDesc output = makeTensor(api, out, {batch, linear.outFeatures});
  float one = 1.0f;
  ScalarDesc beta = makeFloatScalar(api, &one);
  ScalarDesc alpha = makeFloatScalar(api, &one);
  runCubeAclnn(s, CubeOp::kMatmul, api.addmm, [&](int8_t cube, uint64_t* ws, cann::OpExecutor** exec) {
    return api.addmm.prepare(bias.get(), mat1.get(), mat2.get(), beta.get(), alpha.get(), output.get(), cube, ws,
                             exec);
  });
}

uint64_t l2ScratchBytes(int64_t batch) { return static_cast<uint64_t>(2 * batch) * sizeof(float); }

void enqueueL2Normalize(Session& s, void* x, int64_t batch, int64_t n, void* out, void* scratch) {
  const cann::Api& api = s.api();
  float* norm = static_cast<float*>(scratch);
  float* floored = norm + batch;
  TensorDesc input = makeTensor(api, x, {batch, n});
  TensorDesc normT = makeTensor(api, norm, {batch, 1});
  TensorDesc flooredT = makeTensor(api, floored, {batch, 1});
  TensorDesc output = makeTensor(api, out, {batch, n});
  float two = 2.0f, tiny = 1e-12f;
  ScalarDesc ord = makeFloatScalar(api, &two);
  ScalarDesc minimum = makeFloatScalar(api, &tiny);
  IntArrayDesc lastAxis = makeIntArray(api, {1});
  runAclnn(s, api.linalgVectorNorm, input.get(), ord.get(), lastAxis.get(), true, cann::kFloat32, normT.get());
  // The floor only matters for an all-zero row, which would otherwise give 0/0 = NaN.
  runAclnn(s, api.clampMin, normT.get(), minimum.get(), flooredT.get());
  runAclnn(s, api.div, input.get(), flooredT.get(), output.get());
}

}  // namespace wsp
