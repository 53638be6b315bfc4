// libascendcl.so of the fake CANN: the "device" (host memory), contexts, streams, copies, graph
// capture, error messages, the fault plan and the counters tests read.
//
// Strict where CANN is strict:
// - work queued on a stream (kernels, async copies) runs only when that stream is synchronised,
//   so reading results without a sync gives stale data (fresh device memory is filled with NaN);
// - calls that need a current context fail without one, and a stream may only be used from a thread
//   whose current context owns it;
// - every allocation, stream and context is counted; misuse is counted as a violation.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "fake_core.h"

namespace {

using namespace fake_status;

struct ContextObj {
  int device = 0;
  bool isDefault = false;
  bool deterministic = false;
};

struct Task {
  std::string name;
  std::function<std::string()> run;  // "" or an error message
  bool isKernel = false;
};

struct StreamObj {
  ContextObj* context = nullptr;
  std::mutex queueMutex;
  std::deque<std::shared_ptr<Task>> queue;
  std::mutex execMutex;  // one drainer at a time, tasks in order
  bool capturing = false;
  int captureMode = 0;
  std::thread::id captureThread;
  std::vector<std::shared_ptr<Task>> captured;
};

struct GraphObj {
  std::vector<std::shared_ptr<Task>> tasks;
};

struct FaultRule {
  std::string site;
  long nth = 0;  // 0 = every call
  int status = 0;
};

struct Counters {
  uint64_t prepares = 0, launches = 0, kernelsRun = 0, syncs = 0, copies = 0, violations = 0;
  uint64_t captures = 0, replays = 0, maxWorkspaceRequested = 0, mallocs = 0;
};

struct State {
  std::mutex m;
  bool initialized = false;
  bool finalized = false;

  // plan
  int deviceCount = 1;
  std::string soc = "Ascend910B3";
  uint64_t memoryTotal = 64ull << 30;
  std::vector<FaultRule> rules;
  std::set<std::string> flags;
  std::map<std::string, long> siteCalls;

  std::map<int, int> deviceRefs;
  std::map<int, ContextObj*> defaultContexts;
  std::unordered_set<ContextObj*> contexts;  // explicit and default
  std::unordered_set<StreamObj*> streams;
  std::unordered_set<GraphObj*> graphs;
  std::map<uintptr_t, uint64_t> device;      // start -> size
  uint64_t deviceBytes = 0;
  std::map<uintptr_t, uint64_t> pinnedHost;  // start -> size
  std::unordered_map<const void*, DescriptorKind> descriptors;
  std::unordered_set<aclOpExecutor*> executors;  // prepared, not yet launched or destroyed

  Counters counters;
  std::string lastViolation;
  std::map<std::string, std::vector<uint64_t>> cubeMathTypes;  // op -> count per value 0..4
};

State& S() {
  static State* s = new State();  // never destroyed: libraries may call in during process exit
  return *s;
}

thread_local ContextObj* tCurrent = nullptr;
thread_local std::string tError;
thread_local std::string tReturned;

void setError(const std::string& message) { tError = message; }

// Counts a rule the caller broke and sets the thread's error message; for callers holding S().m.
int violationLocked(int status, const std::string& message) {
  S().counters.violations++;
  S().lastViolation = message;
  tError = "fake CANN: " + message;
  return status;
}

int violation(int status, const std::string& message) {
  std::lock_guard<std::mutex> lock(S().m);
  return violationLocked(status, message);
}

std::string injectedMessage(const std::string& site, int status) {
  return "fake CANN: injected failure at " + site + " (status " + std::to_string(status) + ")";
}

int faultLocked(State& s, const std::string& site) {
  const long n = ++s.siteCalls[site];
  for (const auto& r : s.rules) {
    if (r.site == site && (r.nth == 0 || r.nth == n)) return r.status;
  }
  return 0;
}

int fault(const std::string& site) {
  std::lock_guard<std::mutex> lock(S().m);
  return faultLocked(S(), site);
}

bool currentContextValid() {
  if (!tCurrent) return false;
  std::lock_guard<std::mutex> lock(S().m);
  return S().contexts.count(tCurrent) > 0;
}

int requireContext(const char* api) {
  if (currentContextValid()) return kOk;
  return violation(kContextNull, std::string(api) + " called on a thread with no current context (bind one with "
                                                    "aclrtSetCurrentContext or aclrtSetDevice first)");
}

// Unsafe calls while a stream captures: forbidden from every thread in GLOBAL mode, from the
// capturing thread in THREAD_LOCAL mode, never in RELAXED mode.
int captureForbids(const char* api) {
  std::lock_guard<std::mutex> lock(S().m);
  for (StreamObj* st : S().streams) {
    if (!st->capturing) continue;
    if (st->captureMode == 0 || (st->captureMode == 1 && st->captureThread == std::this_thread::get_id())) {
      return violationLocked(kStreamCaptured, std::string(api) + " while a stream is being captured");
    }
  }
  return kOk;
}

bool rangeInLocked(const std::map<uintptr_t, uint64_t>& allocs, const void* p, uint64_t bytes) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = allocs.upper_bound(a);
  if (it == allocs.begin()) return false;
  --it;
  return a >= it->first && a + bytes <= it->first + it->second;
}

