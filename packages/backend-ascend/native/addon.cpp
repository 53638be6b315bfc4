// N-API surface of the Ascend backend. Loading this addon never touches CANN: the libraries are
// opened on the first probe() / Session. Everything per environment (classes, open sessions) lives
// in instance data, so the addon works in several worker_threads at once; open sessions are closed
// when their environment is torn down.
#include <napi.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

#include "acl_error.h"
#include "cann_loader.h"
#include "host_buffer.h"
#include "layer_ops.h"
#include "program.h"
#include "session.h"

namespace wsp::addon {
namespace {

// ---- environment state ----------------------------------------------------------------------------

struct EnvState {
  std::mutex mutex;
  std::vector<std::weak_ptr<Session>> sessions;
  bool isMainThread = false;
  Napi::FunctionReference tensorClass, convClass, linearClass, programClass;
};

EnvState& envState(Napi::Env env) { return *env.GetInstanceData<EnvState>(); }

void finalizeEnvState(Napi::Env, EnvState* state) {
  std::vector<std::weak_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    sessions.swap(state->sessions);
  }
  for (auto& weak : sessions)
    if (auto s = weak.lock()) s->close();
  if (state->isMainThread) acl_process::finalizeAtExit();
  delete state;
}

// Live object counts of one session, for memory() and leak checks.
struct LiveCounts {
  std::atomic<int64_t> tensors{0};
  std::atomic<int64_t> weights{0};
};

// ---- errors ---------------------------------------------------------------------------------------

Napi::Error toJsError(Napi::Env env, const Failure& f) {
  Napi::Error e = Napi::Error::New(env, f.what());
  e.Set("code", Napi::String::New(env, failureCode(f.kind)));
  e.Set("api", Napi::String::New(env, f.api));
  e.Set("status", Napi::Number::New(env, f.status));
  e.Set("cannMessage", Napi::String::New(env, f.cannMessage));
  return e;
}

Failure badArgument(const std::string& message) { return Failure(FailureKind::kInvalidArgument, message); }

// Runs `body`, turning C++ failures into JavaScript exceptions with a code.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  try {
    return body();
  } catch (const Failure& f) {
    throw toJsError(info.Env(), f);
  } catch (const std::bad_alloc&) {
    throw toJsError(info.Env(), Failure(FailureKind::kOutOfMemory, "host memory exhausted"));
  }
}

// ---- argument helpers -----------------------------------------------------------------------------

Napi::Float32Array floatArrayArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw badArgument(std::string(name) + " must be a Float32Array");
  }
  return info[i].As<Napi::Float32Array>();
}

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max) {
  if (info.Length() <= i || !info[i].IsNumber()) throw badArgument(std::string(name) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (v != static_cast<double>(static_cast<int64_t>(v)) || v < static_cast<double>(min) || v > static_cast<double>(max)) {
    throw badArgument(std::string(name) + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

Dims dimsArg(const Napi::Value& value, const char* name) {
  if (!value.IsArray()) throw badArgument(std::string(name) + " must be an array of dimensions");
  auto arr = value.As<Napi::Array>();
  if (arr.Length() == 0 || arr.Length() > 8) throw badArgument(std::string(name) + " must have 1 to 8 dimensions");
  Dims dims;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value d = arr.Get(k);
    const double v = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
    if (v < 1 || v > (1 << 30) || v != static_cast<double>(static_cast<int64_t>(v))) {
      throw badArgument(std::string(name) + " must hold positive integers");
    }
    dims.push_back(static_cast<int64_t>(v));
  }
  return dims;
}

Napi::Array dimsValue(Napi::Env env, const Dims& dims) {
  Napi::Array a = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(dims[i])));
  return a;
}

Napi::Float32Array floatArrayValue(Napi::Env env, const std::vector<float>& values) {
  Napi::Float32Array out = Napi::Float32Array::New(env, values.size());
  if (!values.empty()) std::memcpy(out.Data(), values.data(), values.size() * sizeof(float));
  return out;
}

// Copies host floats to a new device block through page-locked staging (launch mutex held,
// context bound). The staging buffer lives until the stream has run the copy.
DeviceBuffer uploadFloats(Session& s, const float* data, size_t count) {
  DeviceBuffer block = s.pool().allocate(count * sizeof(float));
  auto staging = std::make_shared<PinnedHostBuffer>(s.api(), count * sizeof(float));
  std::memcpy(staging->data(), data, count * sizeof(float));
  checkAcl(s.api(),
           s.api().aclrtMemcpyAsync(block->ptr(), block->bytes(), staging->data(), staging->bytes(),
                                    cann::kMemcpyHostToDevice, s.stream()),
           "aclrtMemcpyAsync");
  s.deferRelease(staging);
  return block;
}

// ---- a Promise-returning worker -------------------------------------------------------------------

class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  virtual void work() = 0;
  virtual Napi::Value result(Napi::Env env) = 0;

 private:
  void Execute() final {
    try {
      work();
    } catch (const Failure& f) {
      failure_.emplace(f);
      SetError(f.what());
    } catch (const std::exception& e) {
      failure_.emplace(Failure(FailureKind::kRuntimeFailed, e.what()));
      SetError(e.what());
    }
  }
  // Both may run while a worker_threads environment is being terminated, when no JavaScript can
  // run any more and every N-API call fails: there is nobody left to tell, so drop the result.
  void OnOK() final {
    try {
      deferred_.Resolve(result(Env()));
    } catch (const Napi::Error&) {
    }
  }
  void OnError(const Napi::Error&) final {
    try {
      deferred_.Reject(toJsError(Env(), *failure_).Value());
    } catch (const Napi::Error&) {
    }
  }

  Napi::Promise::Deferred deferred_;
  std::optional<Failure> failure_;
};

