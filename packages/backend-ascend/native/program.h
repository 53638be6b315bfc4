// The whole network as one native call: a list of layer steps over numbered values, run for any
// (batch, frames) shape. Per shape it plans and keeps its device buffers (values share buffers
// once their last reader has run) and, when asked, captures the launch sequence into an ACL graph
// (aclmdlRI*) on the second run of that shape and replays it afterwards.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "host_buffer.h"
#include "layer_ops.h"
#include "session.h"

namespace wsp {

struct ProgramStep {
  enum class Kind { kConv, kStatsPool, kLinear, kL2Normalize };
  Kind kind = Kind::kConv;
  int input = 0;
  int residual = -1;  // conv only
  int output = 0;
  bool relu = false;  // conv only
  Pooling pooling = Pooling::kPyannote;
  std::shared_ptr<PreparedConv> conv;
  std::shared_ptr<PreparedLinear> linear;
};

struct ProgramOptions {
  bool graphCapture = false;
  size_t maxCachedShapes = 4;
};

struct ProgramShapeInfo {
  int64_t batch, frames;
  bool captured;
  bool captureFailed;
  uint64_t runs;
  uint64_t deviceBytes;
};

class Program : public SessionResource, public std::enable_shared_from_this<Program> {
 public:
  // Value 0 is the input [B, 1, melBins, T]; the last step's output is the result.
  // Throws Failure(kInvalidArgument) for an inconsistent step list.
  static std::shared_ptr<Program> create(std::shared_ptr<Session> session, std::vector<ProgramStep> steps,
                                         int valueCount, int64_t melBins, ProgramOptions options);

  // features: [batch, frames, melBins] row-major. Returns the output [batch, width] row-major.
  // Blocks until the device is done; call it from a worker thread.
  std::vector<float> run(const float* features, int64_t batch, int64_t frames, Dims& outDims);

  std::vector<ProgramShapeInfo> shapes();
  // Releases the shape buffers and graphs; with releaseNow (not from a finalizer) after
  // synchronising the stream, else at the session's next synchronisation.
  void dispose(bool releaseNow = true);
  void releaseDeviceResources() override;

 private:
  struct Instance;
  Program(std::shared_ptr<Session> session, std::vector<ProgramStep> steps, int valueCount, int64_t melBins,
          ProgramOptions options);
  std::vector<Dims> inferDims(int64_t batch, int64_t frames) const;
  std::shared_ptr<Instance> instanceFor(int64_t batch, int64_t frames);  // launch mutex held
  void enqueueSteps(Instance& inst);
  void captureAndReplay(Instance& inst);

  std::shared_ptr<Session> session_;
  std::vector<ProgramStep> steps_;
  int valueCount_;
  int64_t melBins_;
  ProgramOptions options_;
  std::mutex runMutex_;  // one run at a time: a shape's buffers are reused by every run
  std::list<std::shared_ptr<Instance>> instances_;  // most recently used first
  bool disposed_ = false;
};

// A test hook: skip the stream synchronisation before reading results back (proves that the fake
// CANN's deferred execution catches a missing sync).
void setSkipSyncBeforeRead(bool skip);
bool skipSyncBeforeRead();

}  // namespace wsp
