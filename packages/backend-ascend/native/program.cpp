#include "program.h"

#include <algorithm>
#include <atomic>

#include "acl_error.h"

namespace wsp {
namespace {

std::atomic<bool> gSkipSyncBeforeRead{false};

Failure invalid(const std::string& message) { return Failure(FailureKind::kInvalidArgument, message); }

// An ACL graph; destroyed once the stream no longer runs it.
struct CapturedGraph {
  const cann::Api& api;
  cann::ModelRI handle;
  ~CapturedGraph() { api.aclmdlRIDestroy(handle); }
};

}  // namespace

void setSkipSyncBeforeRead(bool skip) { gSkipSyncBeforeRead = skip; }
bool skipSyncBeforeRead() { return gSkipSyncBeforeRead; }

// Buffers and graph of one (batch, frames) shape.
struct Program::Instance {
  int64_t batch = 0, frames = 0;
  std::vector<Dims> dims;              // per value
  std::vector<int> slotOf;             // per value
  std::vector<int> scratchSlotOf;      // per step, -1 = none
  std::vector<DeviceBuffer> slots;
  std::unique_ptr<PinnedHostBuffer> staging;  // the input, transposed to [B, 1, F, T]
  std::shared_ptr<CapturedGraph> graph;
  std::vector<std::shared_ptr<void>> pinned;  // kept alive for the graph (its workspace)
  bool captureFailed = false;
  uint64_t runs = 0;