bool deviceRange(const void* p, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(S().m);
  return rangeInLocked(S().device, p, bytes);
}

bool pinnedRange(const void* p, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(S().m);
  return rangeInLocked(S().pinnedHost, p, bytes);
}

int checkStream(StreamObj* st, const char* api) {
  {
    std::lock_guard<std::mutex> lock(S().m);
    if (!S().streams.count(st)) {
      return violationLocked(kInvalidParam, std::string(api) + ": unknown or destroyed stream");
    }
  }
  if (int e = requireContext(api)) return e;
  if (st->context != tCurrent) {
    return violation(kStreamNotInContext, std::string(api) + ": the stream belongs to another context than the "
                                                             "calling thread's current one");
  }
  return kOk;
}

// Runs everything queued on the stream, in order, on the calling thread.
int drain(StreamObj* st) {
  std::lock_guard<std::mutex> exec(st->execMutex);
  while (true) {
    std::shared_ptr<Task> task;
    {
      std::lock_guard<std::mutex> q(st->queueMutex);
      if (st->queue.empty()) break;
      task = st->queue.front();
      st->queue.pop_front();
    }
    if (task->isKernel) {
      if (int status = fault("kernel:" + task->name)) {
        std::lock_guard<std::mutex> q(st->queueMutex);
        st->queue.clear();
        setError("fake CANN: AI Core exception while running " + task->name + " (injected, status " +
                 std::to_string(status) + ")");
        return status;
      }
    }
    std::string err = task->run();
    if (task->isKernel) {
      std::lock_guard<std::mutex> lock(S().m);
      S().counters.kernelsRun++;
    }
    if (!err.empty()) {
      {
        std::lock_guard<std::mutex> q(st->queueMutex);
        st->queue.clear();
      }
      return violation(kAicoreException, task->name + ": " + err);
    }
  }
  return kOk;
}

void enqueue(StreamObj* st, std::shared_ptr<Task> task) {
  if (st->capturing) {
    st->captured.push_back(std::move(task));
    return;
  }
  std::lock_guard<std::mutex> q(st->queueMutex);
  st->queue.push_back(std::move(task));
}

uint64_t parseSize(const std::string& v) { return std::strtoull(v.c_str(), nullptr, 10); }

// Grammar: items separated by ';'. `key=value` settings (devices, soc, memory), flags
// (cube-fp32-unsupported, no-capture), and faults `site[@n][=status]` where site is one of
// init, device-count, set-device, malloc, malloc-host, prepare:<op>, launch:<op>, kernel:<op>.
bool parsePlan(const std::string& spec, State& s, std::string& error) {
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ';')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "devices") { s.deviceCount = std::atoi(value.c_str()); continue; }
    if (key == "soc") { s.soc = value; continue; }
    if (key == "memory") { s.memoryTotal = parseSize(value); continue; }
    if (key == "cube-fp32-unsupported" || key == "no-capture") { s.flags.insert(key); continue; }
    FaultRule rule;
    const auto at = key.find('@');
    if (at != std::string::npos) {
      const std::string n = key.substr(at + 1);
      rule.nth = n == "*" ? 0 : std::atol(n.c_str());
      key = key.substr(0, at);
    } else {
      rule.nth = 0;
    }
    static const char* bases[] = {"init", "device-count", "set-device", "malloc", "malloc-host"};
    bool known = key.rfind("prepare:", 0) == 0 || key.rfind("launch:", 0) == 0 || key.rfind("kernel:", 0) == 0;
    for (const char* b : bases) known = known || key == b;
    if (!known) {
      error = "unknown fault item '" + item + "'";
      return false;
    }
    rule.site = key;
    rule.status = value.empty() ? (key.rfind("malloc", 0) == 0 ? kMemoryAllocation : kAclnnRuntime) : std::atoi(value.c_str());
    s.rules.push_back(rule);
  }
  return true;
}

