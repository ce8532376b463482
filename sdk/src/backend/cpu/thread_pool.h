// Splits loops over the machine's cores. Native builds keep worker threads
// parked between calls (a decode step issues hundreds of short loops, so
// waking threads must cost microseconds); the wasm build runs loops inline.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

namespace lantern {

class ThreadPool {
 public:
  // n_threads <= 0: one per hardware core.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const;
  // Calls fn(begin, end, thread_index) over [0, n) in contiguous chunks of
  // at least min_chunk indices, spread over the threads, and returns when all
  // are done. A thread index runs one chunk at a time (per-thread scratch can
  // be keyed on it). Loops shorter than 2 * min_chunk run on the calling
  // thread alone. If fn throws, the rest of the loop is skipped and the first
  // exception is rethrown here once every thread has left the loop.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                    int64_t min_chunk = 1);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lantern
