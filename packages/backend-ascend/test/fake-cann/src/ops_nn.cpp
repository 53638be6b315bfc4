// Fake NN operators (the ops-nn domain): Convolution, InplaceRelu, Addmm, LinalgVectorNorm.
// Build flag FAKE_CONVOLUTION_ONLY keeps only Convolution (an old, partial libopapi.so).
#include <algorithm>

#include "op_common.h"

using namespace fake_ops;

namespace {

std::string shapeText(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); i++) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

}  // namespace

// ---- Convolution (forward, groups 1, NCHW) -------------------------------------------------------
// The workspace holds the im2col matrix of one batch item, so a workspace that is too small or
// shared with live data gives wrong results, not only a failed check.
FAKE_EXPORT aclnnStatus aclnnConvolutionGetWorkspaceSize(const aclTensor* input, const aclTensor* weight,
                                                         const aclTensor* bias, const aclIntArray* stride,
                                                         const aclIntArray* padding, const aclIntArray* dilation,
                                                         bool transposed, const aclIntArray* outputPadding,
                                                         int64_t groups, aclTensor* output, int8_t cubeMathType,
                                                         uint64_t* workspaceSize, aclOpExecutor** executor) {
  constexpr const char* op = "aclnnConvolution";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!input || !weight || !output || !stride || !padding || !dilation) {
    fake_set_error("fake CANN: aclnnConvolution: input, weight, output, stride, padding and dilation are required");
    return kAclnnNullptr;
  }
  if (!descriptorsAlive({input, weight, bias, stride, padding, dilation, outputPadding, output})) return notAlive(op);
  fake_note_prepare(op, cubeMathType);
  if (!isFloat(input) || !isFloat(weight) || !isFloat(output) || (bias && !isFloat(bias)))
    return reject(op, "the fake supports FLOAT tensors only");
  if (input->dims.size() != 4 || weight->dims.size() != 4 || output->dims.size() != 4)
    return reject(op, "2-D convolution needs 4-D input, weight and output");
  if (input->format != kFmtNCHW || output->format != kFmtNCHW || weight->format != kFmtNCHW)
    return reject(op, "input, weight and output must have format NCHW");
  if (transposed) return reject(op, "the fake implements forward convolution only");
  if (groups != 1) return reject(op, "the fake implements groups = 1 only");
  if (cubeMathType < 0 || cubeMathType > 3) return reject(op, "cubeMathType must be 0..3 for convolution");
  if (cubeMathType == 0 && fake_flag("cube-fp32-unsupported"))
    return reject(op, "cubeMathType 0 (KEEP_DTYPE) with FLOAT input is not supported on this SoC");
  if (stride->values.size() != 2 || dilation->values.size() != 2 || padding->values.size() != 2)
    return reject(op, "stride, dilation and padding must have 2 values");
  const auto& in = input->dims;
  const auto& w = weight->dims;
  const int64_t sh = stride->values[0], sw = stride->values[1];
  const int64_t ph = padding->values[0], pw = padding->values[1];
  const int64_t dh = dilation->values[0], dw = dilation->values[1];
  if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || ph < 0 || pw < 0 || ph > 255 || pw > 255)
    return reject(op, "invalid stride, dilation or padding");
  if (w[1] != in[1]) return reject(op, "weight expects " + std::to_string(w[1]) + " input channels, input has " + std::to_string(in[1]));
  if (bias && (bias->dims.size() != 1 || bias->dims[0] != w[0])) return reject(op, "bias must be 1-D [Cout]");
  const int64_t ho = (in[2] + 2 * ph - dh * (w[2] - 1) - 1) / sh + 1;
  const int64_t wo = (in[3] + 2 * pw - dw * (w[3] - 1) - 1) / sw + 1;
  const std::vector<int64_t> expected{in[0], w[0], ho, wo};
  if (output->dims != expected) return reject(op, "output shape " + shapeText(output->dims) + " should be " + shapeText(expected));
  for (const aclTensor* t : {input, weight, static_cast<const aclTensor*>(output)}) {
    if (!snapshot(t).contiguous()) return reject(op, "the fake needs contiguous input, weight and output");
  }
  const uint64_t workspace = static_cast<uint64_t>(w[1] * w[2] * w[3] * ho * wo) * sizeof(float);
  const int cube = cubeMathType;
  return finishPrepare(
      op, workspace, {input, weight, bias, output},
      [=]() -> Kernel {
        View x = snapshot(input), k = snapshot(weight), y = snapshot(output);
        bool hasBias = bias != nullptr;
        View b = hasBias ? snapshot(bias) : View{};
        return [=](const KernelEnv& env) -> std::string {
          if (auto e = checkViews({&x, &k, &y, hasBias ? &b : nullptr}); !e.empty()) return e;
          const int64_t N = x.dims[0], C = x.dims[1], H = x.dims[2], W = x.dims[3];
          const int64_t O = k.dims[0], KH = k.dims[2], KW = k.dims[3];
          const int64_t P = ho * wo, R = C * KH * KW;
          float* col = static_cast<float*>(env.workspace);
          std::vector<float> wr(static_cast<size_t>(O * R));
          for (int64_t i = 0; i < O * R; i++) wr[i] = roundForCube(k.data[k.offset + i], cube);
          std::vector<float> acc(static_cast<size_t>(P));
          for (int64_t n = 0; n < N; n++) {
            const float* src = x.data + x.offset + n * C * H * W;
            for (int64_t c = 0; c < C; c++)
              for (int64_t kh = 0; kh < KH; kh++)
                for (int64_t kw = 0; kw < KW; kw++) {
                  float* row = col + ((c * KH + kh) * KW + kw) * P;
                  for (int64_t oh = 0; oh < ho; oh++) {
                    const int64_t ih = oh * sh - ph + kh * dh;
                    for (int64_t ow = 0; ow < wo; ow++) {
                      const int64_t iw = ow * sw - pw + kw * dw;
                      const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                      row[oh * wo + ow] = inside ? roundForCube(src[(c * H + ih) * W + iw], cube) : 0.0f;
                    }
                  }
                }
            float* dst = y.data + y.offset + n * O * P;
            for (int64_t o = 0; o < O; o++) {
              std::fill(acc.begin(), acc.end(), 0.0f);
              for (int64_t r = 0; r < R; r++) {
                const float wv = wr[o * R + r];
                const float* cr = col + r * P;
                for (int64_t p = 0; p < P; p++) acc[p] += wv * cr[p];
              }
              const float bv = hasBias ? *b.at(o) : 0.0f;
              for (int64_t p = 0; p < P; p++) dst[o * P + p] = acc[p] + bv;
            }
          }
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnConvolution)

#ifndef FAKE_CONVOLUTION_ONLY

// ---- InplaceRelu ---------------------------------------------------------------------------------
FAKE_EXPORT aclnnStatus aclnnInplaceReluGetWorkspaceSize(aclTensor* selfRef, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
  // NaN stays NaN, as in torch.relu.
  return inplaceUnary("aclnnInplaceRelu", selfRef, workspaceSize, executor, [](float v) { return v < 0.0f ? 0.0f : v; });
}
FAKE_LAUNCH(aclnnInplaceRelu)

// ---- Addmm: out = beta * self + alpha * (mat1 @ mat2) ---------------------------------------------
FAKE_EXPORT aclnnStatus aclnnAddmmGetWorkspaceSize(const aclTensor* self, const aclTensor* mat1, const aclTensor* mat2,
                                                   const aclScalar* beta, const aclScalar* alpha, aclTensor* out,
                                                   int8_t cubeMathType, uint64_t* workspaceSize,
                                                   aclOpExecutor** executor) {
  constexpr const char* op = "aclnnAddmm";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!self || !mat1 || !mat2 || !beta || !alpha || !out) return kAclnnNullptr;
  if (!descriptorsAlive({self, mat1, mat2, beta, alpha, out})) return notAlive(op);
  fake_note_prepare(op, cubeMathType);
  if (!isFloat(self) || !isFloat(mat1) || !isFloat(mat2) || !isFloat(out)) return reject(op, "the fake supports FLOAT only");
  if (cubeMathType < 0 || cubeMathType > 4) return reject(op, "cubeMathType must be 0..4");
  if (mat1->dims.size() != 2 || mat2->dims.size() != 2 || out->dims.size() != 2) return reject(op, "mat1, mat2 and out must be 2-D");
  const int64_t M = mat1->dims[0], K = mat1->dims[1], N = mat2->dims[1];
  if (mat2->dims[0] != K) return reject(op, "inner dimensions differ: " + shapeText(mat1->dims) + " @ " + shapeText(mat2->dims));
  if (out->dims != std::vector<int64_t>{M, N}) return reject(op, "out shape " + shapeText(out->dims) + " should be [" + std::to_string(M) + "," + std::to_string(N) + "]");
  if (!broadcastsTo(self->dims, out->dims)) return reject(op, "self " + shapeText(self->dims) + " does not broadcast to out");
  const double betaV = beta->value, alphaV = alpha->value;
  const int cube = cubeMathType;
  return finishPrepare(
      op, 0, {self, mat1, mat2, beta, alpha, out},
      [=]() -> Kernel {
        View s = snapshot(self), a = snapshot(mat1), b = snapshot(mat2), y = snapshot(out);
        return [=](const KernelEnv&) -> std::string {
          if (auto e = checkViews({&s, &a, &b, &y}); !e.empty()) return e;
          const auto selfValues = load(s);
          const auto selfIndex = broadcastIndex(y.dims, s.dims);
          std::vector<double> result(static_cast<size_t>(M * N));
          for (int64_t m = 0; m < M; m++)
            for (int64_t n = 0; n < N; n++) {
              double acc = 0;
              for (int64_t k = 0; k < K; k++) {
                const float av = roundForCube(a.data[a.offset + m * a.strides[0] + k * a.strides[1]], cube);
                const float bv = roundForCube(b.data[b.offset + k * b.strides[0] + n * b.strides[1]], cube);
                acc += static_cast<double>(av) * bv;
              }
              result[m * N + n] = betaV * selfValues[selfIndex[m * N + n]] + alphaV * acc;
            }
          store(y, result);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnAddmm)

// ---- LinalgVectorNorm: (sum |x|^ord)^(1/ord) over dims --------------------------------------------
// The workspace holds the float64 partial sums.
FAKE_EXPORT aclnnStatus aclnnLinalgVectorNormGetWorkspaceSize(const aclTensor* self, const aclScalar* ord,
                                                               const aclIntArray* dims, bool keepDims, int32_t dtype,
                                                               aclTensor* out, uint64_t* workspaceSize,
                                                               aclOpExecutor** executor) {
  constexpr const char* op = "aclnnLinalgVectorNorm";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!self || !ord || !dims || !out) return kAclnnNullptr;
  if (!descriptorsAlive({self, ord, dims, out})) return notAlive(op);
  if (!isFloat(self) || !isFloat(out) || dtype != kDtFloat) return reject(op, "the fake supports FLOAT only");
  if (!(ord->value > 0)) return reject(op, "the fake supports ord > 0 only");
  Reduction r;
  std::string why;
  if (!makeReduction(self->dims, dims->values, r, why)) return reject(op, why);
  if (out->dims != (keepDims ? r.outShapeKeep : r.outShape)) return reject(op, "out shape " + shapeText(out->dims) + " does not match the reduction");
  const double p = ord->value;
  const uint64_t workspace = static_cast<uint64_t>(r.outCount) * sizeof(double);
  return finishPrepare(
      op, workspace, {self, ord, dims, out},
      [=]() -> Kernel {
        View x = snapshot(self), y = snapshot(out);
        return [=](const KernelEnv& env) -> std::string {
          if (auto e = checkViews({&x, &y}); !e.empty()) return e;
          auto* sums = static_cast<double*>(env.workspace);
          std::fill(sums, sums + r.outCount, 0.0);
          for (int64_t i = 0; i < x.numel(); i++) sums[r.outIndexOf[i]] += std::pow(std::fabs(static_cast<double>(*x.at(i))), p);
          std::vector<double> result(static_cast<size_t>(r.outCount));
          for (int64_t j = 0; j < r.outCount; j++) result[j] = p == 2 ? std::sqrt(sums[j]) : std::pow(sums[j], 1.0 / p);
          store(y, result);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnLinalgVectorNorm)

#endif  // FAKE_CONVOLUTION_ONLY