void loadPlanFromEnvironment() {
  const char* spec = std::getenv("FAKE_CANN_FAULTS");
  if (!spec) return;
  std::string error;
  if (!parsePlan(spec, S(), error)) std::fprintf(stderr, "fake CANN: FAKE_CANN_FAULTS: %s\n", error.c_str());
}

__attribute__((constructor)) void onLoad() { loadPlanFromEnvironment(); }

void* allocateFilled(uint64_t bytes) {
  void* p = std::aligned_alloc(64, ((bytes + 63) / 64) * 64 + 64);
  if (p) std::memset(p, 0xFF, bytes);  // NaN: reading memory nobody wrote shows up in results
  return p;
}

}  // namespace

// ============================== core services for the other libraries ==========================

FAKE_INTERNAL void fake_violation(const std::string& message) { violation(0, message); }
FAKE_INTERNAL void fake_set_error(const std::string& message) { setError(message); }

FAKE_INTERNAL void fake_track_descriptor(const void* p, DescriptorKind kind, bool alive) {
  std::lock_guard<std::mutex> lock(S().m);
  if (alive) S().descriptors[p] = kind;
  else S().descriptors.erase(p);
}

FAKE_INTERNAL bool fake_descriptor_alive(const void* p) {
  std::lock_guard<std::mutex> lock(S().m);
  return S().descriptors.count(p) > 0;
}

FAKE_INTERNAL void fake_track_executor(aclOpExecutor* e, bool alive) {
  std::lock_guard<std::mutex> lock(S().m);
  if (alive) {
    S().executors.insert(e);
    S().counters.prepares++;
    S().counters.maxWorkspaceRequested = std::max(S().counters.maxWorkspaceRequested, e->workspaceNeeded);
  } else {
    S().executors.erase(e);
  }
}

FAKE_INTERNAL bool fake_device_range_ok(const void* p, uint64_t bytes, std::string* why) {
  if (deviceRange(p, bytes)) return true;
  if (why) {
    std::ostringstream os;
    os << "range [" << p << ", +" << bytes << " bytes) is not inside a live device allocation";
    *why = os.str();
  }
  return false;
}

FAKE_INTERNAL int fake_fault(const std::string& site) { return fault(site); }

FAKE_INTERNAL bool fake_flag(const std::string& name) {
  std::lock_guard<std::mutex> lock(S().m);
  return S().flags.count(name) > 0;
}

FAKE_INTERNAL void fake_note_prepare(const std::string& op, int cubeMathType) {
  std::lock_guard<std::mutex> lock(S().m);
  auto& v = S().cubeMathTypes[op];
  v.resize(5);
  if (cubeMathType >= 0 && cubeMathType < 5) v[cubeMathType]++;
}

