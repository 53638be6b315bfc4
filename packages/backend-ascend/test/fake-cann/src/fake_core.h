// Internal interface of the fake CANN, shared by its three libraries.
//
// libascendcl.so holds the "device": contexts, streams, device memory, the fault plan and every
// counter. libnnopbase.so (descriptors) and libopapi*.so (operators) link against it and call the
// fake_* functions below. Nothing here is part of the real CANN interface; the addon only sees the
// C entry points with CANN's names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))
#define FAKE_INTERNAL __attribute__((visibility("default")))

using aclError = int;
using aclnnStatus = int32_t;
using aclrtStream = void*;
using aclrtContext = void*;
using aclmdlRI = void*;

// Status codes the fake returns (values as in CANN's headers).
namespace fake_status {
constexpr int kOk = 0;
constexpr int kInvalidParam = 100000;
constexpr int kUninitialized = 100001;
constexpr int kRepeatInitialize = 100002;
constexpr int kBadAlloc = 200000;
constexpr int kInvalidDevice = 200002;
constexpr int kFeatureNotSupported = 207000;
constexpr int kMemoryAllocation = 207001;
constexpr int kContextNull = 107002;
constexpr int kStreamNotInContext = 107003;
constexpr int kStreamCaptured = 107027;
constexpr int kAicoreException = 507011;
constexpr int kAclnnNullptr = 161001;
constexpr int kAclnnParamInvalid = 161002;
constexpr int kAclnnRuntime = 361001;
constexpr int kAclnnOppPathNotFound = 561107;
}  // namespace fake_status

constexpr int32_t kDtFloat = 0;
constexpr int32_t kDtFloat16 = 1;
constexpr int32_t kDtInt32 = 3;
constexpr int32_t kDtInt64 = 9;
constexpr int32_t kDtDouble = 11;
constexpr int32_t kFmtNCHW = 0;
constexpr int32_t kFmtND = 2;

// ---- descriptors (allocated by libnnopbase.so) --------------------------------------------------
struct aclTensor {
  std::vector<int64_t> dims;
  std::vector<int64_t> strides;  // elements
  int64_t offset = 0;            // elements
  int32_t dtype = kDtFloat;
  int32_t format = kFmtND;
  std::vector<int64_t> storageDims;
  void* data = nullptr;
};
struct aclIntArray {
  std::vector<int64_t> values;
};
struct aclScalar {
  double value = 0;
  int32_t dtype = kDtFloat;
};
struct aclTensorList {
  std::vector<aclTensor*> tensors;  // owned
};

enum class DescriptorKind { kTensor, kIntArray, kScalar, kTensorList };

// A kernel as the "device" runs it: validates its memory and computes. Returns "" or an error.
struct KernelEnv {
  void* workspace;
  uint64_t workspaceSize;
};
using Kernel = std::function<std::string(const KernelEnv&)>;

struct aclOpExecutor {
  std::string op;
  uint64_t workspaceNeeded = 0;
  int state = 0;  // 0 prepared, 1 launched, 2 destroyed
  std::vector<const void*> descriptors;  // must still be alive at launch
  std::function<Kernel()> build;         // snapshots descriptor contents into a kernel at launch
};

// ---- core services (implemented in libascendcl.so) ----------------------------------------------
// Records a rule violation by the caller (counted; the test asserts none happened) and sets the
// thread's recent error message.
FAKE_INTERNAL void fake_violation(const std::string& message);
FAKE_INTERNAL void fake_set_error(const std::string& message);

FAKE_INTERNAL void fake_track_descriptor(const void* p, DescriptorKind kind, bool alive);
FAKE_INTERNAL bool fake_descriptor_alive(const void* p);

FAKE_INTERNAL void fake_track_executor(aclOpExecutor* e, bool alive);

// True when [p, p+bytes) lies inside one live device allocation; otherwise explains in `why`.
FAKE_INTERNAL bool fake_device_range_ok(const void* p, uint64_t bytes, std::string* why);

// Fault plan: returns a non-zero status to inject for this event, or 0. `site` is e.g.
// "prepare:aclnnConvolution", "launch:aclnnAddmm", "kernel:aclnnCat".
FAKE_INTERNAL int fake_fault(const std::string& site);
FAKE_INTERNAL bool fake_flag(const std::string& name);

// Operator bookkeeping for the report.
FAKE_INTERNAL void fake_note_prepare(const std::string& op, int cubeMathType);

// Phase 2: checks the executor and workspace, then queues (or captures) the kernel.
FAKE_INTERNAL aclnnStatus fake_launch(aclOpExecutor* e, void* workspace, uint64_t workspaceSize, aclrtStream stream);
