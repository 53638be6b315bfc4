// Page-locked host memory (aclrtMallocHost): the only host memory CANN copies asynchronously, so
// uploads go through it. It must stay alive until the stream has run the copy.
#pragma once

#include <cstddef>
#include <memory>

#include "acl_error.h"
#include "cann_api.h"

namespace wsp {

class PinnedHostBuffer {
 public:
  PinnedHostBuffer(const cann::Api& api, size_t bytes) : api_(api), bytes_(bytes) {
    const cann::AclError st = api.aclrtMallocHost(&ptr_, bytes);
    if (st != cann::kSuccess) {
      Failure f = aclFailure(api, st, "aclrtMallocHost(" + std::to_string(bytes) + " bytes)", false);
      throw Failure(FailureKind::kOutOfMemory, f.what(), f.api, f.status, f.cannMessage);
    }
  }
  PinnedHostBuffer(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer& operator=(const PinnedHostBuffer&) = delete;
  ~PinnedHostBuffer() {
    if (ptr_) api_.aclrtFreeHost(ptr_);
  }
  float* data() const { return static_cast<float*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  const cann::Api& api_;
  void* ptr_ = nullptr;
  size_t bytes_;
};

}  // namespace wsp