FAKE_INTERNAL aclnnStatus fake_launch(aclOpExecutor* e, void* workspace, uint64_t workspaceSize, aclrtStream stream) {
  if (!e) return violation(kAclnnNullptr, "phase 2 called with a null executor");
  {
    std::lock_guard<std::mutex> lock(S().m);
    if (!S().executors.count(e)) {
      return violationLocked(kAclnnParamInvalid, "executor of " + e->op + (e->state == 1 ? " launched twice (executors are single-use)"
                                                                  : " used after aclDestroyAclOpExecutor"));
    }
  }
  auto* st = static_cast<StreamObj*>(stream);
  if (int err = checkStream(st, e->op.c_str())) return err;
  if (int status = fault("launch:" + e->op)) {
    // The executor is consumed even when the launch fails.
    e->state = 1;
    fake_track_executor(e, false);
    setError(injectedMessage("launch:" + e->op, status));
    return status;
  }
  if (workspaceSize < e->workspaceNeeded) {
    return violation(kAclnnParamInvalid, e->op + ": workspace of " + std::to_string(workspaceSize) +
                                             " bytes given, phase 1 asked for " + std::to_string(e->workspaceNeeded));
  }
  if (e->workspaceNeeded > 0 && !deviceRange(workspace, workspaceSize)) {
    return violation(kAclnnParamInvalid, e->op + ": the workspace is not a live device allocation of " +
                                             std::to_string(workspaceSize) + " bytes");
  }
  for (const void* d : e->descriptors) {
    if (d && !fake_descriptor_alive(d)) {
      return violation(kAclnnParamInvalid, e->op + ": a descriptor passed to phase 1 was destroyed before phase 2");
    }
  }
  Kernel kernel = e->build();
  e->state = 1;
  fake_track_executor(e, false);
  {
    std::lock_guard<std::mutex> lock(S().m);
    S().counters.launches++;
  }
  auto task = std::make_shared<Task>();
  task->name = e->op;
  task->isKernel = true;
  const uint64_t need = e->workspaceNeeded;
  task->run = [kernel, workspace, workspaceSize, need]() -> std::string {
    if (need > 0 && !deviceRange(workspace, workspaceSize)) return "its workspace was freed before the kernel ran";
    return kernel(KernelEnv{workspace, workspaceSize});
  };
  enqueue(st, std::move(task));
  return kOk;
}

// ============================== AscendCL entry points ===========================================

FAKE_EXPORT aclError aclInit(const char* /*configPath*/) {
  if (int status = fault("init")) {
    setError("fake CANN: EE9999 aclInit failed (injected, status " + std::to_string(status) + ")");
    return status;
  }
  std::lock_guard<std::mutex> lock(S().m);
  if (S().initialized) return kRepeatInitialize;
  S().initialized = true;
  return kOk;
}

FAKE_EXPORT aclError aclFinalize() {
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().initialized) return kUninitialized;
  S().initialized = false;
  S().finalized = true;
  return kOk;
}

FAKE_EXPORT const char* aclGetRecentErrMsg() {
  tReturned = tError;
  tError.clear();
  return tReturned.empty() ? nullptr : tReturned.c_str();
}

FAKE_EXPORT const char* aclrtGetSocName() {
  static thread_local std::string name;
  std::lock_guard<std::mutex> lock(S().m);
  name = S().soc;
  return name.c_str();
}

FAKE_EXPORT aclError aclrtGetVersion(int32_t* major, int32_t* minor, int32_t* patch) {
  if (!major || !minor || !patch) return kInvalidParam;
  *major = 1;
  *minor = 12;
  *patch = 0;
  return kOk;
}

FAKE_EXPORT aclError aclrtGetDeviceCount(uint32_t* count) {
  if (!count) return kInvalidParam;
  {
    std::lock_guard<std::mutex> lock(S().m);
    if (!S().initialized) {
      tError = "fake CANN: aclrtGetDeviceCount before aclInit";
      return kUninitialized;
    }
  }
  if (int status = fault("device-count")) {
    setError("fake CANN: EL0005 The device driver is not loaded (drvGetDevNum returned 87) (injected)");
    return status;
  }
  std::lock_guard<std::mutex> lock(S().m);
  *count = static_cast<uint32_t>(std::max(0, S().deviceCount));
  return kOk;
}

FAKE_EXPORT aclError aclrtSetDevice(int32_t deviceId) {
  if (int status = fault("set-device")) {
    setError("fake CANN: EL0003 open device " + std::to_string(deviceId) + " failed: device busy or in error "
             "state (injected)");
    return status;
  }
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().initialized) return kUninitialized;
  if (deviceId < 0 || deviceId >= S().deviceCount) {
    tError = "fake CANN: invalid device id " + std::to_string(deviceId);
    return kInvalidDevice;
  }
  if (S().deviceRefs[deviceId]++ == 0) {
    auto* ctx = new ContextObj{deviceId, true, false};
    S().defaultContexts[deviceId] = ctx;
    S().contexts.insert(ctx);
  }
  tCurrent = S().defaultContexts[deviceId];
  return kOk;
}

