// The aclnn two-phase call: phase 1 (argument checks, tiling, workspace size, a single-use
// executor), workspace from the session's cache, phase 2 (launch on the stream). Called with the
// session's launch mutex held and its context bound.
#pragma once

#include <utility>

#include "acl_error.h"
#include "acl_handles.h"
#include "session.h"

namespace wsp {

// Phase 2 for an executor phase 1 produced. The executor is freed if the workspace cannot be had.
inline void launchPrepared(Session& s, const char* name, cann::FnAclnnLaunch launch, uint64_t workspaceSize,
                           cann::OpExecutor* executor) {
  const cann::Api& api = s.api();
  ExecutorHandle unlaunched(&api, executor);
  void* workspace = s.workspace(workspaceSize);
  // Phase 2 consumes the executor whether or not it succeeds.
  const cann::AclnnStatus status = launch(workspace, workspaceSize, unlaunched.release(), s.stream());
  checkAclnn(api, status, name, "phase 2");
}

// Runs `op` with the phase-1 arguments `args...` (workspace size and executor are appended).
template <typename Op, typename... Args>
void runAclnn(Session& s, const Op& op, Args&&... args) {
  uint64_t workspaceSize = 0;
  cann::OpExecutor* executor = nullptr;
  checkAclnn(s.api(), op.prepare(std::forward<Args>(args)..., &workspaceSize, &executor), op.name, "phase 1");
  launchPrepared(s, op.name, op.launch, workspaceSize, executor);
}

// Same for the cube operators (Convolution, Addmm): `prepare(cubeMathType, &ws, &executor)`. When
// the session asks for true fp32 and phase 1 rejects it as an invalid parameter, retries once with
// HF32 and records a warning; later calls use HF32 directly.
template <typename Op, typename Prepare>
void runCubeAclnn(Session& s, CubeOp kind, const Op& op, Prepare prepare) {
  const cann::Api& api = s.api();
  uint64_t workspaceSize = 0;
  cann::OpExecutor* executor = nullptr;
  const int8_t cube = s.cubeMathType(kind);
  cann::AclnnStatus status = prepare(cube, &workspaceSize, &executor);
  if (status == cann::kAclnnParamInvalid && cube == cann::kCubeKeepDtype) {
    const std::string reason = takeRecentError(api);
    status = prepare(cann::kCubeUseHf32, &workspaceSize, &executor);
    if (status == 0) s.noteCubeFallback(kind, reason);
  }
  checkAclnn(api, status, op.name, "phase 1");
  launchPrepared(s, op.name, op.launch, workspaceSize, executor);
}

}  // namespace wsp
