// One Ascend session: a device, an explicit context, one stream, pooled device memory, the
// workspace cache and the precision policy. Everything a backend instance owns on the device.
//
// Threads: inference runs on libuv worker threads, so every entry point calls bind() first (the
// context is per OS thread). Launches on the stream are serialised by launchMutex(); work in
// flight holds activity() shared so close() (exclusive) waits for it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "cann_api.h"
#include "device_pool.h"

namespace wsp {

enum class Precision { kFp32, kHf32, kFp16 };

struct SessionOptions {
  int32_t device = 0;
  Precision precision = Precision::kFp32;
  bool deterministic = false;
};

// Operators that take a cubeMathType; each falls back to HF32 on its own.
enum class CubeOp { kConvolution = 0, kMatmul = 1 };

// Objects holding device resources of a session (graphs, planned buffers) that must be released
// before the stream and context go away.
class SessionResource {
 public:
  virtual ~SessionResource() = default;
  virtual void releaseDeviceResources() = 0;
};

// aclInit once per process; aclFinalize only at process exit (acl.h allows one aclInit per process).
namespace acl_process {
void ensureInitialized(const cann::Api& api);  // throws Failure(kUnavailable)
void finalizeAtExit();
}  // namespace acl_process

// Forgets which session's context is current on this thread (after code that changed it).
void invalidateThreadBinding();

class Session : public std::enable_shared_from_this<Session> {
 public:
  static std::shared_ptr<Session> open(const SessionOptions& options);
  ~Session();

  const cann::Api& api() const { return api_; }
  const SessionOptions& options() const { return options_; }
  int32_t device() const { return options_.device; }
  cann::Stream stream() const { return stream_; }

  // Makes this session's context current on the calling thread. Throws Failure(kDisposed) after close.
  void bind();

  std::mutex& launchMutex() { return launchMutex_; }
  std::shared_mutex& activity() { return activity_; }
  std::shared_mutex& captureGate() { return captureGate_; }

  DevicePool& pool() { return *pool_; }

  // Workspace for one aclnn launch (launch mutex held). Grows, never shrinks while the session
  // lives; the previous buffer is kept until the next synchronisation.
  void* workspace(uint64_t bytes);
  DeviceBuffer workspaceBuffer();
  void setCapturing(bool capturing) { capturing_ = capturing; }

  // Keeps `object` alive until the stream has finished the work queued so far.
  void deferRelease(std::shared_ptr<void> object);

  // Waits for the stream, then drops what was deferred. Throws Failure on an asynchronous error.
  void synchronize();

  // Precision policy.
  int8_t cubeMathType(CubeOp op) const;
  void noteCubeFallback(CubeOp op, const std::string& reason);
  void noteWarning(const std::string& warning);
  std::string effectivePrecision() const;
  std::vector<std::string> takeWarnings();

  void addResource(std::weak_ptr<SessionResource> resource);

  // Idempotent; waits for work in flight. Returns false if CANN reported an error while closing.
  bool close();
  bool closed() const { return closed_.load(); }

 private:
  Session(const cann::Api& api, const SessionOptions& options);
  void waitForStreamUnlocked();

  const cann::Api& api_;
  SessionOptions options_;
  uint64_t id_;
  cann::Context context_ = nullptr;
  cann::Stream stream_ = nullptr;
  bool deviceSet_ = false;
  std::shared_ptr<DevicePool> pool_;

  std::mutex launchMutex_;
  std::shared_mutex activity_;
  std::shared_mutex captureGate_;
  std::atomic<bool> closed_{false};

  DeviceBuffer workspace_;
  bool capturing_ = false;
  std::vector<std::shared_ptr<void>> deferred_;

  std::atomic<int8_t> cube_[2];
  std::mutex warningsMutex_;
  std::vector<std::string> warnings_;
  std::vector<std::weak_ptr<SessionResource>> resources_;
};

}  // namespace wsp
