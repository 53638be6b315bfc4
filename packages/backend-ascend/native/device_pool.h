// Pooled device memory of one session.
//
// Rule that makes reuse safe without waiting: all device work of a session runs on its one stream,
// so a block given back to the pool is only handed out again to work queued *after* it on that
// stream. Memory is returned to CANN (aclrtFree) only when the stream is idle: on memory pressure
// after a synchronisation, and when the session closes.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "cann_api.h"

namespace wsp {

class DevicePool;

// One allocation handed out by the pool; it goes back to the pool when the last owner drops it.
class DeviceBlock {
 public:
  DeviceBlock(std::weak_ptr<DevicePool> pool, void* ptr, size_t bytes, size_t capacity)
      : pool_(std::move(pool)), ptr_(ptr), bytes_(bytes), capacity_(capacity) {}
  DeviceBlock(const DeviceBlock&) = delete;
  DeviceBlock& operator=(const DeviceBlock&) = delete;
  ~DeviceBlock();

  void* ptr() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  size_t capacity() const { return capacity_; }

 private:
  std::weak_ptr<DevicePool> pool_;
  void* ptr_;
  size_t bytes_;
  size_t capacity_;
};

using DeviceBuffer = std::shared_ptr<DeviceBlock>;

class DevicePool : public std::enable_shared_from_this<DevicePool> {
 public:
  // `waitForStream` makes the session's stream idle (used before freeing cached blocks when an
  // allocation fails for lack of memory).
  DevicePool(const cann::Api& api, std::function<void()> waitForStream);

  // Needs the session's context current on the calling thread. Throws Failure(kOutOfMemory).
  DeviceBuffer allocate(size_t bytes);

  // Frees every block, cached or still owned (their owners then hold dead handles). The stream
  // must be idle and the context current. The pool is closed afterwards.
  void releaseAll();

  struct Stats {
    size_t liveBlocks = 0;
    size_t bytesInUse = 0;  // capacity of the blocks handed out
    size_t bytesCached = 0;
  };
  Stats stats() const;

 private:
  friend class DeviceBlock;
  void giveBack(void* ptr, size_t capacity);
  void freeCachedLocked();
  static size_t roundUp(size_t bytes);

  const cann::Api& api_;
  std::function<void()> waitForStream_;
  mutable std::mutex mutex_;
  std::multimap<size_t, void*> cached_;            // capacity -> pointer
  std::unordered_map<void*, size_t> outstanding_;  // pointer -> capacity
  size_t bytesCached_ = 0;
  size_t bytesInUse_ = 0;
  bool closed_ = false;
};

}  // namespace wsp
