#include "acl_error.h"

namespace wsp {

const char* failureCode(FailureKind kind) {
  switch (kind) {
    case FailureKind::kUnavailable: return "ASCEND_UNAVAILABLE";
    case FailureKind::kOutOfMemory: return "ASCEND_OUT_OF_MEMORY";
    case FailureKind::kOperatorFailed: return "ASCEND_OPERATOR_FAILED";
    case FailureKind::kRuntimeFailed: return "ASCEND_RUNTIME_FAILED";
    case FailureKind::kInvalidArgument: return "ASCEND_INVALID_ARGUMENT";
    case FailureKind::kDisposed: return "ASCEND_DISPOSED";
  }
  return "ASCEND_RUNTIME_FAILED";
}

Failure::Failure(FailureKind k, std::string message, std::string a, int s, std::string cann)
    : std::runtime_error(std::move(message)), kind(k), api(std::move(a)), status(s), cannMessage(std::move(cann)) {}

std::string takeRecentError(const cann::Api& api) {
  const char* msg = api.aclGetRecentErrMsg ? api.aclGetRecentErrMsg() : nullptr;
  return msg ? std::string(msg) : std::string();
}

namespace {

bool isOutOfMemory(int status) {
  return status == cann::kErrorBadAlloc || status == cann::kErrorRtMemoryAllocation;
}

}  // namespace

Failure aclFailure(const cann::Api& api, int status, const std::string& what, bool isOperator) {
  std::string cann = takeRecentError(api);
  FailureKind kind = isOutOfMemory(status) ? FailureKind::kOutOfMemory
                     : isOperator          ? FailureKind::kOperatorFailed
                                           : FailureKind::kRuntimeFailed;
  std::string message = what + " failed with status " + std::to_string(status);
  if (!cann.empty()) message += ": " + cann;
  return Failure(kind, message, what, status, cann);
}

void checkAcl(const cann::Api& api, cann::AclError status, const char* what) {
  if (status != cann::kSuccess) throw aclFailure(api, status, what, false);
}

void checkAclnn(const cann::Api& api, cann::AclnnStatus status, const char* op, const char* phase) {
  if (status != 0) throw aclFailure(api, status, std::string(op) + " (" + phase + ")", true);
}

}  // namespace wsp