// ---- wrapped objects ------------------------------------------------------------------------------

// Constructed only from C++ (the constructor is not exported).
class NativeTensor : public Napi::ObjectWrap<NativeTensor> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeTensor",
                       {InstanceAccessor<&NativeTensor::getDims>("dims"),
                        InstanceAccessor<&NativeTensor::getDisposed>("disposed"),
                        InstanceMethod<&NativeTensor::dispose>("dispose")});
  }
  explicit NativeTensor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTensor>(info) {}
  ~NativeTensor() override { release(); }

  void init(std::shared_ptr<Session> session, std::shared_ptr<LiveCounts> counts, DeviceBuffer buffer, Dims dims) {
    session_ = std::move(session);
    counts_ = std::move(counts);
    buffer_ = std::move(buffer);
    dims_ = std::move(dims);
    counts_->tensors++;
  }
  // The buffer of a live tensor of `session`, or a failure.
  const DeviceBuffer& use(const Session* session, const char* what) const {
    if (!buffer_) throw Failure(FailureKind::kDisposed, std::string(what) + " was disposed");
    if (session_.get() != session) throw badArgument(std::string(what) + " belongs to another Ascend backend");
    return buffer_;
  }
  const Dims& dims() const { return dims_; }

 private:
  Napi::Value getDims(const Napi::CallbackInfo& info) { return dimsValue(info.Env(), dims_); }
  Napi::Value getDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !buffer_); }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    release();
    return info.Env().Undefined();
  }
  void release() {
    if (!buffer_) return;
    buffer_.reset();  // back to the pool; later work on the stream may reuse it
    counts_->tensors--;
  }

  std::shared_ptr<Session> session_;
  std::shared_ptr<LiveCounts> counts_;
  DeviceBuffer buffer_;
  Dims dims_;
};

// Prepared weights (convolution or linear), device-resident until disposed.
template <typename Prepared>
class NativeWeights : public Napi::ObjectWrap<NativeWeights<Prepared>> {
 public:
  static Napi::Function define(Napi::Env env, const char* name) {
    return NativeWeights::DefineClass(env, name, {NativeWeights::template InstanceMethod<&NativeWeights::dispose>("dispose")});
  }
  explicit NativeWeights(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeWeights<Prepared>>(info) {}
  ~NativeWeights() override { release(); }

  void init(std::shared_ptr<Session> session, std::shared_ptr<LiveCounts> counts, std::shared_ptr<Prepared> p) {
    session_ = std::move(session);
    counts_ = std::move(counts);
    prepared_ = std::move(p);
    counts_->weights++;
  }
  const std::shared_ptr<Prepared>& use(const Session* session) const {
    if (!prepared_) throw Failure(FailureKind::kDisposed, "the prepared weights were disposed");
    if (session_.get() != session) throw badArgument("the prepared weights belong to another Ascend backend");
    return prepared_;
  }

 private:
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    release();
    return info.Env().Undefined();
  }
  void release() {
    if (!prepared_) return;
    prepared_.reset();  // a compiled network may still hold them; its buffers go when it does
    counts_->weights--;
  }

  std::shared_ptr<Session> session_;
  std::shared_ptr<LiveCounts> counts_;
  std::shared_ptr<Prepared> prepared_;
};

using NativeConv = NativeWeights<PreparedConv>;
using NativeLinear = NativeWeights<PreparedLinear>;

template <typename T>
T* unwrapArg(const Napi::CallbackInfo& info, size_t i, Napi::FunctionReference& cls, const char* name) {
  if (info.Length() <= i || !info[i].IsObject() || !info[i].As<Napi::Object>().InstanceOf(cls.Value())) {
    throw badArgument(std::string(name) + " is not an object of this Ascend backend");
  }
  return T::Unwrap(info[i].As<Napi::Object>());
}

