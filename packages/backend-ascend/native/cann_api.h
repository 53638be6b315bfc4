// The slice of the CANN C interface this addon calls, declared here so the addon builds without the
// CANN SDK. Everything is resolved at run time with dlsym (see cann_loader.h).
//
// Types, values and signatures follow CANN 8.x (AscendCL runtime, nnopbase descriptors, aclnn
// operators); /work/shared/docs/ascend-cann.md lists the sources for every entry (8.1.RC1 headers,
// cross-checked against the 2026 ops-nn / ops-math documentation).
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsp::cann {

// ---- scalar types and opaque handles -------------------------------------------------------------
using AclError = int;          // runtime status, 0 = success
using AclnnStatus = int32_t;   // operator status, 0 = success
using Stream = void*;          // aclrtStream
using Context = void*;         // aclrtContext
using ModelRI = void*;         // aclmdlRI (a captured graph)

struct Tensor;       // aclTensor
struct IntArray;     // aclIntArray
struct Scalar;       // aclScalar
struct TensorList;   // aclTensorList
struct OpExecutor;   // aclOpExecutor

// ---- enum values we pass -------------------------------------------------------------------------
constexpr AclError kSuccess = 0;
constexpr AclError kErrorRepeatInitialize = 100002;
constexpr AclError kErrorBadAlloc = 200000;
constexpr AclError kErrorRtMemoryAllocation = 207001;
constexpr AclError kErrorStreamCaptured = 107027;

constexpr int32_t kFloat32 = 0;   // ACL_FLOAT
constexpr int32_t kInt64 = 9;     // ACL_INT64
constexpr int32_t kFormatNCHW = 0;
constexpr int32_t kFormatND = 2;

constexpr int32_t kMallocHugeFirst = 0;  // aclrtMemMallocPolicy
constexpr int32_t kMemcpyHostToDevice = 1;
constexpr int32_t kMemcpyDeviceToHost = 2;
constexpr int32_t kHbmMemory = 1;        // aclrtMemAttr ACL_HBM_MEM
constexpr int32_t kOptDeterministic = 0; // aclSysParamOpt
constexpr int32_t kCaptureModeThreadLocal = 1;  // aclmdlRICaptureMode

// cubeMathType of Convolution / Addmm: how the cube unit treats fp32 operands.
constexpr int8_t kCubeKeepDtype = 0;  // true fp32
constexpr int8_t kCubeUseFp16 = 2;
constexpr int8_t kCubeUseHf32 = 3;

// aclnn status families (first three digits): 161xxx = bad argument, 361xxx = runtime,
// 561xxx = internal (kernel or OPP package problems).
constexpr AclnnStatus kAclnnParamInvalid = 161002;

// ---- function pointer types ----------------------------------------------------------------------
using FnAclInit = AclError (*)(const char* configPath);
using FnAclFinalize = AclError (*)();
using FnGetRecentErrMsg = const char* (*)();
using FnGetSocName = const char* (*)();
using FnGetDeviceCount = AclError (*)(uint32_t* count);
using FnSetDevice = AclError (*)(int32_t deviceId);
using FnResetDevice = AclError (*)(int32_t deviceId);
using FnCreateContext = AclError (*)(Context* context, int32_t deviceId);
using FnDestroyContext = AclError (*)(Context context);
using FnSetCurrentContext = AclError (*)(Context context);
using FnCreateStream = AclError (*)(Stream* stream);
using FnDestroyStream = AclError (*)(Stream stream);
using FnSynchronizeStream = AclError (*)(Stream stream);
using FnMalloc = AclError (*)(void** devPtr, size_t size, int32_t policy);
using FnFree = AclError (*)(void* devPtr);
using FnMallocHost = AclError (*)(void** hostPtr, size_t size);
using FnFreeHost = AclError (*)(void* hostPtr);
using FnMemcpy = AclError (*)(void* dst, size_t destMax, const void* src, size_t count, int32_t kind);
using FnMemcpyAsync = AclError (*)(void* dst, size_t destMax, const void* src, size_t count, int32_t kind,
                                   Stream stream);
using FnGetMemInfo = AclError (*)(int32_t attr, size_t* free, size_t* total);
using FnCtxSetSysParamOpt = AclError (*)(int32_t opt, int64_t value);
using FnGetVersion = AclError (*)(int32_t* major, int32_t* minor, int32_t* patch);
using FnCaptureBegin = AclError (*)(Stream stream, int32_t mode);
using FnCaptureEnd = AclError (*)(Stream stream, ModelRI* modelRI);
using FnRIExecuteAsync = AclError (*)(ModelRI modelRI, Stream stream);
using FnRIDestroy = AclError (*)(ModelRI modelRI);

using FnCreateTensor = Tensor* (*)(const int64_t* viewDims, uint64_t viewDimsNum, int32_t dataType,
                                   const int64_t* stride, int64_t offset, int32_t format,
                                   const int64_t* storageDims, uint64_t storageDimsNum, void* tensorData);
using FnDestroyTensor = AclnnStatus (*)(const Tensor* tensor);
using FnCreateIntArray = IntArray* (*)(const int64_t* value, uint64_t size);
using FnDestroyIntArray = AclnnStatus (*)(const IntArray* array);
using FnCreateScalar = Scalar* (*)(void* value, int32_t dataType);
using FnDestroyScalar = AclnnStatus (*)(const Scalar* scalar);
using FnCreateTensorList = TensorList* (*)(const Tensor* const* value, uint64_t size);
using FnDestroyTensorList = AclnnStatus (*)(const TensorList* list);
using FnDestroyExecutor = AclnnStatus (*)(OpExecutor* executor);

// Phase 2 of every aclnn operator has the same shape.
using FnAclnnLaunch = AclnnStatus (*)(void* workspace, uint64_t workspaceSize, OpExecutor* executor, Stream stream);

// Phase 1 of the operators we use (each returns the workspace size and a single-use executor).
using FnConvolutionPrepare = AclnnStatus (*)(const Tensor* input, const Tensor* weight, const Tensor* bias,
                                             const IntArray* stride, const IntArray* padding,
                                             const IntArray* dilation, bool transposed,
                                             const IntArray* outputPadding, int64_t groups, Tensor* output,
                                             int8_t cubeMathType, uint64_t* workspaceSize, OpExecutor** executor);
using FnInplaceAddPrepare = AclnnStatus (*)(const Tensor* selfRef, const Tensor* other, const Scalar* alpha,
                                            uint64_t* workspaceSize, OpExecutor** executor);
using FnInplaceAddsPrepare = AclnnStatus (*)(const Tensor* selfRef, const Scalar* other, const Scalar* alpha,
                                             uint64_t* workspaceSize, OpExecutor** executor);
using FnInplaceUnaryPrepare = AclnnStatus (*)(Tensor* selfRef, uint64_t* workspaceSize, OpExecutor** executor);
using FnVarMeanPrepare = AclnnStatus (*)(const Tensor* self, const IntArray* dim, int64_t correction, bool keepdim,
                                         Tensor* varOut, Tensor* meanOut, uint64_t* workspaceSize,
                                         OpExecutor** executor);
using FnCatPrepare = AclnnStatus (*)(const TensorList* tensors, int64_t dim, Tensor* out, uint64_t* workspaceSize,
                                     OpExecutor** executor);
using FnAddmmPrepare = AclnnStatus (*)(const Tensor* self, const Tensor* mat1, const Tensor* mat2,
                                       const Scalar* beta, const Scalar* alpha, Tensor* out, int8_t cubeMathType,
                                       uint64_t* workspaceSize, OpExecutor** executor);
using FnVectorNormPrepare = AclnnStatus (*)(const Tensor* self, const Scalar* ord, const IntArray* dims,
                                            bool keepDims, int32_t dtype, Tensor* out, uint64_t* workspaceSize,
                                            OpExecutor** executor);
using FnClampMinPrepare = AclnnStatus (*)(const Tensor* self, const Scalar* clipValueMin, Tensor* out,
                                          uint64_t* workspaceSize, OpExecutor** executor);
using FnDivPrepare = AclnnStatus (*)(const Tensor* self, const Tensor* other, Tensor* out, uint64_t* workspaceSize,
                                     OpExecutor** executor);

// One operator = its two entry points, looked up as a pair.
template <typename Prepare>
struct AclnnOp {
  const char* name = nullptr;  // e.g. "aclnnConvolution"
  Prepare prepare = nullptr;   // <name>GetWorkspaceSize
  FnAclnnLaunch launch = nullptr;
};

// The function table filled by the loader. Optional entries may stay null; everything else is
// required and checked before the table is handed out.
struct Api {
  // libascendcl.so
  FnAclInit aclInit = nullptr;
  FnAclFinalize aclFinalize = nullptr;
  FnGetRecentErrMsg aclGetRecentErrMsg = nullptr;
  FnGetSocName aclrtGetSocName = nullptr;
  FnGetDeviceCount aclrtGetDeviceCount = nullptr;
  FnSetDevice aclrtSetDevice = nullptr;
  FnResetDevice aclrtResetDevice = nullptr;
  FnCreateContext aclrtCreateContext = nullptr;
  FnDestroyContext aclrtDestroyContext = nullptr;
  FnSetCurrentContext aclrtSetCurrentContext = nullptr;
  FnCreateStream aclrtCreateStream = nullptr;
  FnDestroyStream aclrtDestroyStream = nullptr;
  FnSynchronizeStream aclrtSynchronizeStream = nullptr;
  FnMalloc aclrtMalloc = nullptr;
  FnFree aclrtFree = nullptr;
  FnMallocHost aclrtMallocHost = nullptr;
  FnFreeHost aclrtFreeHost = nullptr;
  FnMemcpy aclrtMemcpy = nullptr;
  FnMemcpyAsync aclrtMemcpyAsync = nullptr;
  FnGetMemInfo aclrtGetMemInfo = nullptr;
  FnCtxSetSysParamOpt aclrtCtxSetSysParamOpt = nullptr;  // optional: deterministic mode
  FnGetVersion aclrtGetVersion = nullptr;                // optional: ACL interface version
  FnCaptureBegin aclmdlRICaptureBegin = nullptr;         // optional: graph capture
  FnCaptureEnd aclmdlRICaptureEnd = nullptr;
  FnRIExecuteAsync aclmdlRIExecuteAsync = nullptr;
  FnRIDestroy aclmdlRIDestroy = nullptr;

  // libnnopbase.so
  FnCreateTensor aclCreateTensor = nullptr;
  FnDestroyTensor aclDestroyTensor = nullptr;
  FnCreateIntArray aclCreateIntArray = nullptr;
  FnDestroyIntArray aclDestroyIntArray = nullptr;
  FnCreateScalar aclCreateScalar = nullptr;
  FnDestroyScalar aclDestroyScalar = nullptr;
  FnCreateTensorList aclCreateTensorList = nullptr;
  FnDestroyTensorList aclDestroyTensorList = nullptr;
  FnDestroyExecutor aclDestroyAclOpExecutor = nullptr;  // optional: frees an executor that never launched

  // libopapi.so (or libopapi_nn.so / libopapi_math.so)
  AclnnOp<FnConvolutionPrepare> convolution;
  AclnnOp<FnInplaceAddPrepare> inplaceAdd;
  AclnnOp<FnInplaceAddsPrepare> inplaceAdds;
  AclnnOp<FnInplaceUnaryPrepare> inplaceRelu;
  AclnnOp<FnInplaceUnaryPrepare> inplaceSqrt;
  AclnnOp<FnVarMeanPrepare> varMean;
  AclnnOp<FnCatPrepare> cat;
  AclnnOp<FnAddmmPrepare> addmm;
  AclnnOp<FnVectorNormPrepare> linalgVectorNorm;
  AclnnOp<FnClampMinPrepare> clampMin;
  AclnnOp<FnDivPrepare> div;

  bool hasGraphCapture() const {
    return aclmdlRICaptureBegin && aclmdlRICaptureEnd && aclmdlRIExecuteAsync && aclmdlRIDestroy;
  }
};

}  // namespace wsp::cann
