// fp16 <-> f32 in hot loops: the F16C instructions where the target has them
// (the same round-to-nearest-even conversions GGML's CPU backend uses), the
// portable bit-exact conversions from gguf/dequant.h elsewhere.
#pragma once
#include <cstdint>
#include <cstring>

#include "gguf/dequant.h"

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace lantern {

inline float half_to_float(uint16_t h) {
#if defined(__F16C__)
  return _cvtsh_ss(h);
#else
  return fp16_to_fp32(h);
#endif
}

// The fp16 stored little-endian at p (block scales in GGML formats).
inline float half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}

inline uint16_t float_to_half(float f) {
#if defined(__F16C__)
  return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT);
#else
  return fp32_to_fp16(f);
#endif
}

}  // namespace lantern
