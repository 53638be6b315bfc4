// The Node-API surface of the native backend. Context-aware: every class constructor lives in the
// env's instance data, so the addon loads in the main thread and in any number of worker_threads.
// Every argument is checked here; bad input throws TypeError/RangeError, never aborts.
#include <napi.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "network.h"
#include "thread_pool.h"

namespace {

using wsp::ArgumentError;

struct InstanceData {
  Napi::FunctionReference backend, tensor, conv, linear, plan;
};

InstanceData& instance(Napi::Env env) { return *env.GetInstanceData<InstanceData>(); }

// ---- argument checks ----------------------------------------------------------------------
[[noreturn]] void throwType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void throwRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

int intArg(Napi::Env env, const Napi::Value& v, const char* name, int lo, int hi) {
  if (!v.IsNumber()) throwType(env, std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d) throwType(env, std::string(name) + " must be an integer");
  if (d < lo || d > hi)
    throwRange(env, std::string(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                        std::to_string(static_cast<long long>(d)));
  return static_cast<int>(d);
}

Napi::Float32Array floatsArg(Napi::Env env, const Napi::Value& v, const char* name, size_t expected) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throwType(env, std::string(name) + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != expected)
    throwRange(env, std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, expected " +
                        std::to_string(expected));
  return a;
}

bool boolArg(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsBoolean()) throwType(env, std::string(name) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object objectArg(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsObject()) throwType(env, std::string(name) + " must be an object");
  return v.As<Napi::Object>();
}

// Runs `fn`, turning C++ failures into JS errors.
template <typename F>
auto guarded(Napi::Env env, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const ArgumentError& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env, "out of memory");
  }
}

constexpr int kMaxDim = 1 << 20;
constexpr double kMaxFloats = 1u << 31;  // 8 GiB of float32: beyond this, refuse before allocating

template <typename T>
std::shared_ptr<T> alive(Napi::Env env, const std::shared_ptr<T>& p, const char* what) {
  if (!p) throw Napi::Error::New(env, std::string(what) + " has been disposed");
  return p;
}

// ---- wrapped classes ----------------------------------------------------------------------
class BackendWrap;

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeTensor",
                       {InstanceAccessor<&TensorWrap::Shape>("shape"), InstanceAccessor<&TensorWrap::Disposed>("disposed"),
                        InstanceMethod<&TensorWrap::Dispose>("dispose")});
  }
  explicit TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {}
  std::shared_ptr<wsp::Tensor> tensor;
  std::shared_ptr<wsp::MemoryStats> owner;

 private:
  Napi::Value Shape(const Napi::CallbackInfo& info) {
    auto t = alive(info.Env(), tensor, "tensor");
    const wsp::View& v = t->shape();
    Napi::Array a = Napi::Array::New(info.Env());
    if (v.rank == 2) {
      a.Set(0u, v.batch);
      a.Set(1u, v.channels);
    } else {
      a.Set(0u, v.batch);
      a.Set(1u, v.channels);
      a.Set(2u, v.height);
      a.Set(3u, v.width);
    }
    return a;
  }
  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !tensor); }
  void Dispose(const Napi::CallbackInfo&) { tensor.reset(); }
};

// Prepared weights as a JS object: owns a shared_ptr so a plan using them keeps them alive.
template <typename Weights, const char* ClassName>
class WeightsWrap : public Napi::ObjectWrap<WeightsWrap<Weights, ClassName>> {
 public:
  using Base = Napi::ObjectWrap<WeightsWrap<Weights, ClassName>>;
  static Napi::Function Define(Napi::Env env) {
    return Base::DefineClass(env, ClassName,
                             {Base::template InstanceAccessor<&WeightsWrap::Algo>("algorithm"),
                              Base::template InstanceMethod<&WeightsWrap::Dispose>("dispose"),
                              Base::template InstanceAccessor<&WeightsWrap::Disposed>("disposed")});
  }
  explicit WeightsWrap(const Napi::CallbackInfo& info) : Base(info) {}
  std::shared_ptr<Weights> weights;
  std::shared_ptr<wsp::MemoryStats> owner;