class NativeProgram : public Napi::ObjectWrap<NativeProgram> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeProgram",
                       {InstanceMethod<&NativeProgram::run>("run"), InstanceMethod<&NativeProgram::shapes>("shapes"),
                        InstanceMethod<&NativeProgram::dispose>("dispose")});
  }
  explicit NativeProgram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeProgram>(info) {}
  ~NativeProgram() override {
    if (program_) program_->dispose(false);
  }
  void init(std::shared_ptr<Program> p, int64_t melBins) {
    program_ = std::move(p);
    melBins_ = melBins;
  }

 private:
  class RunWorker : public PromiseWorker {
   public:
    RunWorker(Napi::Env env, std::shared_ptr<Program> p, std::vector<float> features, int64_t batch, int64_t frames)
        : PromiseWorker(env), program_(std::move(p)), features_(std::move(features)), batch_(batch), frames_(frames) {}
    void work() override { output_ = program_->run(features_.data(), batch_, frames_, dims_); }
    Napi::Value result(Napi::Env env) override {
      Napi::Object r = Napi::Object::New(env);
      r.Set("data", floatArrayValue(env, output_));
      r.Set("dims", dimsValue(env, dims_));
      return r;
    }

   private:
    std::shared_ptr<Program> program_;
    std::vector<float> features_;
    int64_t batch_, frames_;
    std::vector<float> output_;
    Dims dims_;
  };

  Napi::Value run(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (!program_) throw Failure(FailureKind::kDisposed, "the compiled network was disposed");
      Napi::Float32Array features = floatArrayArg(info, 0, "features");
      const int64_t batch = intArg(info, 1, "batch", 1, 1 << 16);
      const int64_t frames = intArg(info, 2, "frames", 1, 1 << 24);
      if (static_cast<int64_t>(features.ElementLength()) != batch * frames * melBins_) {
        throw badArgument("features hold " + std::to_string(features.ElementLength()) + " values, expected batch x frames x " +
                          std::to_string(melBins_) + " = " + std::to_string(batch * frames * melBins_));
      }
      std::vector<float> copy(features.Data(), features.Data() + features.ElementLength());
      auto* worker = new RunWorker(info.Env(), program_, std::move(copy), batch, frames);
      Napi::Promise promise = worker->promise();
      worker->Queue();
      return promise;
    });
  }
  Napi::Value shapes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    if (!program_) return out;
    uint32_t k = 0;
    for (const auto& s : program_->shapes()) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("batch", Napi::Number::New(env, static_cast<double>(s.batch)));
      o.Set("frames", Napi::Number::New(env, static_cast<double>(s.frames)));
      o.Set("captured", Napi::Boolean::New(env, s.captured));
      o.Set("captureFailed", Napi::Boolean::New(env, s.captureFailed));
      o.Set("runs", Napi::Number::New(env, static_cast<double>(s.runs)));
      o.Set("deviceBytes", Napi::Number::New(env, static_cast<double>(s.deviceBytes)));
      out.Set(k++, o);
    }
    return out;
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    if (program_) program_->dispose();
    program_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<Program> program_;
  int64_t melBins_ = 0;
};

// ---- the session ----------------------------------------------------------------------------------

Precision precisionArg(const Napi::Value& v) {
  const std::string p = v.IsString() ? v.As<Napi::String>().Utf8Value() : "fp32";
  if (p == "fp32") return Precision::kFp32;
  if (p == "hf32") return Precision::kHf32;
  if (p == "fp16") return Precision::kFp16;
  throw badArgument("precision must be 'fp32', 'hf32' or 'fp16', not '" + p + "'");
}