FAKE_EXPORT aclError aclrtResetDevice(int32_t deviceId) {
  std::lock_guard<std::mutex> lock(S().m);
  auto it = S().deviceRefs.find(deviceId);
  if (it == S().deviceRefs.end() || it->second == 0) {
    return violationLocked(kInvalidDevice, "aclrtResetDevice(" + std::to_string(deviceId) + ") without a matching aclrtSetDevice");
  }
  if (--it->second == 0) {
    ContextObj* def = S().defaultContexts[deviceId];
    for (ContextObj* c : S().contexts) {
      if (c != def && c->device == deviceId) {
        violationLocked(0, "aclrtResetDevice while an explicit context of the device is alive");
      }
    }
    for (StreamObj* st : S().streams) {
      if (st->context == def) {
        violationLocked(0, "aclrtResetDevice while a stream of the default context is alive");
      }
    }
    S().contexts.erase(def);
    S().defaultContexts.erase(deviceId);
    delete def;
  }
  return kOk;
}

FAKE_EXPORT aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
  if (!context) return kInvalidParam;
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().initialized) return kUninitialized;
  if (deviceId < 0 || deviceId >= S().deviceCount) return kInvalidDevice;
  auto* ctx = new ContextObj{deviceId, false, false};
  S().contexts.insert(ctx);
  tCurrent = ctx;
  *context = ctx;
  return kOk;
}

FAKE_EXPORT aclError aclrtDestroyContext(aclrtContext context) {
  auto* ctx = static_cast<ContextObj*>(context);
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().contexts.count(ctx) || ctx->isDefault) {
    return violationLocked(kInvalidParam, "aclrtDestroyContext of an unknown or default context");
  }
  for (StreamObj* st : S().streams) {
    if (st->context == ctx) {
      violationLocked(0, "aclrtDestroyContext while one of its streams is alive");
    }
  }
  S().contexts.erase(ctx);
  if (tCurrent == ctx) tCurrent = nullptr;
  delete ctx;
  return kOk;
}

FAKE_EXPORT aclError aclrtSetCurrentContext(aclrtContext context) {
  auto* ctx = static_cast<ContextObj*>(context);
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().contexts.count(ctx)) {
    return violationLocked(kInvalidParam, "aclrtSetCurrentContext with an unknown or destroyed context");
  }
  tCurrent = ctx;
  return kOk;
}

FAKE_EXPORT aclError aclrtCtxSetSysParamOpt(int32_t opt, int64_t value) {
  if (int e = requireContext("aclrtCtxSetSysParamOpt")) return e;
  if (opt == 0) tCurrent->deterministic = value != 0;
  return kOk;
}

FAKE_EXPORT aclError aclrtCreateStream(aclrtStream* stream) {
  if (!stream) return kInvalidParam;
  if (int e = requireContext("aclrtCreateStream")) return e;
  auto* st = new StreamObj();
  st->context = tCurrent;
  std::lock_guard<std::mutex> lock(S().m);
  S().streams.insert(st);
  *stream = st;
  return kOk;
}

FAKE_EXPORT aclError aclrtDestroyStream(aclrtStream stream) {
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclrtDestroyStream")) return e;
  {
    std::lock_guard<std::mutex> q(st->queueMutex);
    if (!st->queue.empty()) {
      const auto pending = st->queue.size();
      st->queue.clear();
      violation(0, "aclrtDestroyStream with " + std::to_string(pending) + " queued tasks never synchronised");
    }
  }
  std::lock_guard<std::mutex> lock(S().m);
  S().streams.erase(st);
  delete st;
  return kOk;
}

FAKE_EXPORT aclError aclrtSynchronizeStream(aclrtStream stream) {
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclrtSynchronizeStream")) return e;
  if (st->capturing) return violation(kStreamCaptured, "aclrtSynchronizeStream on a stream that is being captured");
  {
    std::lock_guard<std::mutex> lock(S().m);
    S().counters.syncs++;
  }
  return drain(st);
}

FAKE_EXPORT aclError aclrtMalloc(void** devPtr, size_t size, int32_t /*policy*/) {
  if (!devPtr || size == 0) return violation(kInvalidParam, "aclrtMalloc with a null pointer or zero size");
  if (int e = requireContext("aclrtMalloc")) return e;
  if (int e = captureForbids("aclrtMalloc")) return e;
  const uint64_t padded = ((size + 31) / 32) * 32 + 32;  // as CANN: round to 32 B plus 32 B
  {
    std::lock_guard<std::mutex> lock(S().m);
    S().counters.mallocs++;
    if (int status = faultLocked(S(), "malloc")) {
      tError = "fake CANN: EL0004 out of device memory: cannot allocate " + std::to_string(size) +
               " bytes (injected)";
      return status;
    }
    if (S().deviceBytes + padded > S().memoryTotal) {
      tError = "fake CANN: EL0004 out of device memory: " + std::to_string(size) + " bytes requested, " +
               std::to_string(S().memoryTotal - S().deviceBytes) + " free";
      return kMemoryAllocation;
    }
  }
  void* p = allocateFilled(padded);
  if (!p) return kBadAlloc;
  std::lock_guard<std::mutex> lock(S().m);
  S().device[reinterpret_cast<uintptr_t>(p)] = size;
  S().deviceBytes += padded;
  *devPtr = p;
  return kOk;
}