 private:
  Napi::Value Algo(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), algorithmName(*alive(info.Env(), weights, "prepared weights")));
  }
  static const char* algorithmName(const wsp::PreparedLinearWeights&) { return "gemm"; }
  static const char* algorithmName(const wsp::PreparedConvWeights& w) {
    switch (w.packed.algo) {
      case wsp::ConvAlgo::kWinograd4:
        return "winograd-f4x4";
      case wsp::ConvAlgo::kWinograd2:
        return "winograd-f2x2";
      default:
        return "direct";
    }
  }
  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !weights); }
  void Dispose(const Napi::CallbackInfo&) { weights.reset(); }
};

constexpr char kConvClassName[] = "NativePreparedConv2d";
constexpr char kLinearClassName[] = "NativePreparedLinear";
using ConvWrap = WeightsWrap<wsp::PreparedConvWeights, kConvClassName>;
using LinearWrap = WeightsWrap<wsp::PreparedLinearWeights, kLinearClassName>;

// One inference off the JS thread: the worker keeps the plan alive even if JS disposes it meanwhile.
class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<wsp::Plan> plan, wsp::ExecContext ctx, std::vector<float> features, int batch,
            int frames)
      : Napi::AsyncWorker(env, "wsp-cpu-inference"),
        deferred_(Napi::Promise::Deferred::New(env)),
        plan_(std::move(plan)),
        ctx_(ctx),
        features_(std::move(features)),
        batch_(batch),
        frames_(frames) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      out_.resize(static_cast<size_t>(batch_) * plan_->outputSize());
      plan_->run(ctx_, features_.data(), batch_, frames_, out_.data());
    } catch (const ArgumentError& e) {
      rangeError_ = true;
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      rangeError_ = true;
      SetError("out of memory");
    }
  }
  void OnOK() override {
    Napi::Float32Array out = Napi::Float32Array::New(Env(), out_.size());
    std::memcpy(out.Data(), out_.data(), out_.size() * sizeof(float));
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override {
    if (rangeError_) deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value());
    else deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<wsp::Plan> plan_;
  wsp::ExecContext ctx_;
  std::vector<float> features_, out_;
  int batch_, frames_;
  bool rangeError_ = false;
};

class PlanWrap : public Napi::ObjectWrap<PlanWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativePlan",
                       {InstanceMethod<&PlanWrap::Run>("run"), InstanceMethod<&PlanWrap::RunSync>("runSync"),
                        InstanceMethod<&PlanWrap::RunProfiled>("runProfiled"),
                        InstanceMethod<&PlanWrap::Dispose>("dispose"), InstanceAccessor<&PlanWrap::Disposed>("disposed"),
                        InstanceAccessor<&PlanWrap::MinimumFrames>("minimumFrames"),
                        InstanceAccessor<&PlanWrap::OutputSize>("outputSize"),
                        InstanceAccessor<&PlanWrap::PlannedBytes>("plannedBytes")});
  }
  explicit PlanWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PlanWrap>(info) {}
  std::shared_ptr<wsp::Plan> plan;
  wsp::ExecContext ctx{};

 private:
  // Checks (features, batch, frames) and returns the plan.
  std::shared_ptr<wsp::Plan> check(const Napi::CallbackInfo& info, Napi::Float32Array* features, int* batch,
                                   int* frames) {
    Napi::Env env = info.Env();
    auto p = alive(env, plan, "plan");
    *batch = intArg(env, info[1], "batch", 1, kMaxDim);
    *frames = intArg(env, info[2], "frames", 1, kMaxDim);
    const double n = static_cast<double>(*batch) * *frames * p->melBins();
    if (n * 64 > kMaxFloats) throwRange(env, "batch x frames is too large");
    *features = floatsArg(env, info[0], "features", static_cast<size_t>(n));
    if (*frames < p->minimumFrames())
      throwRange(env, "input too short: " + std::to_string(*frames) + " frames, the network needs at least " +
                          std::to_string(p->minimumFrames()));
    return p;
  }
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Float32Array features;
    int batch, frames;
    auto p = check(info, &features, &batch, &frames);
    std::vector<float> copy(features.Data(), features.Data() + features.ElementLength());
    auto* worker = new RunWorker(info.Env(), p, ctx, std::move(copy), batch, frames);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  Napi::Value RunSync(const Napi::CallbackInfo& info) {
    Napi::Float32Array features;
    int batch, frames;
    auto p = check(info, &features, &batch, &frames);
    return guarded(info.Env(), [&] {
      std::vector<float> out(static_cast<size_t>(batch) * p->outputSize());
      p->run(ctx, features.Data(), batch, frames, out.data());
      Napi::Float32Array result = Napi::Float32Array::New(info.Env(), out.size());
      std::memcpy(result.Data(), out.data(), out.size() * sizeof(float));
      return result;
    });
  }
  // runProfiled(features, batch, frames) -> { output: Float32Array, opSeconds: Float64Array } (sync; for benchmarks)
  Napi::Value RunProfiled(const Napi::CallbackInfo& info) {
    Napi::Float32Array features;
    int batch, frames;
    auto p = check(info, &features, &batch, &frames);
    return guarded(info.Env(), [&] {
      Napi::Float32Array out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(batch) * p->outputSize());
      Napi::Float64Array seconds = Napi::Float64Array::New(info.Env(), p->numOps());
      p->run(ctx, features.Data(), batch, frames, out.Data(), seconds.Data());
      Napi::Object result = Napi::Object::New(info.Env());
      result.Set("output", out);
      result.Set("opSeconds", seconds);
      return result;
    });
  }
  void Dispose(const Napi::CallbackInfo&) { plan.reset(); }
  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !plan); }
  Napi::Value MinimumFrames(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), alive(info.Env(), plan, "plan")->minimumFrames());
  }
  Napi::Value OutputSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), alive(info.Env(), plan, "plan")->outputSize());
  }
  Napi::Value PlannedBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(alive(info.Env(), plan, "plan")->plannedBytes()));
  }
};

