#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace wsp {

namespace {
thread_local bool tlsInsidePoolWorker = false;

// How long a thread polls before it blocks on a condition variable. Inside one inference the next
// parallel step follows within microseconds, and a futex wake-up costs more than that (twice per
// step: the worker's start, the caller's end). Kept short: a thread that spins longer takes the
// core from a working thread when the machine is shared (bc-02, Threads).
constexpr auto kSpinBeforeBlocking = std::chrono::microseconds(20);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Polls `ready` for up to kSpinBeforeBlocking; true when it became true.
template <typename Ready>
bool spinUntil(Ready ready) {
  const auto until = std::chrono::steady_clock::now() + kSpinBeforeBlocking;
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (ready()) return true;
      cpuRelax();
    }
    if (std::chrono::steady_clock::now() >= until) return ready();
  }
}
}  // namespace

struct ThreadPool::State {
  std::mutex mu;
  std::condition_variable wake;
  std::condition_variable done;
  std::mutex jobMu;  // one inference (or op) at a time

  // The current job, published under `mu` with a new generation number (atomic so that threads
  // can poll it without the lock before they block).
  std::atomic<uint64_t> generation{0};
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int tasks = 0;
  int threads = 0;
  std::atomic<int> next{0};
  std::atomic<int> finishedWorkers{0};  // helpers that have left the current job
  int helpers = 0;          // helpers taking part in the current job
  std::vector<std::thread> workers;
};

int ThreadPool::hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool& ThreadPool::shared() {
  // Deliberately never destroyed: worker threads blocked on a condition variable at process exit
  // are simply ended, while joining them from a static destructor can deadlock.
  static ThreadPool* pool = new ThreadPool(hardwareThreads());
  return *pool;
}

ThreadPool::ThreadPool(int size) : state_(new State()), size_(size < 1 ? 1 : size) {
  for (int w = 1; w < size_; w++) {
    state_->workers.emplace_back([this, w] {
      tlsInsidePoolWorker = true;
      State& s = *state_;
      uint64_t seen = 0;
      for (;;) {
        spinUntil([&] { return s.generation.load(std::memory_order_acquire) != seen; });
        std::unique_lock<std::mutex> lock(s.mu);
        s.wake.wait(lock, [&] { return s.generation != seen; });
        seen = s.generation;
        if (w >= s.threads) continue;  // not needed for this job
        TaskFn fn = s.fn;
        void* ctx = s.ctx;
        int tasks = s.tasks;
        lock.unlock();
        for (int t = s.next.fetch_add(1); t < tasks; t = s.next.fetch_add(1)) fn(ctx, t, w);
        lock.lock();
        if (++s.finishedWorkers == s.helpers) s.done.notify_one();
      }
    });
    state_->workers.back().detach();
  }
}

void ThreadPool::run(int tasks, int threads, TaskFn fn, void* ctx) {
  if (threads > size_) threads = size_;
  if (threads > tasks) threads = tasks;
  if (threads <= 1 || tlsInsidePoolWorker) {
    for (int t = 0; t < tasks; t++) fn(ctx, t, 0);
    return;
  }
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.fn = fn;
    s.ctx = ctx;
    s.tasks = tasks;
    s.threads = threads;
    s.next.store(0);
    s.finishedWorkers = 0;
    s.helpers = threads - 1;
    s.generation++;
  }
  s.wake.notify_all();
  for (int t = s.next.fetch_add(1); t < tasks; t = s.next.fetch_add(1)) fn(ctx, t, 0);
  if (spinUntil([&] { return s.finishedWorkers.load(std::memory_order_acquire) == s.helpers; })) return;
  std::unique_lock<std::mutex> lock(s.mu);
  s.done.wait(lock, [&] { return s.finishedWorkers == s.helpers; });
}

void ThreadPool::lockJobs() { state_->jobMu.lock(); }
void ThreadPool::unlockJobs() { state_->jobMu.unlock(); }

}  // namespace wsp