FAKE_EXPORT aclError aclrtFree(void* devPtr) {
  if (int e = requireContext("aclrtFree")) return e;
  if (int e = captureForbids("aclrtFree")) return e;
  uint64_t size = 0;
  {
    std::lock_guard<std::mutex> lock(S().m);
    auto it = S().device.find(reinterpret_cast<uintptr_t>(devPtr));
    if (it == S().device.end()) {
      return violationLocked(kInvalidParam, "aclrtFree of a pointer that is not a live device allocation (double free?)");
    }
    size = it->second;
    S().device.erase(it);
    S().deviceBytes -= ((size + 31) / 32) * 32 + 32;
  }
  std::memset(devPtr, 0xFE, size);
  std::free(devPtr);
  return kOk;
}

FAKE_EXPORT aclError aclrtMallocHost(void** hostPtr, size_t size) {
  if (!hostPtr || size == 0) return violation(kInvalidParam, "aclrtMallocHost with a null pointer or zero size");
  if (int e = captureForbids("aclrtMallocHost")) return e;
  if (int status = fault("malloc-host")) {
    setError("fake CANN: cannot allocate " + std::to_string(size) + " bytes of page-locked host memory (injected)");
    return status;
  }
  void* p = allocateFilled(size);
  if (!p) return kBadAlloc;
  std::lock_guard<std::mutex> lock(S().m);
  S().pinnedHost[reinterpret_cast<uintptr_t>(p)] = size;
  *hostPtr = p;
  return kOk;
}

FAKE_EXPORT aclError aclrtFreeHost(void* hostPtr) {
  if (int e = captureForbids("aclrtFreeHost")) return e;
  {
    std::lock_guard<std::mutex> lock(S().m);
    if (!S().pinnedHost.erase(reinterpret_cast<uintptr_t>(hostPtr))) {
      return violationLocked(kInvalidParam, "aclrtFreeHost of a pointer that aclrtMallocHost did not return");
    }
  }
  std::free(hostPtr);
  return kOk;
}

namespace {

// kind: 0 H2H, 1 H2D, 2 D2H, 3 D2D
int checkCopy(const char* api, void* dst, size_t destMax, const void* src, size_t count, int32_t kind) {
  if (count > destMax) return violation(kInvalidParam, std::string(api) + ": count exceeds destMax");
  if (kind < 0 || kind > 3) return violation(kInvalidParam, std::string(api) + ": unsupported copy kind");
  const bool dstDevice = kind == 1 || kind == 3;
  const bool srcDevice = kind == 2 || kind == 3;
  if (dstDevice && !deviceRange(dst, count)) {
    return violation(kInvalidParam, std::string(api) + ": destination is not inside a live device allocation");
  }
  if (srcDevice && !deviceRange(src, count)) {
    return violation(kInvalidParam, std::string(api) + ": source is not inside a live device allocation");
  }
  if (!dstDevice && deviceRange(dst, 1)) {
    return violation(kInvalidParam, std::string(api) + ": destination is device memory but the kind says host");
  }
  if (!srcDevice && deviceRange(src, 1)) {
    return violation(kInvalidParam, std::string(api) + ": source is device memory but the kind says host");
  }
  return kOk;
}

}  // namespace

// Synchronous: copies now. It does not wait for work queued on streams.
FAKE_EXPORT aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count, int32_t kind) {
  if (int e = requireContext("aclrtMemcpy")) return e;
  if (int e = captureForbids("aclrtMemcpy")) return e;
  if (int e = checkCopy("aclrtMemcpy", dst, destMax, src, count, kind)) return e;
  std::memcpy(dst, src, count);
  std::lock_guard<std::mutex> lock(S().m);
  S().counters.copies++;
  return kOk;
}

