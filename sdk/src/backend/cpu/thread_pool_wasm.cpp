// wasm build without threads: loops run inline on the calling thread.
#include "backend/cpu/thread_pool.h"

namespace lantern {

struct ThreadPool::Impl {};

ThreadPool::ThreadPool(int) {}
ThreadPool::~ThreadPool() = default;
int ThreadPool::size() const { return 1; }
void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn, int64_t) {
  if (n > 0) fn(0, n, 0);
}

}  // namespace lantern
