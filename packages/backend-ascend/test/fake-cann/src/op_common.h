// Shared helpers of the fake operator libraries: argument checks of phase 1, executors, and the
// host-side view of device tensors the kernels compute on (straightforward loops, float64 sums).
#pragma once

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fake_core.h"

namespace fake_ops {

using namespace fake_status;

// A snapshot of a tensor descriptor taken at launch (descriptors may be destroyed afterwards).
struct View {
  float* data = nullptr;
  std::vector<int64_t> dims;
  std::vector<int64_t> strides;
  int64_t offset = 0;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
  // Bytes from `data` to one past the highest element the view can touch.
  uint64_t extentBytes() const {
    if (numel() == 0) return 0;
    int64_t span = offset;
    for (size_t i = 0; i < dims.size(); i++) span += (dims[i] - 1) * strides[i];
    return static_cast<uint64_t>(span + 1) * sizeof(float);
  }
  bool contiguous() const {
    int64_t expected = 1;
    for (size_t i = dims.size(); i-- > 0;) {
      if (dims[i] != 1 && strides[i] != expected) return false;
      expected *= dims[i];
    }
    return true;
  }
  // Element address of a row-major linear index over `dims`.
  float* at(int64_t linear) const {
    int64_t off = offset;
    for (size_t i = dims.size(); i-- > 0;) {
      off += (linear % dims[i]) * strides[i];
      linear /= dims[i];
    }
    return data + off;
  }
};

inline View snapshot(const aclTensor* t) {
  View v;
  v.data = static_cast<float*>(t->data);
  v.dims = t->dims;
  v.strides = t->strides;
  v.offset = t->offset;
  return v;
}

// Every view must lie inside live device memory when the kernel runs.
inline std::string checkViews(std::initializer_list<const View*> views) {
  for (const View* v : views) {
    if (!v) continue;
    std::string why;
    if (v->numel() > 0 && !fake_device_range_ok(v->data, v->extentBytes(), &why)) return "operand " + why;
  }
  return "";
}

inline std::vector<double> load(const View& v) {
  std::vector<double> out(static_cast<size_t>(v.numel()));
  for (int64_t i = 0; i < v.numel(); i++) out[i] = *v.at(i);
  return out;
}

inline void store(const View& v, const std::vector<double>& values) {
  for (int64_t i = 0; i < v.numel(); i++) *v.at(i) = static_cast<float>(values[i]);
}

// Index into `other` (right-aligned broadcast to `shape`) for each row-major index of `shape`.
inline std::vector<int64_t> broadcastIndex(const std::vector<int64_t>& shape, const std::vector<int64_t>& other) {
  const size_t n = shape.size();
  const size_t off = n - other.size();
  std::vector<int64_t> otherStride(n, 0);
  int64_t s = 1;
  for (size_t i = other.size(); i-- > 0;) {
    otherStride[off + i] = other[i] == 1 ? 0 : s;
    s *= other[i];
  }
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  std::vector<int64_t> map(static_cast<size_t>(total));
  for (int64_t linear = 0; linear < total; linear++) {
    int64_t rest = linear, idx = 0;
    for (size_t d = n; d-- > 0;) {
      idx += (rest % shape[d]) * otherStride[d];
      rest /= shape[d];
    }
    map[linear] = idx;
  }
  return map;
}

inline bool broadcastsTo(const std::vector<int64_t>& other, const std::vector<int64_t>& shape) {
  if (other.size() > shape.size()) return false;
  const size_t off = shape.size() - other.size();
  for (size_t i = 0; i < other.size(); i++)
    if (other[i] != 1 && other[i] != shape[off + i]) return false;
  return true;
}

// Reduction bookkeeping: for each input element, the index of its output element.
struct Reduction {
  std::vector<int64_t> outShapeKeep;  // reduced dims set to 1
  std::vector<int64_t> outShape;      // reduced dims removed
  std::vector<int64_t> outIndexOf;    // per input element
  int64_t outCount = 0;
  int64_t groupSize = 1;              // elements per output
};

inline bool makeReduction(const std::vector<int64_t>& shape, std::vector<int64_t> axes, Reduction& r,
                          std::string& why) {
  const int64_t n = static_cast<int64_t>(shape.size());
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int64_t& a : axes) {
    if (a < 0) a += n;
    if (a < 0 || a >= n) {
      why = "reduction dimension out of range";
      return false;
    }
    reduced[a] = true;
  }
  r.outShapeKeep.clear();
  r.outShape.clear();
  r.groupSize = 1;
  for (int64_t d = 0; d < n; d++) {
    r.outShapeKeep.push_back(reduced[d] ? 1 : shape[d]);
    if (!reduced[d]) r.outShape.push_back(shape[d]);
    else r.groupSize *= shape[d];
  }
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  r.outCount = 1;
  for (int64_t d : r.outShape) r.outCount *= d;
  r.outIndexOf.assign(static_cast<size_t>(total), 0);
  for (int64_t linear = 0; linear < total; linear++) {
    int64_t rest = linear, idx = 0, mul = 1;
    for (int64_t d = n; d-- > 0;) {
      const int64_t i = rest % shape[d];
      rest /= shape[d];
      if (!reduced[d]) {
        idx += i * mul;
        mul *= shape[d];
      }
    }
    r.outIndexOf[linear] = idx;
  }
  return true;
}