class BackendWrap : public Napi::ObjectWrap<BackendWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "NativeBackend",
        {InstanceAccessor<&BackendWrap::Isa>("isa"), InstanceAccessor<&BackendWrap::Threads>("threads"),
         InstanceAccessor<&BackendWrap::Precision>("precision"),
         InstanceMethod<&BackendWrap::PrepareConv>("prepareConv2d"),
         InstanceMethod<&BackendWrap::PrepareLinear>("prepareLinear"), InstanceMethod<&BackendWrap::Upload>("upload"),
         InstanceMethod<&BackendWrap::Download>("download"), InstanceMethod<&BackendWrap::Conv2d>("conv2d"),
         InstanceMethod<&BackendWrap::StatsPool>("statsPool"), InstanceMethod<&BackendWrap::Linear>("linear"),
         InstanceMethod<&BackendWrap::L2Normalize>("l2Normalize"), InstanceMethod<&BackendWrap::Compile>("compile"),
         InstanceMethod<&BackendWrap::Memory>("memory")});
  }

  // new NativeBackend({ isa?: string, threads?: number, winograd?: 0 | 2 | 4 })
  explicit BackendWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BackendWrap>(info) {
    Napi::Env env = info.Env();
    std::string isa = "auto";
    bool bf16 = false;
    threads_ = wsp::ThreadPool::hardwareThreads();
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      Napi::Object o = objectArg(env, info[0], "options");
      if (o.Has("isa") && !o.Get("isa").IsUndefined()) {
        if (!o.Get("isa").IsString()) throwType(env, "options.isa must be a string");
        isa = o.Get("isa").As<Napi::String>().Utf8Value();
      }
      if (o.Has("threads") && !o.Get("threads").IsUndefined())
        threads_ = intArg(env, o.Get("threads"), "options.threads", 1, wsp::ThreadPool::shared().size());
      if (o.Has("precision") && !o.Get("precision").IsUndefined()) {
        if (!o.Get("precision").IsString()) throwType(env, "options.precision must be a string");
        const std::string precision = o.Get("precision").As<Napi::String>().Utf8Value();
        if (precision == "bf16") bf16 = true;
        else if (precision != "fp32") throwRange(env, "options.precision must be 'fp32' or 'bf16'");
      }
      if (o.Has("winograd") && !o.Get("winograd").IsUndefined()) {
        options_.winograd = intArg(env, o.Get("winograd"), "options.winograd", 0, 4);
        if (options_.winograd == 1 || options_.winograd == 3) throwRange(env, "options.winograd must be 0, 2 or 4");
      }
    }
    if (bf16) {
      if (isa != "auto" && isa != "avx512") throwRange(env, "precision 'bf16' runs on the avx512 kernels only");
      kernels_ = wsp::selectKernels("avx512-bf16");
      if (kernels_ == nullptr) throwRange(env, "precision 'bf16' needs a CPU with AVX512_BF16");
    } else {
      kernels_ = wsp::selectKernels(isa.c_str());
      if (kernels_ == nullptr) throwRange(env, "instruction set '" + isa + "' is unknown or not supported by this CPU");
    }
    stats_ = std::make_shared<wsp::MemoryStats>();
  }

 private:
  wsp::ExecContext ctx() const { return wsp::ExecContext{&wsp::ThreadPool::shared(), threads_}; }

  template <typename W>
  W* unwrap(Napi::Env env, const Napi::Value& v, Napi::FunctionReference& ctor, const char* name) {
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ctor.Value())) throwType(env, std::string(name) + " has the wrong type");
    W* w = W::Unwrap(v.As<Napi::Object>());
    if (w->owner != stats_) throwType(env, std::string(name) + " belongs to another backend");
    return w;
  }
  std::shared_ptr<wsp::Tensor> tensorArg(Napi::Env env, const Napi::Value& v, const char* name) {
    return alive(env, unwrap<TensorWrap>(env, v, instance(env).tensor, name)->tensor, name);
  }
  Napi::Value wrapTensor(Napi::Env env, std::shared_ptr<wsp::Tensor> t) {
    Napi::Object o = instance(env).tensor.New({});
    TensorWrap* w = TensorWrap::Unwrap(o);
    w->tensor = std::move(t);
    w->owner = stats_;
    return o;
  }
  std::shared_ptr<wsp::Tensor> newTensor(const wsp::View& shape) {
    if (static_cast<double>(shape.batch) * shape.height * shape.width * shape.stored > kMaxFloats)
      throw ArgumentError("tensor too large");
    return std::make_shared<wsp::Tensor>(stats_, shape);
  }

  Napi::Value Isa(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), kernels_->bf16Products ? "avx512" : kernels_->name);
  }
  Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threads_); }
  Napi::Value Precision(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), kernels_->bf16Products ? "bf16" : "fp32");
  }

  // prepareConv2d(weight: Float32Array [O,kH,kW,I], shape: [O,kH,kW,I], bias: Float32Array [O], stride, padding)
  Napi::Value PrepareConv(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[1].IsArray() || info[1].As<Napi::Array>().Length() != 4) throwType(env, "shape must be [O, kH, kW, I]");
    Napi::Array s = info[1].As<Napi::Array>();
    const int o = intArg(env, s.Get(0u), "O", 1, 65536), kh = intArg(env, s.Get(1u), "kH", 1, 3),
              kw = intArg(env, s.Get(2u), "kW", 1, 3), in = intArg(env, s.Get(3u), "I", 1, 4096);
    if (kh != kw || kh == 2) throwRange(env, "kernel must be 1x1 or 3x3");
    auto weight = floatsArg(env, info[0], "weight", static_cast<size_t>(o) * kh * kw * in);
    auto bias = floatsArg(env, info[2], "bias", o);
    const int stride = intArg(env, info[3], "stride", 1, 2), padding = intArg(env, info[4], "padding", 0, 1);
    return guarded(env, [&] {
      auto w = std::make_shared<wsp::PreparedConvWeights>(kernels_, stats_, weight.Data(), o, kh, kw, in, bias.Data(),
                                                          stride, padding, options_);
      Napi::Object obj = instance(env).conv.New({});
      ConvWrap* cw = ConvWrap::Unwrap(obj);
      cw->weights = std::move(w);
      cw->owner = stats_;
      return obj;
    });
  }

  // prepareLinear(weight: Float32Array [N,K], n, k, bias: Float32Array [N])
  Napi::Value PrepareLinear(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int n = intArg(env, info[1], "N", 1, kMaxDim), k = intArg(env, info[2], "K", 1, kMaxDim);
    if (static_cast<double>(n) * k > kMaxFloats) throwRange(env, "linear weight too large");
    auto weight = floatsArg(env, info[0], "weight", static_cast<size_t>(n) * k);
    auto bias = floatsArg(env, info[3], "bias", n);
    return guarded(env, [&] {
      auto w = std::make_shared<wsp::PreparedLinearWeights>(kernels_, stats_, weight.Data(), n, k, bias.Data());
      Napi::Object obj = instance(env).linear.New({});
      LinearWrap* lw = LinearWrap::Unwrap(obj);
      lw->weights = std::move(w);
      lw->owner = stats_;
      return obj;
    });
  }

  // upload(data: Float32Array, shape: [B, C, F, T] | [B, N]) from contiguous row-major data.
  Napi::Value Upload(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[1].IsArray()) throwType(env, "shape must be an array");
    Napi::Array s = info[1].As<Napi::Array>();
    if (s.Length() != 4 && s.Length() != 2) throwRange(env, "shape must be [B, C, F, T] or [B, N]");
    int d[4];
    double total = 1;
    for (uint32_t i = 0; i < s.Length(); i++) {
      d[i] = intArg(env, s.Get(i), "shape entry", 1, kMaxDim);
      total *= d[i];
    }
    if (total * 16 > kMaxFloats) throwRange(env, "tensor too large");
    auto data = floatsArg(env, info[0], "data", static_cast<size_t>(total));
    return guarded(env, [&] {
      wsp::View shape = s.Length() == 4 ? wsp::activationView(nullptr, d[0], d[1], d[2], d[3])
                                        : wsp::vectorView(nullptr, d[0], d[1]);
      auto t = newTensor(shape);
      t->fromLogical(data.Data());
      return wrapTensor(env, std::move(t));
    });
  }

  Napi::Value Download(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto t = tensorArg(env, info[0], "tensor");
    const wsp::View& v = t->shape();
    const size_t n = static_cast<size_t>(v.batch) * v.channels * v.height * v.width;
    Napi::Float32Array out = Napi::Float32Array::New(env, n);
    t->toLogical(out.Data());
    return out;
  }

  // conv2d(x, w, relu: boolean, residual?: tensor | null)
  Napi::Value Conv2d(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto x = tensorArg(env, info[0], "x");
    auto w = alive(env, unwrap<ConvWrap>(env, info[1], instance(env).conv, "weights")->weights, "prepared convolution");
    const bool relu = boolArg(env, info[2], "relu");
    std::shared_ptr<wsp::Tensor> res;
    if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsNull()) res = tensorArg(env, info[3], "residual");
    return guarded(env, [&] {
      wsp::View outShape = wsp::convOutputShape(x->shape(), *w);
      if (res) {
        const wsp::View& r = res->shape();
        if (r.rank != 4 || r.batch != outShape.batch || r.channels != outShape.channels || r.height != outShape.height ||
            r.width != outShape.width)
          throw ArgumentError("residual shape differs from the convolution output");
      }
      auto out = newTensor(outShape);
      const wsp::View xv = x->view();
      std::vector<float> scratch(wsp::convScratchFloats(*w, xv.batch, xv.height, xv.width));
      wsp::View rv = res ? res->view() : wsp::View{};
      wsp::JobLock job(wsp::ThreadPool::shared());
      wsp::runConv(ctx(), xv, *w, res ? &rv : nullptr, relu, out->view(), scratch.data(), scratch.size());
      return wrapTensor(env, std::move(out));
    });
  }

  Napi::Value StatsPool(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto x = tensorArg(env, info[0], "x");
    if (!info[1].IsString()) throwType(env, "variant must be a string");
    wsp::Pooling variant;
    if (!wsp::parsePooling(info[1].As<Napi::String>().Utf8Value(), &variant))
      throwRange(env, "variant must be 'pyannote', 'wespeaker' or 'mlx'");
    return guarded(env, [&] {
      const wsp::View& v = x->shape();
      if (v.rank != 4) throw ArgumentError("statsPool expects a [B, C, F, T] activation");
      if (v.width < wsp::poolingMinimumSteps(variant))
        throw ArgumentError("statsPool: " + std::to_string(v.width) + " time step(s) is too short for this variant");
      auto out = newTensor(wsp::vectorView(nullptr, v.batch, 2 * v.channels * v.height));
      wsp::runStatsPool(x->view(), variant, out->view());
      return wrapTensor(env, std::move(out));
    });
  }

  Napi::Value Linear(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto x = tensorArg(env, info[0], "x");
    auto w = alive(env, unwrap<LinearWrap>(env, info[1], instance(env).linear, "weights")->weights, "prepared linear");
    return guarded(env, [&] {
      const wsp::View& v = x->shape();
      if (v.rank != 2 || v.channels != w->packed.in)
        throw ArgumentError("linear expects [B, " + std::to_string(w->packed.in) + "] input");
      auto out = newTensor(wsp::vectorView(nullptr, v.batch, w->packed.out));
      wsp::JobLock job(wsp::ThreadPool::shared());
      wsp::runLinear(ctx(), x->view(), *w, out->view());
      return wrapTensor(env, std::move(out));
    });
  }

  Napi::Value L2Normalize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto x = tensorArg(env, info[0], "x");
    return guarded(env, [&] {
      const wsp::View& v = x->shape();
      if (v.rank != 2) throw ArgumentError("l2Normalize expects [B, N] input");
      auto out = newTensor(v);
      wsp::runL2Normalize(x->view(), out->view());
      return wrapTensor(env, std::move(out));
    });
  }

  // compile(ops: Array<{ op: 'conv'|'pool'|'linear'|'l2', input, residual?, relu?, weights?, variant? }>, melBins)
  // Op i produces value i + 1; value 0 is the input [B, 1, melBins, T].
  Napi::Value Compile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArray()) throwType(env, "ops must be an array");
    Napi::Array list = info[0].As<Napi::Array>();
    const int melBins = intArg(env, info[1], "melBins", 1, 4096);
    if (list.Length() == 0 || list.Length() > 10000) throwRange(env, "ops must hold 1..10000 entries");
    std::vector<wsp::PlanOp> ops;
    for (uint32_t i = 0; i < list.Length(); i++) {
      const std::string where = "ops[" + std::to_string(i) + "]";
      Napi::Object o = objectArg(env, list.Get(i), where.c_str());
      if (!o.Get("op").IsString()) throwType(env, where + ".op must be a string");
      const std::string kind = o.Get("op").As<Napi::String>().Utf8Value();
      wsp::PlanOp op{};
      op.input = intArg(env, o.Get("input"), (where + ".input").c_str(), 0, static_cast<int>(i));
      if (kind == "conv") {
        op.kind = wsp::PlanOp::Kind::kConv;
        op.conv = alive(env, unwrap<ConvWrap>(env, o.Get("weights"), instance(env).conv, (where + ".weights").c_str())->weights,
                        "prepared convolution");
        op.relu = boolArg(env, o.Get("relu"), (where + ".relu").c_str());
        Napi::Value r = o.Get("residual");
        op.residual = r.IsUndefined() || r.IsNull() ? -1 : intArg(env, r, (where + ".residual").c_str(), 0, static_cast<int>(i));
      } else if (kind == "pool") {
        op.kind = wsp::PlanOp::Kind::kPool;
        if (!o.Get("variant").IsString() || !wsp::parsePooling(o.Get("variant").As<Napi::String>().Utf8Value(), &op.pooling))
          throwRange(env, where + ".variant must be 'pyannote', 'wespeaker' or 'mlx'");
      } else if (kind == "linear") {
        op.kind = wsp::PlanOp::Kind::kLinear;
        op.linear = alive(env, unwrap<LinearWrap>(env, o.Get("weights"), instance(env).linear, (where + ".weights").c_str())->weights,
                          "prepared linear");
      } else if (kind == "l2") {
        op.kind = wsp::PlanOp::Kind::kL2;
      } else {
        throwRange(env, where + ".op must be 'conv', 'pool', 'linear' or 'l2'");
      }
      ops.push_back(std::move(op));
    }
    return guarded(env, [&] {
      auto plan = std::make_shared<wsp::Plan>(std::move(ops), melBins, stats_);
      Napi::Object obj = instance(env).plan.New({});
      PlanWrap* pw = PlanWrap::Unwrap(obj);
      pw->plan = std::move(plan);
      pw->ctx = ctx();
      return obj;
    });
  }

  Napi::Value Memory(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("tensors", static_cast<double>(stats_->tensors.load()));
    o.Set("preparedWeights", static_cast<double>(stats_->preparedWeights.load()));
    o.Set("bytes", static_cast<double>(stats_->bytes.load()));
    return o;
  }

  const wsp::KernelTable* kernels_ = nullptr;
  int threads_ = 1;
  wsp::ConvOptions options_{};
  std::shared_ptr<wsp::MemoryStats> stats_;
};