  void* value(int v) const { return slots[slotOf[v]]->ptr(); }
  void* scratch(size_t step) const { return scratchSlotOf[step] < 0 ? nullptr : slots[scratchSlotOf[step]]->ptr(); }
  uint64_t deviceBytes() const {
    uint64_t n = 0;
    for (const auto& s : slots) n += s->capacity();
    return n;
  }
};

std::shared_ptr<Program> Program::create(std::shared_ptr<Session> session, std::vector<ProgramStep> steps,
                                         int valueCount, int64_t melBins, ProgramOptions options) {
  if (steps.empty()) throw invalid("a program needs at least one step");
  if (valueCount < 2 || melBins < 1) throw invalid("invalid value count or mel bin count");
  std::vector<bool> produced(static_cast<size_t>(valueCount), false);
  produced[0] = true;
  for (size_t i = 0; i < steps.size(); i++) {
    const ProgramStep& s = steps[i];
    auto known = [&](int v) { return v >= 0 && v < valueCount && produced[v]; };
    if (!known(s.input) || (s.residual >= 0 && !known(s.residual))) {
      throw invalid("step " + std::to_string(i) + " reads a value that no earlier step produced");
    }
    if (s.output <= 0 || s.output >= valueCount || produced[s.output]) {
      throw invalid("step " + std::to_string(i) + " writes value " + std::to_string(s.output) +
                    ", which is out of range or already written");
    }
    if (s.output == s.input || s.output == s.residual) throw invalid("a step may not write its own input");
    if (s.kind == ProgramStep::Kind::kConv && !s.conv) throw invalid("conv step without weights");
    if (s.kind == ProgramStep::Kind::kLinear && !s.linear) throw invalid("linear step without weights");
    produced[s.output] = true;
  }
  std::shared_ptr<Program> p(new Program(std::move(session), std::move(steps), valueCount, melBins, options));
  p->session_->addResource(p);
  return p;
}

Program::Program(std::shared_ptr<Session> session, std::vector<ProgramStep> steps, int valueCount, int64_t melBins,
                 ProgramOptions options)
    : session_(std::move(session)),
      steps_(std::move(steps)),
      valueCount_(valueCount),
      melBins_(melBins),
      options_(options) {}

std::vector<Dims> Program::inferDims(int64_t batch, int64_t frames) const {
  std::vector<Dims> dims(static_cast<size_t>(valueCount_));
  dims[0] = {batch, 1, melBins_, frames};
  for (size_t i = 0; i < steps_.size(); i++) {
    const ProgramStep& s = steps_[i];
    const Dims& in = dims[s.input];
    const std::string where = "step " + std::to_string(i) + ": ";
    switch (s.kind) {
      case ProgramStep::Kind::kConv: {
        if (in.size() != 4 || in[1] != s.conv->params.inChannels) {
          throw invalid(where + "convolution expects " + std::to_string(s.conv->params.inChannels) +
                        " input channels");
        }
        dims[s.output] = convOutputDims(in, s.conv->params);
        if (dims[s.output][2] < 1 || dims[s.output][3] < 1) throw invalid(where + "input too small for the convolution");
        if (s.residual >= 0 && dims[s.residual] != dims[s.output]) throw invalid(where + "residual shape differs");
        break;
      }
      case ProgramStep::Kind::kStatsPool:
        if (in.size() != 4) throw invalid(where + "statistics pooling expects [B, C, F, T]");
        dims[s.output] = statsPoolOutputDims(in);
        break;
      case ProgramStep::Kind::kLinear:
        if (in.size() != 2 || in[1] != s.linear->inFeatures) throw invalid(where + "linear input width differs");
        dims[s.output] = {in[0], s.linear->outFeatures};
        break;
      case ProgramStep::Kind::kL2Normalize:
        if (in.size() != 2) throw invalid(where + "L2 normalisation expects [B, N]");
        dims[s.output] = in;
        break;
    }
  }
  return dims;
}

std::shared_ptr<Program::Instance> Program::instanceFor(int64_t batch, int64_t frames) {
  for (auto it = instances_.begin(); it != instances_.end(); ++it) {
    if ((*it)->batch == batch && (*it)->frames == frames) {
      instances_.splice(instances_.begin(), instances_, it);
      return instances_.front();
    }
  }
  auto inst = std::make_shared<Instance>();
  inst->batch = batch;
  inst->frames = frames;
  inst->dims = inferDims(batch, frames);

  // Liveness-based buffer plan: a value's slot is free again after the last step that reads it.
  const int finalValue = steps_.back().output;
  std::vector<int> lastUse(static_cast<size_t>(valueCount_), -1);
  for (size_t i = 0; i < steps_.size(); i++) {
    lastUse[steps_[i].input] = static_cast<int>(i);
    if (steps_[i].residual >= 0) lastUse[steps_[i].residual] = static_cast<int>(i);
  }
  std::vector<uint64_t> slotBytes;
  std::vector<int> freeSlots;
  auto take = [&](uint64_t bytes) {
    auto best = freeSlots.end();
    for (auto it = freeSlots.begin(); it != freeSlots.end(); ++it) {
      if (slotBytes[*it] >= bytes && (best == freeSlots.end() || slotBytes[*it] < slotBytes[*best])) best = it;
    }
    if (best != freeSlots.end()) {
      const int slot = *best;
      freeSlots.erase(best);
      return slot;
    }
    slotBytes.push_back(bytes);
    return static_cast<int>(slotBytes.size() - 1);
  };
  auto bytesOf = [&](int v) { return static_cast<uint64_t>(elementCount(inst->dims[v])) * sizeof(float); };
  inst->slotOf.assign(static_cast<size_t>(valueCount_), -1);
  inst->scratchSlotOf.assign(steps_.size(), -1);
  inst->slotOf[0] = take(bytesOf(0));
  for (size_t i = 0; i < steps_.size(); i++) {
    const ProgramStep& s = steps_[i];
    inst->slotOf[s.output] = take(bytesOf(s.output));
    uint64_t scratch = 0;
    if (s.kind == ProgramStep::Kind::kStatsPool) scratch = statsPoolScratchBytes(inst->dims[s.input]);
    if (s.kind == ProgramStep::Kind::kL2Normalize) scratch = l2ScratchBytes(inst->dims[s.input][0]);
    if (scratch > 0) {
      inst->scratchSlotOf[i] = take(scratch);
      freeSlots.push_back(inst->scratchSlotOf[i]);
    }
    for (int v : {s.input, s.residual}) {
      if (v >= 0 && lastUse[v] == static_cast<int>(i) && v != finalValue) freeSlots.push_back(inst->slotOf[v]);
    }
  }
  for (uint64_t bytes : slotBytes) inst->slots.push_back(session_->pool().allocate(bytes));
  inst->staging = std::make_unique<PinnedHostBuffer>(session_->api(), bytesOf(0));

  instances_.push_front(inst);
  while (instances_.size() > std::max<size_t>(1, options_.maxCachedShapes)) {
    session_->deferRelease(instances_.back());  // queued work may still use its buffers
    instances_.pop_back();
  }
  return inst;
}

void Program::enqueueSteps(Instance& inst) {
  for (size_t i = 0; i < steps_.size(); i++) {
    const ProgramStep& s = steps_[i];
    void* in = inst.value(s.input);
    void* out = inst.value(s.output);
    const Dims& inDims = inst.dims[s.input];
    switch (s.kind) {
      case ProgramStep::Kind::kConv:
        enqueueConv2d(*session_, in, inDims, *s.conv, out, s.residual >= 0 ? inst.value(s.residual) : nullptr, s.relu);
        break;
      case ProgramStep::Kind::kStatsPool:
        enqueueStatsPool(*session_, in, inDims, s.pooling, out, inst.scratch(i));
        break;
      case ProgramStep::Kind::kLinear:
        enqueueLinear(*session_, in, inDims[0], *s.linear, out);
        break;
      case ProgramStep::Kind::kL2Normalize:
        enqueueL2Normalize(*session_, in, inDims[0], inDims[1], out, inst.scratch(i));
        break;
    }
  }
}

void Program::captureAndReplay(Instance& inst) {
  const cann::Api& api = session_->api();
  cann::ModelRI graph = nullptr;
  std::string failure;
  {
    std::unique_lock<std::shared_mutex> gate(session_->captureGate());
    const cann::AclError begin = api.aclmdlRICaptureBegin(session_->stream(), cann::kCaptureModeThreadLocal);
    if (begin != cann::kSuccess) {
      failure = aclFailure(api, begin, "aclmdlRICaptureBegin", false).what();
    } else {
      session_->setCapturing(true);
      try {
        enqueueSteps(inst);
      } catch (const Failure& f) {
        failure = f.what();
      }
      session_->setCapturing(false);
      const cann::AclError end = api.aclmdlRICaptureEnd(session_->stream(), &graph);
      if (end != cann::kSuccess) {
        if (failure.empty()) failure = aclFailure(api, end, "aclmdlRICaptureEnd", false).what();
        graph = nullptr;
      } else if (!failure.empty()) {
        api.aclmdlRIDestroy(graph);
        graph = nullptr;
      }
    }
  }
  if (!graph) {
    // Capture is an optimisation: note why and run this shape eagerly from now on.
    inst.captureFailed = true;
    session_->noteWarning("ACL graph capture failed for batch " + std::to_string(inst.batch) + " x " +
                          std::to_string(inst.frames) + " frames, running operator by operator: " + failure);
    enqueueSteps(inst);
    return;
  }
  inst.graph = std::shared_ptr<CapturedGraph>(new CapturedGraph{api, graph});
  inst.pinned.push_back(session_->workspaceBuffer());
  checkAcl(api, api.aclmdlRIExecuteAsync(graph, session_->stream()), "aclmdlRIExecuteAsync");
}

std::vector<float> Program::run(const float* features, int64_t batch, int64_t frames, Dims& outDims) {
  if (batch < 1 || frames < 1) throw invalid("batch and frames must be positive");
  // Lock order everywhere: session activity, then the program's run mutex, then the launch mutex.
  std::shared_lock<std::shared_mutex> busy(session_->activity());
  std::lock_guard<std::mutex> runLock(runMutex_);
  if (disposed_) throw Failure(FailureKind::kDisposed, "the compiled network was disposed");
  session_->bind();
  const cann::Api& api = session_->api();
  std::shared_ptr<Instance> inst;
  try {
    std::lock_guard<std::mutex> launch(session_->launchMutex());
    inst = instanceFor(batch, frames);
    // [B, T, F] -> [B, 1, F, T] while filling the page-locked staging buffer.
    float* staged = inst->staging->data();
    for (int64_t b = 0; b < batch; b++)
      for (int64_t t = 0; t < frames; t++)
        for (int64_t f = 0; f < melBins_; f++)
          staged[(b * melBins_ + f) * frames + t] = features[(b * frames + t) * melBins_ + f];
    checkAcl(api,
             api.aclrtMemcpyAsync(inst->value(0), inst->staging->bytes(), staged, inst->staging->bytes(),
                                  cann::kMemcpyHostToDevice, session_->stream()),
             "aclrtMemcpyAsync");
    const bool capture = options_.graphCapture && api.hasGraphCapture();
    if (capture && inst->graph) {
      checkAcl(api, api.aclmdlRIExecuteAsync(inst->graph->handle, session_->stream()), "aclmdlRIExecuteAsync");
    } else if (capture && inst->runs > 0 && !inst->captureFailed) {
      captureAndReplay(*inst);  // the eager first run has grown the workspace to its final size
    } else {
      enqueueSteps(*inst);
    }
    inst->runs++;
  } catch (...) {
    try {
      session_->synchronize();  // let queued work finish before its buffers can be reused
    } catch (...) {
    }
    throw;
  }
  if (!skipSyncBeforeRead()) session_->synchronize();
  const int finalValue = steps_.back().output;
  outDims = inst->dims[finalValue];
  std::vector<float> result(static_cast<size_t>(elementCount(outDims)));
  const size_t bytes = result.size() * sizeof(float);
  checkAcl(api, api.aclrtMemcpy(result.data(), bytes, inst->value(finalValue), bytes, cann::kMemcpyDeviceToHost),
           "aclrtMemcpy");
  return result;
}

std::vector<ProgramShapeInfo> Program::shapes() {
  std::lock_guard<std::mutex> runLock(runMutex_);
  std::vector<ProgramShapeInfo> out;
  for (const auto& i : instances_) {
    out.push_back({i->batch, i->frames, i->graph != nullptr, i->captureFailed, i->runs, i->deviceBytes()});
  }
  return out;
}

void Program::dispose(bool releaseNow) {
  std::shared_lock<std::shared_mutex> busy(session_->activity());
  std::lock_guard<std::mutex> runLock(runMutex_);
  if (disposed_) return;
  disposed_ = true;
  if (session_->closed()) return;
  {
    std::lock_guard<std::mutex> launch(session_->launchMutex());
    for (auto& inst : instances_) session_->deferRelease(inst);
    instances_.clear();
    steps_.clear();  // drops the program's references to its weights
  }
  if (!releaseNow) return;
  // Free the buffers and graphs now rather than at some later synchronisation. The stream is
  // normally idle here (every run ends with a sync), so this does not wait.
  try {
    session_->bind();
    session_->synchronize();
  } catch (const Failure&) {
    // An earlier asynchronous failure: the buffers stay deferred until the next good sync or close.
  }
}

void Program::releaseDeviceResources() {
  // Called by Session::close() with the stream idle and the context bound.
  std::lock_guard<std::mutex> runLock(runMutex_);
  disposed_ = true;
  instances_.clear();
  steps_.clear();
}

}  // namespace wsp