class NativeSession : public Napi::ObjectWrap<NativeSession> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeSession",
                       {InstanceMethod<&NativeSession::upload>("upload"),
                        InstanceMethod<&NativeSession::download>("download"),
                        InstanceMethod<&NativeSession::prepareConv>("prepareConv"),
                        InstanceMethod<&NativeSession::prepareLinear>("prepareLinear"),
                        InstanceMethod<&NativeSession::conv2d>("conv2d"),
                        InstanceMethod<&NativeSession::statsPool>("statsPool"),
                        InstanceMethod<&NativeSession::linear>("linear"),
                        InstanceMethod<&NativeSession::l2Normalize>("l2Normalize"),
                        InstanceMethod<&NativeSession::createProgram>("createProgram"),
                        InstanceMethod<&NativeSession::synchronize>("synchronize"),
                        InstanceMethod<&NativeSession::memory>("memory"),
                        InstanceMethod<&NativeSession::info>("info"),
                        InstanceMethod<&NativeSession::takeWarnings>("takeWarnings"),
                        InstanceMethod<&NativeSession::dispose>("dispose")});
  }

  explicit NativeSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeSession>(info) {
    guarded(info, [&]() -> Napi::Value {
      SessionOptions options;
      if (info.Length() > 0 && info[0].IsObject()) {
        Napi::Object o = info[0].As<Napi::Object>();
        if (o.Has("device")) {
          Napi::Value d = o.Get("device");
          if (!d.IsNumber() || d.As<Napi::Number>().Int32Value() < 0) throw badArgument("device must be a non-negative integer");
          options.device = d.As<Napi::Number>().Int32Value();
        }
        if (o.Has("precision")) options.precision = precisionArg(o.Get("precision"));
        if (o.Has("deterministic")) options.deterministic = o.Get("deterministic").ToBoolean().Value();
      }
      session_ = Session::open(options);
      EnvState& env = envState(info.Env());
      std::lock_guard<std::mutex> lock(env.mutex);
      env.sessions.push_back(session_);
      return info.Env().Undefined();
    });
  }
  ~NativeSession() override {
    if (session_) session_->close();
  }

 private:
  // Common frame of the enqueueing methods: session alive, context bound, launches serialised.
  template <typename F>
  Napi::Value enqueue(const Napi::CallbackInfo& info, F body) {
    return guarded(info, [&]() -> Napi::Value {
      if (!session_) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      std::shared_lock<std::shared_mutex> busy(session_->activity());
      session_->bind();
      std::lock_guard<std::mutex> launch(session_->launchMutex());
      return body(*session_);
    });
  }

  Napi::Object newTensor(Napi::Env env, DeviceBuffer buffer, Dims dims) {
    Napi::Object obj = envState(env).tensorClass.New({});
    NativeTensor::Unwrap(obj)->init(session_, counts_, std::move(buffer), std::move(dims));
    return obj;
  }
  NativeTensor* tensorArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
    return unwrapArg<NativeTensor>(info, i, envState(info.Env()).tensorClass, name);
  }

  Napi::Value upload(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      Napi::Float32Array data = floatArrayArg(info, 0, "data");
      Dims dims = dimsArg(info[1], "dims");
      if (elementCount(dims) != static_cast<int64_t>(data.ElementLength())) {
        throw badArgument("data holds " + std::to_string(data.ElementLength()) + " values but the shape needs " +
                          std::to_string(elementCount(dims)));
      }
      return newTensor(info.Env(), uploadFloats(s, data.Data(), data.ElementLength()), std::move(dims));
    });
  }

  class DownloadWorker : public PromiseWorker {
   public:
    DownloadWorker(Napi::Env env, std::shared_ptr<Session> s, DeviceBuffer buffer, size_t count)
        : PromiseWorker(env), session_(std::move(s)), buffer_(std::move(buffer)), values_(count) {}
    void work() override {
      std::shared_lock<std::shared_mutex> busy(session_->activity());
      session_->bind();
      if (!skipSyncBeforeRead()) session_->synchronize();
      const size_t bytes = values_.size() * sizeof(float);
      checkAcl(session_->api(),
               session_->api().aclrtMemcpy(values_.data(), bytes, buffer_->ptr(), bytes, cann::kMemcpyDeviceToHost),
               "aclrtMemcpy");
      buffer_.reset();
    }
    Napi::Value result(Napi::Env env) override { return floatArrayValue(env, values_); }

   private:
    std::shared_ptr<Session> session_;
    DeviceBuffer buffer_;  // held so the block cannot be reused while it is read
    std::vector<float> values_;
  };

  Napi::Value download(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (!session_) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      if (session_->closed()) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      NativeTensor* t = tensorArg(info, 0, "tensor");
      const DeviceBuffer& buffer = t->use(session_.get(), "the tensor");
      auto* worker = new DownloadWorker(info.Env(), session_, buffer, static_cast<size_t>(elementCount(t->dims())));
      Napi::Promise promise = worker->promise();
      worker->Queue();
      return promise;
    });
  }

  class SyncWorker : public PromiseWorker {
   public:
    SyncWorker(Napi::Env env, std::shared_ptr<Session> s) : PromiseWorker(env), session_(std::move(s)) {}
    void work() override {
      std::shared_lock<std::shared_mutex> busy(session_->activity());
      session_->bind();
      session_->synchronize();
    }
    Napi::Value result(Napi::Env env) override { return env.Undefined(); }

   private:
    std::shared_ptr<Session> session_;
  };

  Napi::Value synchronize(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (!session_ || session_->closed()) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      auto* worker = new SyncWorker(info.Env(), session_);
      Napi::Promise promise = worker->promise();
      worker->Queue();
      return promise;
    });
  }

  // Checks and uploads the weight (argument 0) and bias (argument 1) of a layer.
  static std::pair<DeviceBuffer, DeviceBuffer> uploadWeights(Session& s, const Napi::CallbackInfo& info,
                                                             int64_t weightCount, int64_t biasCount,
                                                             const char* layout) {
    Napi::Float32Array weight = floatArrayArg(info, 0, "weight");
    Napi::Float32Array bias = floatArrayArg(info, 1, "bias");
    if (static_cast<int64_t>(weight.ElementLength()) != weightCount) {
      throw badArgument(std::string("the weight size does not match ") + layout);
    }
    if (static_cast<int64_t>(bias.ElementLength()) != biasCount) {
      throw badArgument("the bias size must equal the output size " + std::to_string(biasCount));
    }
    return {uploadFloats(s, weight.Data(), weight.ElementLength()), uploadFloats(s, bias.Data(), bias.ElementLength())};
  }

  template <typename Wrapper, typename Prepared>
  Napi::Object wrapWeights(Napi::Env env, Napi::FunctionReference& cls, std::shared_ptr<Prepared> prepared) {
    Napi::Object obj = cls.New({});
    Wrapper::Unwrap(obj)->init(session_, counts_, std::move(prepared));
    return obj;
  }

  // prepareConv(weightOIHW, bias, outChannels, inChannels, kernel, stride, padding)
  Napi::Value prepareConv(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      auto conv = std::make_shared<PreparedConv>();
      ConvParams& p = conv->params;
      p.outChannels = intArg(info, 2, "outChannels", 1, 1 << 16);
      p.inChannels = intArg(info, 3, "inChannels", 1, 1 << 16);
      p.kernel = intArg(info, 4, "kernel", 1, 15);
      p.stride = intArg(info, 5, "stride", 1, 15);
      p.padding = intArg(info, 6, "padding", 0, 15);
      std::tie(conv->weight, conv->bias) =
          uploadWeights(s, info, p.outChannels * p.inChannels * p.kernel * p.kernel, p.outChannels, "[out, in, k, k]");
      return wrapWeights<NativeConv>(info.Env(), envState(info.Env()).convClass, conv);
    });
  }

  // prepareLinear(weightTransposed [in, out], bias, inFeatures, outFeatures)
  Napi::Value prepareLinear(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      auto lin = std::make_shared<PreparedLinear>();
      lin->inFeatures = intArg(info, 2, "inFeatures", 1, 1 << 24);
      lin->outFeatures = intArg(info, 3, "outFeatures", 1, 1 << 24);
      std::tie(lin->weightT, lin->bias) =
          uploadWeights(s, info, lin->inFeatures * lin->outFeatures, lin->outFeatures, "[in, out]");
      return wrapWeights<NativeLinear>(info.Env(), envState(info.Env()).linearClass, lin);
    });
  }

  // conv2d(x, conv, relu, residual | null)
  Napi::Value conv2d(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      NativeTensor* x = tensorArg(info, 0, "x");
      const auto& conv = unwrapArg<NativeConv>(info, 1, envState(info.Env()).convClass, "conv")->use(&s);
      const bool relu = info.Length() > 2 && info[2].ToBoolean().Value();
      const DeviceBuffer& xb = x->use(&s, "the input tensor");
      const Dims& xd = x->dims();
      if (xd.size() != 4 || xd[1] != conv->params.inChannels) {
        throw badArgument("conv2d input must be [B, " + std::to_string(conv->params.inChannels) + ", H, W]");
      }
      const Dims outDims = convOutputDims(xd, conv->params);
      if (outDims[2] < 1 || outDims[3] < 1) throw badArgument("conv2d input is smaller than the kernel");
      void* residual = nullptr;
      if (info.Length() > 3 && !info[3].IsNull() && !info[3].IsUndefined()) {
        NativeTensor* r = tensorArg(info, 3, "residual");
        residual = r->use(&s, "the residual tensor")->ptr();
        if (r->dims() != outDims) throw badArgument("the residual shape differs from the convolution output");
      }
      DeviceBuffer out = s.pool().allocate(static_cast<size_t>(elementCount(outDims)) * sizeof(float));
      enqueueConv2d(s, xb->ptr(), xd, *conv, out->ptr(), residual, relu);
      return newTensor(info.Env(), std::move(out), outDims);
    });
  }

  // statsPool(x, pooling: 0 pyannote | 1 wespeaker | 2 mlx)
  Napi::Value statsPool(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      NativeTensor* x = tensorArg(info, 0, "x");
      const auto pooling = static_cast<Pooling>(intArg(info, 1, "pooling", 0, 2));
      const DeviceBuffer& xb = x->use(&s, "the input tensor");
      const Dims& xd = x->dims();
      if (xd.size() != 4) throw badArgument("statsPool input must be [B, C, F, T]");
      const Dims outDims = statsPoolOutputDims(xd);
      DeviceBuffer out = s.pool().allocate(static_cast<size_t>(elementCount(outDims)) * sizeof(float));
      DeviceBuffer scratch = s.pool().allocate(statsPoolScratchBytes(xd));
      enqueueStatsPool(s, xb->ptr(), xd, pooling, out->ptr(), scratch->ptr());
      return newTensor(info.Env(), std::move(out), outDims);
    });
  }

  Napi::Value linear(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      NativeTensor* x = tensorArg(info, 0, "x");
      const auto& lin = unwrapArg<NativeLinear>(info, 1, envState(info.Env()).linearClass, "linear")->use(&s);
      const DeviceBuffer& xb = x->use(&s, "the input tensor");
      const Dims& xd = x->dims();
      if (xd.size() != 2 || xd[1] != lin->inFeatures) {
        throw badArgument("linear input must be [B, " + std::to_string(lin->inFeatures) + "]");
      }
      const Dims outDims{xd[0], lin->outFeatures};
      DeviceBuffer out = s.pool().allocate(static_cast<size_t>(elementCount(outDims)) * sizeof(float));
      enqueueLinear(s, xb->ptr(), xd[0], *lin, out->ptr());
      return newTensor(info.Env(), std::move(out), outDims);
    });
  }

  Napi::Value l2Normalize(const Napi::CallbackInfo& info) {
    return enqueue(info, [&](Session& s) -> Napi::Value {
      NativeTensor* x = tensorArg(info, 0, "x");
      const DeviceBuffer& xb = x->use(&s, "the input tensor");
      const Dims& xd = x->dims();
      if (xd.size() != 2) throw badArgument("l2Normalize input must be [B, N]");
      DeviceBuffer out = s.pool().allocate(static_cast<size_t>(elementCount(xd)) * sizeof(float));
      DeviceBuffer scratch = s.pool().allocate(l2ScratchBytes(xd[0]));
      enqueueL2Normalize(s, xb->ptr(), xd[0], xd[1], out->ptr(), scratch->ptr());
      return newTensor(info.Env(), std::move(out), xd);
    });
  }

  // createProgram(steps, valueCount, melBins, { graphCapture, maxCachedShapes })
  Napi::Value createProgram(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (!session_ || session_->closed()) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      if (info.Length() < 3 || !info[0].IsArray()) throw badArgument("steps must be an array");
      EnvState& env = envState(info.Env());
      Napi::Array list = info[0].As<Napi::Array>();
      std::vector<ProgramStep> steps;
      for (uint32_t k = 0; k < list.Length(); k++) {
        if (!list.Get(k).IsObject()) throw badArgument("every step must be an object");
        Napi::Object o = list.Get(k).As<Napi::Object>();
        auto num = [&](const char* key, int fallback) {
          Napi::Value v = o.Get(key);
          return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
        };
        ProgramStep step;
        const std::string kind = o.Get("kind").IsString() ? o.Get("kind").As<Napi::String>().Utf8Value() : "";
        step.input = num("input", -1);
        step.output = num("output", -1);
        step.residual = num("residual", -1);
        step.relu = o.Get("relu").ToBoolean().Value();
        auto weightsOf = [&](Napi::FunctionReference& cls) -> Napi::Object {
          Napi::Value w = o.Get("weights");
          if (!w.IsObject() || !w.As<Napi::Object>().InstanceOf(cls.Value())) {
            throw badArgument("step " + std::to_string(k) + " needs weights prepared by this backend");
          }
          return w.As<Napi::Object>();
        };
        if (kind == "conv") {
          step.kind = ProgramStep::Kind::kConv;
          step.conv = NativeConv::Unwrap(weightsOf(env.convClass))->use(session_.get());
        } else if (kind == "statsPool") {
          step.kind = ProgramStep::Kind::kStatsPool;
          const int pooling = num("pooling", -1);
          if (pooling < 0 || pooling > 2) throw badArgument("statsPool step needs pooling 0, 1 or 2");
          step.pooling = static_cast<Pooling>(pooling);
        } else if (kind == "linear") {
          step.kind = ProgramStep::Kind::kLinear;
          step.linear = NativeLinear::Unwrap(weightsOf(env.linearClass))->use(session_.get());
        } else if (kind == "l2Normalize") {
          step.kind = ProgramStep::Kind::kL2Normalize;
        } else {
          throw badArgument("unknown step kind '" + kind + "'");
        }
        steps.push_back(std::move(step));
      }
      const int valueCount = static_cast<int>(intArg(info, 1, "valueCount", 2, 1 << 20));
      const int64_t melBins = intArg(info, 2, "melBins", 1, 1 << 16);
      ProgramOptions options;
      if (info.Length() > 3 && info[3].IsObject()) {
        Napi::Object o = info[3].As<Napi::Object>();
        options.graphCapture = o.Get("graphCapture").ToBoolean().Value();
        if (o.Get("maxCachedShapes").IsNumber()) {
          options.maxCachedShapes = static_cast<size_t>(std::max(1, o.Get("maxCachedShapes").As<Napi::Number>().Int32Value()));
        }
      }
      auto program = Program::create(session_, std::move(steps), valueCount, melBins, options);
      Napi::Object obj = env.programClass.New({});
      NativeProgram::Unwrap(obj)->init(std::move(program), melBins);
      return obj;
    });
  }

  Napi::Value memory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("tensors", Napi::Number::New(env, static_cast<double>(counts_->tensors.load())));
    o.Set("weights", Napi::Number::New(env, static_cast<double>(counts_->weights.load())));
    DevicePool::Stats st;
    if (session_ && !session_->closed()) st = session_->pool().stats();
    o.Set("liveBlocks", Napi::Number::New(env, static_cast<double>(st.liveBlocks)));
    o.Set("bytesInUse", Napi::Number::New(env, static_cast<double>(st.bytesInUse)));
    o.Set("bytesCached", Napi::Number::New(env, static_cast<double>(st.bytesCached)));
    return o;
  }

  Napi::Value info(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (!session_) throw Failure(FailureKind::kDisposed, "the Ascend backend was disposed");
      Napi::Env env = info.Env();
      Napi::Object o = Napi::Object::New(env);
      const SessionOptions& opt = session_->options();
      o.Set("device", Napi::Number::New(env, opt.device));
      o.Set("precision", Napi::String::New(env, session_->effectivePrecision()));
      o.Set("convolutionCubeMathType", Napi::Number::New(env, session_->cubeMathType(CubeOp::kConvolution)));
      o.Set("matmulCubeMathType", Napi::Number::New(env, session_->cubeMathType(CubeOp::kMatmul)));
      o.Set("deterministic", Napi::Boolean::New(env, opt.deterministic));
      o.Set("graphCaptureSupported", Napi::Boolean::New(env, session_->api().hasGraphCapture()));
      return o;
    });
  }

  Napi::Value takeWarnings(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    if (!session_) return out;
    uint32_t k = 0;
    for (const auto& w : session_->takeWarnings()) out.Set(k++, Napi::String::New(env, w));
    return out;
  }

  Napi::Value dispose(const Napi::CallbackInfo& info) {
    bool ok = true;
    if (session_) ok = session_->close();
    return Napi::Boolean::New(info.Env(), ok);
  }

  std::shared_ptr<Session> session_;
  std::shared_ptr<LiveCounts> counts_ = std::make_shared<LiveCounts>();
};

