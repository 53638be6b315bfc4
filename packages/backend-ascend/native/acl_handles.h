// Owning handles for aclnn host descriptors (tensors, int arrays, scalars, tensor lists,
// executors): each is destroyed exactly once, on every path, including exceptions.
#pragma once

#include <utility>
#include <vector>

#include "acl_error.h"
#include "cann_api.h"

namespace wsp {

template <typename T, typename Destroy, Destroy cann::Api::*Member>
class Owned {
 public:
  Owned() = default;
  Owned(const cann::Api* api, T* p) : api_(api), p_(p) {}
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Owned(Owned&& o) noexcept : api_(o.api_), p_(std::exchange(o.p_, nullptr)) {}
  Owned& operator=(Owned&& o) noexcept {
    if (this != &o) {
      reset();
      api_ = o.api_;
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  ~Owned() { reset(); }

  T* get() const { return p_; }
  // Gives up ownership (the pointer now belongs to CANN, e.g. a tensor list or a launch).
  T* release() { return std::exchange(p_, nullptr); }
  void reset() {
    if (p_ && api_ && api_->*Member) (api_->*Member)(p_);
    p_ = nullptr;
  }

 private:
  const cann::Api* api_ = nullptr;
  T* p_ = nullptr;
};

using TensorDesc = Owned<cann::Tensor, cann::FnDestroyTensor, &cann::Api::aclDestroyTensor>;
using IntArrayDesc = Owned<cann::IntArray, cann::FnDestroyIntArray, &cann::Api::aclDestroyIntArray>;
using ScalarDesc = Owned<cann::Scalar, cann::FnDestroyScalar, &cann::Api::aclDestroyScalar>;
using TensorListDesc = Owned<cann::TensorList, cann::FnDestroyTensorList, &cann::Api::aclDestroyTensorList>;
// An executor is consumed by its launch; this frees one that never launched (when the symbol exists).
using ExecutorHandle = Owned<cann::OpExecutor, cann::FnDestroyExecutor, &cann::Api::aclDestroyAclOpExecutor>;

inline std::vector<int64_t> contiguousStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return strides;
}

// A contiguous float32 tensor over device memory; storage shape = view shape.
inline TensorDesc makeTensor(const cann::Api& api, void* data, const std::vector<int64_t>& dims,
                             int32_t format = cann::kFormatND) {
  const auto strides = contiguousStrides(dims);
  cann::Tensor* t = api.aclCreateTensor(dims.data(), dims.size(), cann::kFloat32, strides.data(), 0, format,
                                        dims.data(), dims.size(), data);
  if (!t) throw aclFailure(api, -1, "aclCreateTensor", false);
  return TensorDesc(&api, t);
}

inline IntArrayDesc makeIntArray(const cann::Api& api, const std::vector<int64_t>& values) {
  cann::IntArray* a = api.aclCreateIntArray(values.data(), values.size());
  if (!a) throw aclFailure(api, -1, "aclCreateIntArray", false);
  return IntArrayDesc(&api, a);
}

// The value is read by aclCreateScalar; CANN does not document whether it copies, so callers keep
// `value` alive until phase 1 has returned.
inline ScalarDesc makeFloatScalar(const cann::Api& api, float* value) {
  cann::Scalar* s = api.aclCreateScalar(value, cann::kFloat32);
  if (!s) throw aclFailure(api, -1, "aclCreateScalar", false);
  return ScalarDesc(&api, s);
}

}  // namespace wsp