Napi::Value AvailableIsas(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env());
  uint32_t n = 0;
  for (const char* name : {"avx512", "avx2", "neon", "generic"})
    if (wsp::selectKernels(name)) a.Set(n++, name);
  return a;
}

// measureFmaPeak(isa, threads, seconds) -> GFLOP/s of the FMA probe on `threads` threads at once.
Napi::Value MeasureFmaPeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throwType(env, "isa must be a string");
  const wsp::KernelTable* kt = wsp::selectKernels(info[0].As<Napi::String>().Utf8Value().c_str());
  if (!kt) throwRange(env, "unknown or unsupported isa");
  const int threads = intArg(env, info[1], "threads", 1, wsp::ThreadPool::shared().size());
  if (!info[2].IsNumber()) throwType(env, "seconds must be a number");
  const double seconds = info[2].As<Napi::Number>().DoubleValue();
  if (!(seconds > 0 && seconds <= 10)) throwRange(env, "seconds must be in (0, 10]");
  // Calibrate one thread's iteration count to the requested time, then run it on every thread.
  long iterations = 1 << 20;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    volatile float sink = kt->fmaProbe(iterations);
    (void)sink;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > seconds / 4 || iterations > (1L << 40)) {
      iterations = static_cast<long>(iterations * seconds / s);
      break;
    }
    iterations *= 4;
  }
  struct Ctx {
    const wsp::KernelTable* kt;
    long iterations;
    float sink;
  } ctx{kt, iterations, 0.0f};
  wsp::JobLock job(wsp::ThreadPool::shared());
  const auto t0 = std::chrono::steady_clock::now();
  wsp::ThreadPool::shared().run(threads, threads, [](void* c, int, int) {
    Ctx* x = static_cast<Ctx*>(c);
    volatile float s = x->kt->fmaProbe(x->iterations);
    (void)s;
  }, &ctx);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Napi::Number::New(env, threads * iterations * kt->fmaProbeFlopsPerIteration / s / 1e9);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new InstanceData();
  env.SetInstanceData(data);  // deleted by Node at env teardown (worker exit)
  Napi::Function backend = BackendWrap::Define(env), tensor = TensorWrap::Define(env), conv = ConvWrap::Define(env),
                 linear = LinearWrap::Define(env), plan = PlanWrap::Define(env);
  data->backend = Napi::Persistent(backend);
  data->tensor = Napi::Persistent(tensor);
  data->conv = Napi::Persistent(conv);
  data->linear = Napi::Persistent(linear);
  data->plan = Napi::Persistent(plan);
  exports.Set("NativeBackend", backend);
  exports.Set("availableIsas", Napi::Function::New(env, AvailableIsas));
  exports.Set("measureFmaPeak", Napi::Function::New(env, MeasureFmaPeak));
  exports.Set("hardwareThreads", Napi::Number::New(env, wsp::ThreadPool::hardwareThreads()));
  exports.Set("defaultIsa", Napi::String::New(env, wsp::selectKernels("auto")->name));
  exports.Set("abi", Napi::String::New(env, "wsp-cpu-native/1"));
  return exports;
}

}  // namespace

NODE_API_MODULE(wsp_backend_cpu, Init)