// ---- module functions -----------------------------------------------------------------------------

const char* loadStatusName(cann::LoadStatus s) {
  switch (s) {
    case cann::LoadStatus::kOk: return "ok";
    case cann::LoadStatus::kLibraryNotFound: return "library-not-found";
    case cann::LoadStatus::kLibraryLoadFailed: return "library-load-failed";
    case cann::LoadStatus::kSymbolMissing: return "symbol-missing";
  }
  return "library-not-found";
}

Napi::Array stringArray(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
  return a;
}

// loaderReport(): the outcome of opening the CANN libraries (opens them on first call).
Napi::Value loaderReport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const cann::LoadReport& r = cann::loadCann();
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", Napi::String::New(env, loadStatusName(r.status)));
  o.Set("message", Napi::String::New(env, r.message));
  o.Set("library", Napi::String::New(env, r.library));
  o.Set("symbol", Napi::String::New(env, r.symbol));
  o.Set("searched", stringArray(env, r.searched));
  o.Set("loaded", stringArray(env, r.loaded));
  o.Set("libraryDirectory", Napi::String::New(env, r.libraryDirectory));
  const cann::Api* api = cann::api();
  o.Set("graphCapture", Napi::Boolean::New(env, api && api->hasGraphCapture()));
  o.Set("deterministicMode", Napi::Boolean::New(env, api && api->aclrtCtxSetSysParamOpt));
  return o;
}

