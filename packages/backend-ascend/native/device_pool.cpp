#include "device_pool.h"

#include "acl_error.h"

namespace wsp {

DeviceBlock::~DeviceBlock() {
  if (auto pool = pool_.lock()) pool->giveBack(ptr_, capacity_);
}

DevicePool::DevicePool(const cann::Api& api, std::function<void()> waitForStream)
    : api_(api), waitForStream_(std::move(waitForStream)) {}

size_t DevicePool::roundUp(size_t bytes) {
  constexpr size_t kSmall = 512;
  constexpr size_t kLarge = size_t{1} << 20;
  if (bytes == 0) bytes = 1;
  const size_t unit = bytes < kLarge ? kSmall : kLarge;
  return (bytes + unit - 1) / unit * unit;
}

DeviceBuffer DevicePool::allocate(size_t bytes) {
  const size_t capacity = roundUp(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) throw Failure(FailureKind::kDisposed, "the Ascend session is closed");
    // Reuse a cached block that is big enough but not wastefully so.
    auto it = cached_.lower_bound(capacity);
    if (it != cached_.end() && it->first <= capacity * 2) {
      void* ptr = it->second;
      const size_t cap = it->first;
      cached_.erase(it);
      bytesCached_ -= cap;
      outstanding_[ptr] = cap;
      bytesInUse_ += cap;
      return std::make_shared<DeviceBlock>(weak_from_this(), ptr, bytes, cap);
    }
  }
  void* ptr = nullptr;
  cann::AclError status = api_.aclrtMalloc(&ptr, capacity, cann::kMallocHugeFirst);
  if (status != cann::kSuccess) {
    bool hadCache;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      hadCache = !cached_.empty();
    }
    if (hadCache) {
      // Give cached blocks back to CANN once the stream no longer uses them, then retry once.
      takeRecentError(api_);
      waitForStream_();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        freeCachedLocked();
      }
      status = api_.aclrtMalloc(&ptr, capacity, cann::kMallocHugeFirst);
    }
    if (status != cann::kSuccess) {
      Failure f = aclFailure(api_, status, "aclrtMalloc(" + std::to_string(capacity) + " bytes)", false);
      if (f.kind != FailureKind::kOutOfMemory) throw f;
      throw Failure(FailureKind::kOutOfMemory,
                    "Ascend device memory exhausted: " + std::string(f.what()), f.api, f.status, f.cannMessage);
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_[ptr] = capacity;
  bytesInUse_ += capacity;
  return std::make_shared<DeviceBlock>(weak_from_this(), ptr, bytes, capacity);
}

void DevicePool::giveBack(void* ptr, size_t capacity) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;  // already freed by releaseAll
  auto it = outstanding_.find(ptr);
  if (it == outstanding_.end()) return;
  outstanding_.erase(it);
  bytesInUse_ -= capacity;
  cached_.emplace(capacity, ptr);
  bytesCached_ += capacity;
}

void DevicePool::freeCachedLocked() {
  for (auto& [cap, ptr] : cached_) api_.aclrtFree(ptr);
  cached_.clear();
  bytesCached_ = 0;
}

void DevicePool::releaseAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  freeCachedLocked();
  for (auto& [ptr, cap] : outstanding_) api_.aclrtFree(ptr);
  outstanding_.clear();
  bytesInUse_ = 0;
  closed_ = true;
}

DevicePool::Stats DevicePool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {outstanding_.size(), bytesInUse_, bytesCached_};
}

}  // namespace wsp