// Queued on the stream when the host side is page-locked (aclrtMallocHost); otherwise CANN copies
// synchronously, after the work already queued on the stream.
FAKE_EXPORT aclError aclrtMemcpyAsync(void* dst, size_t destMax, const void* src, size_t count, int32_t kind,
                                      aclrtStream stream) {
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclrtMemcpyAsync")) return e;
  if (int e = checkCopy("aclrtMemcpyAsync", dst, destMax, src, count, kind)) return e;
  if (st->capturing && kind != 3) {
    return violation(kStreamCaptured, "aclrtMemcpyAsync between host and device on a stream being captured");
  }
  const void* host = kind == 1 ? src : kind == 2 ? dst : nullptr;
  if (host && !pinnedRange(host, count)) {
    if (int e = drain(st)) return e;
    std::memcpy(dst, src, count);
    std::lock_guard<std::mutex> lock(S().m);
    S().counters.copies++;
    return kOk;
  }
  auto task = std::make_shared<Task>();
  task->name = "aclrtMemcpyAsync";
  task->run = [dst, src, count, kind, host]() -> std::string {
    if (host && !pinnedRange(host, count)) return "its page-locked host buffer was freed before the copy ran";
    const bool dstDevice = kind == 1 || kind == 3;
    const bool srcDevice = kind == 2 || kind == 3;
    if ((dstDevice && !deviceRange(dst, count)) || (srcDevice && !deviceRange(src, count))) {
      return "its device buffer was freed before the copy ran";
    }
    std::memcpy(dst, src, count);
    std::lock_guard<std::mutex> lock(S().m);
    S().counters.copies++;
    return "";
  };
  enqueue(st, std::move(task));
  return kOk;
}

FAKE_EXPORT aclError aclrtGetMemInfo(int32_t /*attr*/, size_t* freeBytes, size_t* totalBytes) {
  if (!freeBytes || !totalBytes) return kInvalidParam;
  if (int e = requireContext("aclrtGetMemInfo")) return e;
  std::lock_guard<std::mutex> lock(S().m);
  *totalBytes = S().memoryTotal;
  *freeBytes = S().memoryTotal - S().deviceBytes;
  return kOk;
}

// ---- graph capture ------------------------------------------------------------------------------

FAKE_EXPORT aclError aclmdlRICaptureBegin(aclrtStream stream, int32_t mode) {
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclmdlRICaptureBegin")) return e;
  if (fake_flag("no-capture")) {
    setError("fake CANN: graph capture is not supported by this runtime (configured)");
    return kFeatureNotSupported;
  }
  if (st->capturing) return violation(kInvalidParam, "aclmdlRICaptureBegin on a stream already being captured");
  st->capturing = true;
  st->captureMode = mode;
  st->captureThread = std::this_thread::get_id();
  st->captured.clear();
  return kOk;
}

FAKE_EXPORT aclError aclmdlRICaptureEnd(aclrtStream stream, aclmdlRI* modelRI) {
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclmdlRICaptureEnd")) return e;
  if (!modelRI) return kInvalidParam;
  if (!st->capturing) return violation(kInvalidParam, "aclmdlRICaptureEnd on a stream that is not being captured");
  auto* g = new GraphObj();
  g->tasks = std::move(st->captured);
  st->captured.clear();
  st->capturing = false;
  std::lock_guard<std::mutex> lock(S().m);
  S().graphs.insert(g);
  S().counters.captures++;
  *modelRI = g;
  return kOk;
}

FAKE_EXPORT aclError aclmdlRIExecuteAsync(aclmdlRI modelRI, aclrtStream stream) {
  auto* g = static_cast<GraphObj*>(modelRI);
  auto* st = static_cast<StreamObj*>(stream);
  if (int e = checkStream(st, "aclmdlRIExecuteAsync")) return e;
  {
    std::lock_guard<std::mutex> lock(S().m);
    if (!S().graphs.count(g)) {
      return violationLocked(kInvalidParam, "aclmdlRIExecuteAsync of an unknown or destroyed graph");
    }
    S().counters.replays++;
  }
  for (const auto& t : g->tasks) enqueue(st, t);
  return kOk;
}