// countDevices(): aclInit (once) + aclrtGetDeviceCount. Throws a coded error when either fails.
Napi::Value countDevices(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const cann::Api* api = cann::api();
    if (!api) throw Failure(FailureKind::kUnavailable, cann::loadCann().message);
    acl_process::ensureInitialized(*api);
    uint32_t count = 0;
    const cann::AclError st = api->aclrtGetDeviceCount(&count);
    if (st != cann::kSuccess) {
      Failure f = aclFailure(*api, st, "aclrtGetDeviceCount", false);
      throw Failure(FailureKind::kUnavailable, f.what(), f.api, f.status, f.cannMessage);
    }
    return Napi::Number::New(info.Env(), count);
  });
}

// deviceInfo(device): SoC name, HBM memory, ACL interface version. Opens the device briefly.
Napi::Value deviceInfo(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const cann::Api* api = cann::api();
    if (!api) throw Failure(FailureKind::kUnavailable, cann::loadCann().message);
    const int32_t device = static_cast<int32_t>(intArg(info, 0, "device", 0, 1 << 16));
    acl_process::ensureInitialized(*api);
    invalidateThreadBinding();  // aclrtSetDevice changes this thread's current context
    checkAcl(*api, api->aclrtSetDevice(device), "aclrtSetDevice");
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    const char* soc = api->aclrtGetSocName();
    o.Set("socName", soc ? Napi::Value(Napi::String::New(env, soc)) : env.Null());
    size_t freeBytes = 0, totalBytes = 0;
    if (api->aclrtGetMemInfo(cann::kHbmMemory, &freeBytes, &totalBytes) == cann::kSuccess) {
      o.Set("memoryFree", Napi::Number::New(env, static_cast<double>(freeBytes)));
      o.Set("memoryTotal", Napi::Number::New(env, static_cast<double>(totalBytes)));
    } else {
      takeRecentError(*api);
    }
    int32_t major = 0, minor = 0, patch = 0;
    if (api->aclrtGetVersion && api->aclrtGetVersion(&major, &minor, &patch) == cann::kSuccess) {
      o.Set("aclVersion", Napi::String::New(env, std::to_string(major) + "." + std::to_string(minor) + "." +
                                                     std::to_string(patch)));
    }
    checkAcl(*api, api->aclrtResetDevice(device), "aclrtResetDevice");
    return o;
  });
}

