// Native thread pool. A loop is cut into chunks that threads claim from an
// atomic counter (shrinking as the loop nears its end), the calling thread
// included, so a worker that the OS has
// not scheduled yet (a busy machine) delays nothing: the others take its
// share. The caller waits only for workers that actually joined the loop.
// Idle workers spin briefly (the next loop of a decode step follows within
// microseconds), then sleep on the epoch counter (a futex).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "backend/cpu/thread_pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lantern {

namespace {
inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}
// How long an idle worker spins before it sleeps.
constexpr auto kSpin = std::chrono::microseconds(100);
}  // namespace

struct ThreadPool::Impl {
  int n = 1;
  std::vector<std::thread> workers;
  std::atomic<uint32_t> epoch{0};   // bumped per loop; workers sleep on it
  std::atomic<bool> open{false};    // the current loop still takes workers
  std::atomic<int> active{0};       // workers inside the current loop
  std::atomic<int64_t> next{0};     // first index not yet claimed
  std::atomic<bool> stop{false};
  const std::function<void(int64_t, int64_t, int)>* fn = nullptr;
  int64_t total = 0, chunk = 1;
  std::mutex error_mu;
  std::exception_ptr error;

  // Guided self-scheduling: each claim takes a share of what is left (at
  // least `chunk`), so chunks shrink towards the end and a thread that the
  // OS preempts late in a loop holds up only a small piece of it.
  void run_chunks(int t) {
    int64_t b = next.load(std::memory_order_relaxed);
    for (;;) {
      if (b >= total) return;
      const int64_t size = std::max(chunk, (total - b) / (2 * n));
      if (!next.compare_exchange_weak(b, b + size, std::memory_order_relaxed)) continue;
      (*fn)(b, std::min(total, b + size), t);
      b = next.load(std::memory_order_relaxed);
    }
  }

  // Runs chunks; the first exception of a loop is kept for the caller and
  // the loop's remaining chunks are dropped.
  void run_guarded(int t) {
    try {
      run_chunks(t);
    } catch (...) {
      std::lock_guard<std::mutex> lk(error_mu);
      if (!error) error = std::current_exception();
      next.store(total, std::memory_order_relaxed);
    }
  }

  void worker(int t) {
    uint32_t seen = 0;
    for (;;) {
      if (epoch.load(std::memory_order_acquire) == seen) {
        const auto until = std::chrono::steady_clock::now() + kSpin;
        int spins = 0;
        while (epoch.load(std::memory_order_acquire) == seen && !stop.load(std::memory_order_relaxed)) {
          cpu_relax();
          if (++spins % 64 == 0 && std::chrono::steady_clock::now() > until) {
            epoch.wait(seen, std::memory_order_acquire);
            break;
          }
        }
      }
      if (stop.load(std::memory_order_acquire)) return;
      const uint32_t now = epoch.load(std::memory_order_acquire);
      if (now == seen) continue;  // a spurious wake-up
      seen = now;
      // Join the loop only while it is open (seq_cst pairs with the caller's
      // close-then-count, so either it waits for us or we see it closed).
      active.fetch_add(1, std::memory_order_seq_cst);
      if (open.load(std::memory_order_seq_cst)) run_guarded(t);
      active.fetch_sub(1, std::memory_order_release);
    }
  }
};

ThreadPool::ThreadPool(int n_threads) : impl_(std::make_unique<Impl>()) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  impl_->n = n_threads;
  for (int t = 1; t < n_threads; ++t) impl_->workers.emplace_back([this, t] { impl_->worker(t); });
}

ThreadPool::~ThreadPool() {
  impl_->stop.store(true, std::memory_order_release);
  impl_->epoch.fetch_add(1, std::memory_order_acq_rel);
  impl_->epoch.notify_all();
  for (auto& w : impl_->workers) w.join();
}

int ThreadPool::size() const { return impl_->n; }

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                              int64_t min_chunk) {
  if (n <= 0) return;
  Impl& p = *impl_;
  min_chunk = std::max<int64_t>(1, min_chunk);
  if (p.n == 1 || n < 2 * min_chunk) {
    fn(0, n, 0);
    return;
  }
  p.fn = &fn;
  p.total = n;
  p.chunk = min_chunk;
  p.next.store(0, std::memory_order_relaxed);
  p.open.store(true, std::memory_order_seq_cst);
  p.epoch.fetch_add(1, std::memory_order_seq_cst);
  p.epoch.notify_all();
  p.error = nullptr;
  p.run_guarded(0);
  p.open.store(false, std::memory_order_seq_cst);
  // Workers that joined may still be finishing a chunk.
  // Workers that joined may still be finishing a chunk; if one was preempted
  // (a busy machine), give the core away rather than spin against it.
  for (int spins = 0; p.active.load(std::memory_order_seq_cst) != 0; ++spins) {
    if (spins < 256) cpu_relax();
    else std::this_thread::yield();
  }
  if (p.error) std::rethrow_exception(p.error);
}

}  // namespace lantern
