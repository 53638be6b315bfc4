// Fake math operators (the ops-math domain): InplaceAdd, InplaceAdds, InplaceSqrt, VarMean, Cat,
// ClampMin, Div. Build flag FAKE_OMIT_SQRT leaves out InplaceSqrt (the "missing symbol" toolkit).
#include <algorithm>

#include "op_common.h"

using namespace fake_ops;

namespace {

bool sameFormatFamily(const aclTensor* a, const aclTensor* b) { return a->format == b->format; }

}  // namespace

// ---- InplaceAdd: self += alpha * other (other broadcast to self) ----------------------------------
FAKE_EXPORT aclnnStatus aclnnInplaceAddGetWorkspaceSize(const aclTensor* selfRef, const aclTensor* other,
                                                        const aclScalar* alpha, uint64_t* workspaceSize,
                                                        aclOpExecutor** executor) {
  constexpr const char* op = "aclnnInplaceAdd";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!selfRef || !other || !alpha) return kAclnnNullptr;
  if (!descriptorsAlive({selfRef, other, alpha})) return notAlive(op);
  if (!isFloat(selfRef) || !isFloat(other)) return reject(op, "the fake supports FLOAT only");
  if (!sameFormatFamily(selfRef, other)) return reject(op, "self and other must have the same format");
  if (!broadcastsTo(other->dims, selfRef->dims)) return reject(op, "other does not broadcast to self");
  const double a = alpha->value;
  return finishPrepare(
      op, 0, {selfRef, other, alpha},
      [=]() -> Kernel {
        View s = snapshot(selfRef), o = snapshot(other);
        return [=](const KernelEnv&) -> std::string {
          if (auto e = checkViews({&s, &o}); !e.empty()) return e;
          auto x = load(s);
          const auto y = load(o);
          const auto idx = broadcastIndex(s.dims, o.dims);
          for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>(x[i]) + static_cast<float>(a * y[idx[i]]);
          store(s, x);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnInplaceAdd)

// ---- InplaceAdds: self += alpha * scalar ----------------------------------------------------------
FAKE_EXPORT aclnnStatus aclnnInplaceAddsGetWorkspaceSize(const aclTensor* selfRef, const aclScalar* other,
                                                         const aclScalar* alpha, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
  constexpr const char* op = "aclnnInplaceAdds";
  if (!other || !alpha) {
    if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
    return kAclnnNullptr;
  }
  if (!descriptorsAlive({other, alpha})) return notAlive(op);
  const float add = static_cast<float>(alpha->value * other->value);
  return inplaceUnary(op, const_cast<aclTensor*>(selfRef), workspaceSize, executor, [add](float v) { return v + add; });
}
FAKE_LAUNCH(aclnnInplaceAdds)

#ifndef FAKE_OMIT_SQRT
// ---- InplaceSqrt ----------------------------------------------------------------------------------
FAKE_EXPORT aclnnStatus aclnnInplaceSqrtGetWorkspaceSize(aclTensor* selfRef, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
  return inplaceUnary("aclnnInplaceSqrt", selfRef, workspaceSize, executor, [](float v) { return std::sqrt(v); });
}
FAKE_LAUNCH(aclnnInplaceSqrt)
#endif

// ---- VarMean: var = sum (x - mean)^2 / max(0, N - correction), mean ------------------------------
// The workspace holds the float64 means.
FAKE_EXPORT aclnnStatus aclnnVarMeanGetWorkspaceSize(const aclTensor* self, const aclIntArray* dim, int64_t correction,
                                                     bool keepdim, aclTensor* varOut, aclTensor* meanOut,
                                                     uint64_t* workspaceSize, aclOpExecutor** executor) {
  constexpr const char* op = "aclnnVarMean";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!self || !varOut || !meanOut) return kAclnnNullptr;
  if (!descriptorsAlive({self, dim, varOut, meanOut})) return notAlive(op);
  if (!isFloat(self) || !isFloat(varOut) || !isFloat(meanOut)) return reject(op, "the fake supports FLOAT only");
  Reduction r;
  std::string why;
  if (!makeReduction(self->dims, dim ? dim->values : std::vector<int64_t>{}, r, why)) return reject(op, why);
  const auto& expected = keepdim ? r.outShapeKeep : r.outShape;
  if (varOut->dims != expected || meanOut->dims != expected) return reject(op, "varOut/meanOut shape does not match the reduction");
  const uint64_t workspace = static_cast<uint64_t>(r.outCount) * sizeof(double);
  return finishPrepare(
      op, workspace, {self, dim, varOut, meanOut},
      [=]() -> Kernel {
        View x = snapshot(self), v = snapshot(varOut), m = snapshot(meanOut);
        return [=](const KernelEnv& env) -> std::string {
          if (auto e = checkViews({&x, &v, &m}); !e.empty()) return e;
          auto* means = static_cast<double*>(env.workspace);
          std::fill(means, means + r.outCount, 0.0);
          const auto values = load(x);
          for (size_t i = 0; i < values.size(); i++) means[r.outIndexOf[i]] += values[i];
          for (int64_t j = 0; j < r.outCount; j++) means[j] /= static_cast<double>(r.groupSize);
          std::vector<double> sq(static_cast<size_t>(r.outCount), 0.0);
          for (size_t i = 0; i < values.size(); i++) {
            const double d = values[i] - means[r.outIndexOf[i]];
            sq[r.outIndexOf[i]] += d * d;
          }
          const double divisor = std::max<double>(0.0, static_cast<double>(r.groupSize - correction));
          std::vector<double> var(sq.size()), mean(means, means + r.outCount);
          for (size_t j = 0; j < sq.size(); j++) var[j] = sq[j] / divisor;  // 0/0 = NaN, as CANN documents
          store(v, var);
          store(m, mean);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnVarMean)

// ---- Cat ------------------------------------------------------------------------------------------
FAKE_EXPORT aclnnStatus aclnnCatGetWorkspaceSize(const aclTensorList* tensors, int64_t dim, aclTensor* out,
                                                 uint64_t* workspaceSize, aclOpExecutor** executor) {
  constexpr const char* op = "aclnnCat";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!tensors || !out) return kAclnnNullptr;
  if (!descriptorsAlive({tensors, out})) return notAlive(op);
  if (tensors->tensors.empty()) return reject(op, "empty tensor list");
  const auto rank = static_cast<int64_t>(out->dims.size());
  if (dim < 0) dim += rank;
  if (dim < 0 || dim >= rank) return reject(op, "dim out of range");
  int64_t total = 0;
  for (const aclTensor* t : tensors->tensors) {
    if (!isFloat(t)) return reject(op, "the fake supports FLOAT only");
    if (static_cast<int64_t>(t->dims.size()) != rank) return reject(op, "all tensors must have the rank of out");
    for (int64_t d = 0; d < rank; d++)
      if (d != dim && t->dims[d] != out->dims[d]) return reject(op, "tensors differ outside the cat dimension");
    total += t->dims[dim];
  }
  if (total != out->dims[dim]) return reject(op, "out size along dim is not the sum of the inputs");
  return finishPrepare(
      op, 0, {tensors, out},
      [=]() -> Kernel {
        std::vector<View> parts;
        for (const aclTensor* t : tensors->tensors) parts.push_back(snapshot(t));
        View y = snapshot(out);
        return [=](const KernelEnv&) -> std::string {
          for (const auto& p : parts)
            if (auto e = checkViews({&p}); !e.empty()) return e;
          if (auto e = checkViews({&y}); !e.empty()) return e;
          int64_t outer = 1, inner = 1;
          for (int64_t d = 0; d < dim; d++) outer *= y.dims[d];
          for (int64_t d = dim + 1; d < rank; d++) inner *= y.dims[d];
          std::vector<double> result(static_cast<size_t>(y.numel()));
          int64_t start = 0;
          for (const auto& p : parts) {
            const auto values = load(p);
            const int64_t len = p.dims[dim];
            for (int64_t o = 0; o < outer; o++)
              for (int64_t k = 0; k < len; k++)
                for (int64_t i = 0; i < inner; i++)
                  result[(o * y.dims[dim] + start + k) * inner + i] = values[(o * len + k) * inner + i];
            start += len;
          }
          store(y, result);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnCat)

// ---- ClampMin: out = max(self, min) ---------------------------------------------------------------
FAKE_EXPORT aclnnStatus aclnnClampMinGetWorkspaceSize(const aclTensor* self, const aclScalar* clipValueMin,
                                                      aclTensor* out, uint64_t* workspaceSize,
                                                      aclOpExecutor** executor) {
  constexpr const char* op = "aclnnClampMin";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!self || !clipValueMin || !out) return kAclnnNullptr;
  if (!descriptorsAlive({self, clipValueMin, out})) return notAlive(op);
  if (!isFloat(self) || !isFloat(out)) return reject(op, "the fake supports FLOAT only");
  if (self->dims != out->dims) return reject(op, "out must have the shape of self");
  const float lo = static_cast<float>(clipValueMin->value);
  return finishPrepare(
      op, 0, {self, clipValueMin, out},
      [=]() -> Kernel {
        View x = snapshot(self), y = snapshot(out);
        return [=](const KernelEnv&) -> std::string {
          if (auto e = checkViews({&x, &y}); !e.empty()) return e;
          auto v = load(x);
          for (auto& e : v) e = std::isnan(e) ? e : std::max<double>(e, lo);
          store(y, v);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnClampMin)

// ---- Div: out = self / other (both broadcast to out) ----------------------------------------------
FAKE_EXPORT aclnnStatus aclnnDivGetWorkspaceSize(const aclTensor* self, const aclTensor* other, aclTensor* out,
                                                 uint64_t* workspaceSize, aclOpExecutor** executor) {
  constexpr const char* op = "aclnnDiv";
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!self || !other || !out) return kAclnnNullptr;
  if (!descriptorsAlive({self, other, out})) return notAlive(op);
  if (!isFloat(self) || !isFloat(other) || !isFloat(out)) return reject(op, "the fake supports FLOAT only");
  if (!broadcastsTo(self->dims, out->dims) || !broadcastsTo(other->dims, out->dims))
    return reject(op, "self and other must broadcast to out");
  return finishPrepare(
      op, 0, {self, other, out},
      [=]() -> Kernel {
        View a = snapshot(self), b = snapshot(other), y = snapshot(out);
        return [=](const KernelEnv&) -> std::string {
          if (auto e = checkViews({&a, &b, &y}); !e.empty()) return e;
          const auto av = load(a), bv = load(b);
          const auto ai = broadcastIndex(y.dims, a.dims), bi = broadcastIndex(y.dims, b.dims);
          std::vector<double> result(static_cast<size_t>(y.numel()));
          for (size_t i = 0; i < result.size(); i++)
            result[i] = static_cast<float>(av[ai[i]]) / static_cast<float>(bv[bi[i]]);
          store(y, result);
          return "";
        };
      },
      workspaceSize, executor);
}
FAKE_LAUNCH(aclnnDiv)