Napi::Value setEnvRole(const Napi::CallbackInfo& info) {
  envState(info.Env()).isMainThread = info.Length() > 0 && info[0].ToBoolean().Value();
  return info.Env().Undefined();
}

// ---- test hooks (inert on a real CANN: the fake_* symbols exist only in the fake) -----------------

Napi::Value fakeReport(const Napi::CallbackInfo& info) {
  using Fn = const char* (*)();
  auto fn = reinterpret_cast<Fn>(cann::findRuntimeSymbol("fake_cann_report"));
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn());
}

Napi::Value fakeInject(const Napi::CallbackInfo& info) {
  using Fn = int (*)(const char*);
  auto fn = reinterpret_cast<Fn>(cann::findRuntimeSymbol("fake_cann_inject"));
  if (!fn) throw Napi::Error::New(info.Env(), "the loaded CANN is not the fake CANN");
  const std::string spec = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (fn(spec.c_str()) != 0) {
    const cann::Api* api = cann::api();
    throw Napi::Error::New(info.Env(), api ? takeRecentError(*api) : "invalid fault plan");
  }
  return info.Env().Undefined();
}

Napi::Value setMutation(const Napi::CallbackInfo& info) {
  const std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  const bool on = info.Length() > 1 && info[1].ToBoolean().Value();
  if (name != "skip-sync-before-read") throw Napi::Error::New(info.Env(), "unknown mutation '" + name + "'");
  setSkipSyncBeforeRead(on);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* state = new EnvState();
  env.SetInstanceData<EnvState, finalizeEnvState>(state);
  state->tensorClass = Napi::Persistent(NativeTensor::define(env));
  state->convClass = Napi::Persistent(NativeConv::define(env, "NativeConv"));
  state->linearClass = Napi::Persistent(NativeLinear::define(env, "NativeLinear"));
  state->programClass = Napi::Persistent(NativeProgram::define(env));

  exports.Set("Session", NativeSession::define(env));
  exports.Set("loaderReport", Napi::Function::New(env, loaderReport));
  exports.Set("countDevices", Napi::Function::New(env, countDevices));
  exports.Set("deviceInfo", Napi::Function::New(env, deviceInfo));
  exports.Set("setEnvRole", Napi::Function::New(env, setEnvRole));
  Napi::Object testing = Napi::Object::New(env);
  testing.Set("fakeReport", Napi::Function::New(env, fakeReport));
  testing.Set("fakeInject", Napi::Function::New(env, fakeInject));
  testing.Set("setMutation", Napi::Function::New(env, setMutation));
  exports.Set("testing", testing);
  return exports;
}

}  // namespace wsp::addon

static Napi::Object InitWspAscend(Napi::Env env, Napi::Object exports) { return wsp::addon::init(env, exports); }

NODE_API_MODULE(wsp_ascend, InitWspAscend)
