// Memory for weight matrices the CPU backend re-lays (packed_weights.h,
// packed_k_weights.h): 64-byte aligned for vector loads and, natively on
// Linux, asked to be backed by transparent huge pages (the kernel's "madvise"
// mode gives them only on request). Decode streams every weight once a token;
// with 4 KiB pages that is a TLB miss every 4 KiB, and the hardware prefetcher
// stops at each page boundary.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

namespace lantern {

class WeightBuffer {
 public:
  WeightBuffer() = default;
  // `zeroed`: padding the packer skips must read as zero.
  WeightBuffer(size_t bytes, bool zeroed) {
    constexpr size_t kHugePage = size_t{2} << 20;
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    const bool huge = bytes >= kHugePage;
#else
    const bool huge = false;  // wasm's linear memory has no pages to ask for: no 2 MiB padding there
#endif
    const size_t align = huge ? kHugePage : 64;
    const size_t size = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, size);
    if (!p) throw std::bad_alloc();
    mem_.reset(static_cast<uint8_t*>(p));
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    if (huge) madvise(p, size, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
    if (zeroed) std::memset(p, 0, bytes);  // the rounding's tail is never read, nor touched
  }
  uint8_t* data() const { return mem_.get(); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> mem_;
};

}  // namespace lantern
