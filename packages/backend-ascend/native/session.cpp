#include "session.h"

#include <cstdlib>
#include <utility>

#include "acl_error.h"
#include "cann_loader.h"

namespace wsp {
namespace {

std::mutex gProcessMutex;
bool gInitialized = false;
bool gFinalized = false;

std::atomic<uint64_t> gNextSessionId{1};
thread_local uint64_t tBoundSession = 0;

int8_t baseCube(Precision p) {
  switch (p) {
    case Precision::kFp32: return cann::kCubeKeepDtype;
    case Precision::kHf32: return cann::kCubeUseHf32;
    case Precision::kFp16: return cann::kCubeUseFp16;
  }
  return cann::kCubeKeepDtype;
}

const char* cubeName(int8_t cube) {
  switch (cube) {
    case 0: return "fp32";
    case 1:
    case 3: return "hf32";
    case 2: return "fp16";
  }
  return "fp32";
}

}  // namespace

namespace acl_process {

void ensureInitialized(const cann::Api& api) {
  std::lock_guard<std::mutex> lock(gProcessMutex);
  if (gInitialized) return;
  if (gFinalized) throw Failure(FailureKind::kUnavailable, "AscendCL was already finalised in this process");
  const cann::AclError status = api.aclInit(nullptr);
  if (status != cann::kSuccess && status != cann::kErrorRepeatInitialize) {
    Failure f = aclFailure(api, status, "aclInit", false);
    throw Failure(FailureKind::kUnavailable, std::string("AscendCL could not start: ") + f.what(), f.api, f.status,
                  f.cannMessage);
  }
  gInitialized = true;
}

void finalizeAtExit() {
  std::lock_guard<std::mutex> lock(gProcessMutex);
  if (!gInitialized) return;
  if (const cann::Api* api = cann::api()) api->aclFinalize();
  gInitialized = false;
  gFinalized = true;
}

}  // namespace acl_process

void invalidateThreadBinding() { tBoundSession = 0; }

Session::Session(const cann::Api& api, const SessionOptions& options)
    : api_(api), options_(options), id_(gNextSessionId++) {
  const int8_t cube = baseCube(options.precision);
  cube_[0] = cube;
  cube_[1] = cube;
}

std::shared_ptr<Session> Session::open(const SessionOptions& options) {
  const cann::Api* api = cann::api();
  if (!api) throw Failure(FailureKind::kUnavailable, cann::loadCann().message);
  const char* opp = std::getenv("ASCEND_OPP_PATH");
  if (!opp || !*opp) {
    throw Failure(FailureKind::kUnavailable,
                  "ASCEND_OPP_PATH is not set, so aclnn operators cannot find their kernels. Run `source "
                  "<CANN install>/set_env.sh` before starting Node.");
  }
  acl_process::ensureInitialized(*api);
  uint32_t count = 0;
  if (cann::AclError st = api->aclrtGetDeviceCount(&count); st != cann::kSuccess) {
    Failure f = aclFailure(*api, st, "aclrtGetDeviceCount", false);
    throw Failure(FailureKind::kUnavailable, std::string("no usable Ascend device: ") + f.what(), f.api, f.status,
                  f.cannMessage);
  }
  if (options.device < 0 || static_cast<uint32_t>(options.device) >= count) {
    throw Failure(FailureKind::kUnavailable, "Ascend device " + std::to_string(options.device) + " does not exist (" +
                                                 std::to_string(count) + " device(s) found)");
  }

  std::shared_ptr<Session> s(new Session(*api, options));
  try {
    tBoundSession = 0;
    if (cann::AclError st = api->aclrtSetDevice(options.device); st != cann::kSuccess) {
      Failure f = aclFailure(*api, st, "aclrtSetDevice", false);
      throw Failure(FailureKind::kUnavailable, std::string("cannot open Ascend device: ") + f.what(), f.api, f.status,
                    f.cannMessage);
    }
    s->deviceSet_ = true;
    checkAcl(*api, api->aclrtCreateContext(&s->context_, options.device), "aclrtCreateContext");
    checkAcl(*api, api->aclrtCreateStream(&s->stream_), "aclrtCreateStream");
    if (options.deterministic) {
      if (!api->aclrtCtxSetSysParamOpt) {
        throw Failure(FailureKind::kUnavailable,
                      "deterministic mode needs aclrtCtxSetSysParamOpt, which this CANN does not export");
      }
      checkAcl(*api, api->aclrtCtxSetSysParamOpt(cann::kOptDeterministic, 1), "aclrtCtxSetSysParamOpt");
    }
    s->pool_ = std::make_shared<DevicePool>(*api, [raw = s.get()] { raw->waitForStreamUnlocked(); });
    tBoundSession = s->id_;
  } catch (...) {
    s->close();
    throw;
  }
  return s;
}

Session::~Session() { close(); }

void Session::bind() {
  if (closed_) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
  if (tBoundSession == id_) return;
  checkAcl(api_, api_.aclrtSetCurrentContext(context_), "aclrtSetCurrentContext");
  tBoundSession = id_;
}

void* Session::workspace(uint64_t bytes) {
  if (bytes == 0) return nullptr;
  if (workspace_ && workspace_->capacity() >= bytes) return workspace_->ptr();
  if (capturing_) {
    throw Failure(FailureKind::kRuntimeFailed, "the aclnn workspace would have to grow during graph capture");
  }
  if (workspace_) deferred_.push_back(workspace_);
  workspace_ = pool_->allocate(bytes);
  return workspace_->ptr();
}

DeviceBuffer Session::workspaceBuffer() { return workspace_; }

void Session::deferRelease(std::shared_ptr<void> object) { deferred_.push_back(std::move(object)); }

void Session::waitForStreamUnlocked() {
  std::shared_lock<std::shared_mutex> gate(captureGate_);
  const cann::AclError st = api_.aclrtSynchronizeStream(stream_);
  if (st != cann::kSuccess) throw aclFailure(api_, st, "aclrtSynchronizeStream", false);
}

void Session::synchronize() {
  std::vector<std::shared_ptr<void>> batch;
  {
    std::lock_guard<std::mutex> lock(launchMutex_);
    batch.swap(deferred_);
  }
  cann::AclError st;
  {
    std::shared_lock<std::shared_mutex> gate(captureGate_);
    st = api_.aclrtSynchronizeStream(stream_);
  }
  if (st != cann::kSuccess) {
    Failure f = aclFailure(api_, st, "aclrtSynchronizeStream", false);
    std::lock_guard<std::mutex> lock(launchMutex_);
    deferred_.insert(deferred_.end(), batch.begin(), batch.end());
    throw Failure(f.kind == FailureKind::kOutOfMemory ? f.kind : FailureKind::kRuntimeFailed,
                  std::string("a queued Ascend kernel failed: ") + f.what(), f.api, f.status, f.cannMessage);
  }
}

int8_t Session::cubeMathType(CubeOp op) const { return cube_[static_cast<int>(op)].load(); }

void Session::noteCubeFallback(CubeOp op, const std::string& reason) {
  cube_[static_cast<int>(op)] = cann::kCubeUseHf32;
  noteWarning(std::string(op == CubeOp::kConvolution ? "aclnnConvolution" : "aclnnAddmm") +
              " rejected cubeMathType 0 (true fp32)" + (reason.empty() ? "" : " (" + reason + ")") +
              "; using HF32 (cubeMathType 3) instead. Expect relative errors around 1e-3.");
}

void Session::noteWarning(const std::string& warning) {
  std::lock_guard<std::mutex> lock(warningsMutex_);
  warnings_.push_back(warning);
}

std::string Session::effectivePrecision() const {
  const int8_t conv = cube_[0].load(), mm = cube_[1].load();
  // Report the least precise of the two.
  auto rank = [](int8_t c) { return c == 2 ? 2 : (c == 1 || c == 3) ? 1 : 0; };
  return cubeName(rank(conv) >= rank(mm) ? conv : mm);
}

std::vector<std::string> Session::takeWarnings() {
  std::lock_guard<std::mutex> lock(warningsMutex_);
  return std::exchange(warnings_, {});
}

void Session::addResource(std::weak_ptr<SessionResource> resource) {
  std::lock_guard<std::mutex> lock(launchMutex_);
  resources_.push_back(std::move(resource));
}

bool Session::close() {
  std::unique_lock<std::shared_mutex> busy(activity_);
  if (closed_.exchange(true)) return true;
  bool ok = true;
  auto note = [&](cann::AclError st) {
    if (st != cann::kSuccess) {
      takeRecentError(api_);
      ok = false;
    }
  };
  if (context_) {
    note(api_.aclrtSetCurrentContext(context_));
    tBoundSession = 0;
  }
  if (stream_) note(api_.aclrtSynchronizeStream(stream_));
  std::vector<std::weak_ptr<SessionResource>> resources;
  {
    std::lock_guard<std::mutex> lock(launchMutex_);
    resources.swap(resources_);
  }
  for (auto& weak : resources)
    if (auto r = weak.lock()) r->releaseDeviceResources();
  workspace_.reset();
  deferred_.clear();
  if (pool_) pool_->releaseAll();
  if (stream_) note(api_.aclrtDestroyStream(stream_));
  if (context_) note(api_.aclrtDestroyContext(context_));
  if (deviceSet_) note(api_.aclrtResetDevice(options_.device));
  stream_ = nullptr;
  context_ = nullptr;
  deviceSet_ = false;
  return ok;
}

}  // namespace wsp
