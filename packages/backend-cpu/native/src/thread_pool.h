// A fixed set of worker threads shared by the whole process. One parallel job runs at a time
// (jobs from different JS threads or worker_threads queue on a lock), so two inferences at once
// never put more busy threads on the cores than the pool has.
#pragma once

namespace wsp {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* ctx, int task, int worker);

  // The process-wide pool with `hardwareThreads()` threads (the caller counts as one).
  static ThreadPool& shared();
  static int hardwareThreads();

  int size() const { return size_; }

  // Runs fn(ctx, t, worker) for t in [0, tasks) on at most `threads` threads (the caller is
  // worker 0) and returns when all are done. Called from a worker of this pool (nested), or with
  // threads <= 1, it runs inline.
  void run(int tasks, int threads, TaskFn fn, void* ctx);

  // Held for one whole inference so that its parallel jobs are not interleaved with another's.
  void lockJobs();
  void unlockJobs();

 private:
  explicit ThreadPool(int size);
  struct State;
  State* state_;
  int size_;
};

class JobLock {
 public:
  explicit JobLock(ThreadPool& p) : pool_(p) { pool_.lockJobs(); }
  ~JobLock() { pool_.unlockJobs(); }
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;

 private:
  ThreadPool& pool_;
};

// parallelFor(pool, threads, n, [&](int task, int worker) { ... }): the lambda's type is local to
// the calling file, so this template is instantiated per instruction-set file without clashing.
template <typename F>
inline void parallelFor(ThreadPool* pool, int threads, int tasks, F&& body) {
  if (tasks <= 0) return;
  auto trampoline = [](void* ctx, int task, int worker) { (*static_cast<F*>(ctx))(task, worker); };
  if (pool == nullptr || threads <= 1 || tasks == 1) {
    for (int t = 0; t < tasks; t++) body(t, 0);
    return;
  }
  pool->run(tasks, threads, trampoline, const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace wsp