FAKE_EXPORT aclError aclmdlRIDestroy(aclmdlRI modelRI) {
  auto* g = static_cast<GraphObj*>(modelRI);
  std::lock_guard<std::mutex> lock(S().m);
  if (!S().graphs.erase(g)) {
    violationLocked(0, "aclmdlRIDestroy of an unknown graph");
    return kInvalidParam;
  }
  delete g;
  return kOk;
}

// ---- test-only entry points (not part of CANN) --------------------------------------------------

// Replaces the fault plan (same grammar as FAKE_CANN_FAULTS) and restarts the per-site call counts.
// Returns 0, or -1 with the reason in aclGetRecentErrMsg().
FAKE_EXPORT int fake_cann_inject(const char* spec) {
  State fresh;
  std::string error;
  if (!parsePlan(spec ? spec : "", fresh, error)) {
    tError = "fake CANN: " + error;
    return -1;
  }
  std::lock_guard<std::mutex> lock(S().m);
  S().rules = fresh.rules;
  S().flags = fresh.flags;
  S().deviceCount = fresh.deviceCount;
  S().soc = fresh.soc;
  S().memoryTotal = fresh.memoryTotal;
  S().siteCalls.clear();
  return 0;
}

// A JSON snapshot of the live objects and the counters.
FAKE_EXPORT const char* fake_cann_report() {
  static thread_local std::string out;
  std::ostringstream os;
  std::lock_guard<std::mutex> lock(S().m);
  State& s = S();
  std::map<DescriptorKind, uint64_t> kinds;
  for (const auto& [p, k] : s.descriptors) kinds[k]++;
  uint64_t explicitContexts = 0, deterministic = 0, pending = 0, deviceRefs = 0;
  for (ContextObj* c : s.contexts) {
    if (!c->isDefault) explicitContexts++;
    if (c->deterministic) deterministic++;
  }
  for (StreamObj* st : s.streams) {
    std::lock_guard<std::mutex> q(st->queueMutex);
    pending += st->queue.size();
  }
  for (const auto& [d, n] : s.deviceRefs) deviceRefs += n;
  auto esc = [](const std::string& v) {
    std::string r;
    for (char c : v) {
      if (c == '"' || c == '\\') r += '\\';
      r += (c == '\n' ? ' ' : c);
    }
    return r;
  };
  os << "{\"live\":{"
     << "\"tensors\":" << kinds[DescriptorKind::kTensor] << ",\"intArrays\":" << kinds[DescriptorKind::kIntArray]
     << ",\"scalars\":" << kinds[DescriptorKind::kScalar] << ",\"tensorLists\":" << kinds[DescriptorKind::kTensorList]
     << ",\"executors\":" << s.executors.size() << ",\"deviceAllocations\":" << s.device.size()
     << ",\"deviceBytes\":" << s.deviceBytes << ",\"hostAllocations\":" << s.pinnedHost.size()
     << ",\"streams\":" << s.streams.size() << ",\"contexts\":" << explicitContexts
     << ",\"defaultContexts\":" << s.defaultContexts.size() << ",\"deviceRefs\":" << deviceRefs
     << ",\"graphs\":" << s.graphs.size() << ",\"pendingTasks\":" << pending << "},"
     << "\"counters\":{\"prepares\":" << s.counters.prepares << ",\"launches\":" << s.counters.launches
     << ",\"kernelsRun\":" << s.counters.kernelsRun << ",\"syncs\":" << s.counters.syncs
     << ",\"copies\":" << s.counters.copies << ",\"mallocs\":" << s.counters.mallocs
     << ",\"captures\":" << s.counters.captures << ",\"replays\":" << s.counters.replays
     << ",\"maxWorkspaceRequested\":" << s.counters.maxWorkspaceRequested
     << ",\"violations\":" << s.counters.violations << "},"
     << "\"lastViolation\":\"" << esc(s.lastViolation) << "\","
     << "\"deterministicContexts\":" << deterministic << ",\"initialized\":" << (s.initialized ? "true" : "false")
     << ",\"cubeMathTypes\":{";
  bool first = true;
  for (const auto& [op, v] : s.cubeMathTypes) {
    os << (first ? "" : ",") << "\"" << op << "\":[";
    for (size_t i = 0; i < v.size(); i++) os << (i ? "," : "") << v[i];
    os << "]";
    first = false;
  }
  os << "}}";
  out = os.str();
  return out.c_str();
}
