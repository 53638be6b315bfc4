// Failures of CANN calls as C++ exceptions, converted to typed JavaScript errors at the N-API
// boundary (never an abort). The CANN message is read with aclGetRecentErrMsg() right where the
// call failed: the message is per thread and cleared by reading it.
#pragma once

#include <stdexcept>
#include <string>

#include "cann_api.h"

namespace wsp {

enum class FailureKind {
  kUnavailable,      // CANN or the device cannot be used
  kOutOfMemory,      // device or page-locked host memory exhausted
  kOperatorFailed,   // an aclnn operator rejected its arguments or failed (phase 1 or 2)
  kRuntimeFailed,    // a runtime call or an asynchronous kernel failed
  kInvalidArgument,  // our own argument checks at the boundary
  kDisposed,         // the session or tensor was disposed
};

const char* failureCode(FailureKind kind);

class Failure : public std::runtime_error {
 public:
  Failure(FailureKind kind, std::string message, std::string api = "", int status = 0, std::string cannMessage = "");
  FailureKind kind;
  std::string api;          // the CANN function or aclnn operator that failed
  int status;               // its return code
  std::string cannMessage;  // aclGetRecentErrMsg() text, possibly empty
};

// Reads and clears the calling thread's recent CANN error message.
std::string takeRecentError(const cann::Api& api);

// Throws Failure when `status` is not success; `what` names the call.
void checkAcl(const cann::Api& api, cann::AclError status, const char* what);

// Same for an aclnn phase; `op` is the operator name, `phase` "phase 1" or "phase 2".
void checkAclnn(const cann::Api& api, cann::AclnnStatus status, const char* op, const char* phase);

// Builds the Failure without throwing (for callers that must clean up first).
Failure aclFailure(const cann::Api& api, int status, const std::string& what, bool isOperator);

}  // namespace wsp
