// Native thread pool: workers spin briefly on an epoch counter, then sleep on
// a condition variable, so back-to-back loops of a decode step do not pay a
// kernel wake-up each.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "backend/cpu/thread_pool.h"

namespace lantern {

struct ThreadPool::Impl {
  int n = 1;
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> epoch{0};
  std::atomic<int> remaining{0};
  std::atomic<bool> stop{false};
  const std::function<void(int64_t, int64_t, int)>* fn = nullptr;
  int64_t total = 0;

  void run_slice(int t) {
    const int64_t per = (total + n - 1) / n;
    const int64_t b = std::min<int64_t>(total, per * t), e = std::min<int64_t>(total, b + per);
    if (b < e) (*fn)(b, e, t);
  }

  void worker(int t) {
    uint64_t seen = 0;
    for (;;) {
      // Spin a little: the next loop of a step usually follows within microseconds.
      for (int i = 0; i < 2000 && epoch.load(std::memory_order_acquire) == seen && !stop.load(); ++i) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      if (epoch.load(std::memory_order_acquire) == seen && !stop.load()) {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return epoch.load() != seen || stop.load(); });
      }
      if (stop.load()) return;
      seen = epoch.load(std::memory_order_acquire);
      run_slice(t);
      remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
};

ThreadPool::ThreadPool(int n_threads) : impl_(std::make_unique<Impl>()) {
  if (n_threads <= 0) n_threads = std::max(1u, std::thread::hardware_concurrency());
  impl_->n = n_threads;
  for (int t = 1; t < n_threads; ++t) impl_->workers.emplace_back([this, t] { impl_->worker(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  for (auto& w : impl_->workers) w.join();
}

int ThreadPool::size() const { return impl_->n; }

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                              int64_t min_chunk) {
  if (n <= 0) return;
  Impl& p = *impl_;
  if (p.n == 1 || n < 2 * min_chunk) {
    fn(0, n, 0);
    return;
  }
  p.fn = &fn;
  p.total = n;
  p.remaining.store(p.n - 1, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(p.mu);
    p.epoch.fetch_add(1, std::memory_order_acq_rel);
  }
  p.cv.notify_all();
  p.run_slice(0);
  while (p.remaining.load(std::memory_order_acquire) != 0) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

}  // namespace lantern