// Operand rounding of the cube unit: 2 = fp16, 1 and 3 = HF32 (fp32 exponent, 10 stored mantissa
// bits, like TF32); 0 and 4 keep fp32.
inline float roundForCube(float x, int cubeMathType) {
  if (cubeMathType == 0 || cubeMathType == 4 || !std::isfinite(x)) return x;
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  const uint32_t drop = 13;  // 23 - 10 mantissa bits
  const uint32_t half = 1u << (drop - 1);
  const uint32_t lsb = (bits >> drop) & 1u;
  bits = (bits + half - 1 + lsb) & ~((1u << drop) - 1);
  float r;
  std::memcpy(&r, &bits, 4);
  if (cubeMathType == 2) {
    if (std::fabs(r) > 65504.0f) return std::copysign(INFINITY, r);
    if (std::fabs(r) < 6.103515625e-05f) return std::nearbyint(r / 5.9604644775390625e-08f) * 5.9604644775390625e-08f;
  }
  return r;
}

// ---- phase 1 plumbing ---------------------------------------------------------------------------

inline bool oppPathSet() {
  const char* p = std::getenv("ASCEND_OPP_PATH");
  return p && *p;
}

// Common checks of every phase 1. Returns 0 to go on.
inline aclnnStatus beginPrepare(const char* op, uint64_t* workspaceSize, aclOpExecutor** executor) {
  if (!workspaceSize || !executor) {
    fake_set_error(std::string("fake CANN: ") + op + ": workspaceSize or executor is null");
    return kAclnnNullptr;
  }
  if (!oppPathSet()) {
    fake_set_error(std::string("fake CANN: ") + op +
                   ": ASCEND_OPP_PATH is not set; the operator package cannot be found (source set_env.sh)");
    return kAclnnOppPathNotFound;
  }
  if (int status = fake_fault(std::string("prepare:") + op)) {
    fake_set_error(std::string("fake CANN: ") + op + " phase 1 failed (injected, status " + std::to_string(status) + ")");
    return status;
  }
  return 0;
}

inline aclnnStatus reject(const char* op, const std::string& why) {
  fake_set_error(std::string("fake CANN: ") + op + ": " + why);
  return kAclnnParamInvalid;
}

inline aclnnStatus finishPrepare(const char* op, uint64_t workspace, std::vector<const void*> descriptors,
                                 std::function<Kernel()> build, uint64_t* workspaceSize, aclOpExecutor** executor) {
  auto* e = new aclOpExecutor();
  e->op = op;
  e->workspaceNeeded = workspace;
  e->descriptors = std::move(descriptors);
  e->build = std::move(build);
  fake_track_executor(e, true);
  *workspaceSize = workspace;
  *executor = e;
  return 0;
}

inline bool isFloat(const aclTensor* t) { return t && t->dtype == kDtFloat; }

inline bool descriptorsAlive(std::initializer_list<const void*> ds) {
  for (const void* d : ds)
    if (d && !fake_descriptor_alive(d)) return false;
  return true;
}

inline aclnnStatus notAlive(const char* op) {
  fake_violation(std::string(op) + ": a descriptor is not alive");
  return kAclnnParamInvalid;
}

// A unary in-place kernel over every element of `selfRef`.
template <typename F>
inline aclnnStatus inplaceUnary(const char* op, aclTensor* selfRef, uint64_t* workspaceSize, aclOpExecutor** executor, F f) {
  if (aclnnStatus s = beginPrepare(op, workspaceSize, executor)) return s;
  if (!selfRef) return kAclnnNullptr;
  if (!descriptorsAlive({selfRef})) return notAlive(op);
  if (!isFloat(selfRef)) return reject(op, "the fake supports FLOAT only");
  return finishPrepare(
      op, 0, {selfRef},
      [=]() -> Kernel {
        View v = snapshot(selfRef);
        return [=](const KernelEnv&) -> std::string {
          if (auto e = checkViews({&v}); !e.empty()) return e;
          for (int64_t i = 0; i < v.numel(); i++) {
            float* p = v.at(i);
            *p = f(*p);
          }
          return "";
        };
      },
      workspaceSize, executor);
}

}  // namespace fake_ops

#define FAKE_LAUNCH(name)                                                                                   \
  FAKE_EXPORT aclnnStatus name(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,           \
                               aclrtStream stream) {                                                       \
    return fake_launch(executor, workspace, workspaceSize, stream);                                        \
  }
