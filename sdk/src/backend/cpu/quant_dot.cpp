#include "backend/cpu/quant_dot.h"

#include <cmath>
#include <cstring>

#include "backend/cpu/half.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace lantern {

namespace {
// GGML's on-disk blocks.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[16];
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};
static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ8_0) == 34);


#if defined(__AVX2__)
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Eight int32 partial sums of a signed x signed byte product.
inline __m256i dot_i8(__m256i a, __m256i b) {
  const __m256i ua = _mm256_sign_epi8(a, a);  // |a|
  const __m256i sb = _mm256_sign_epi8(b, a);  // b with a's sign
#if defined(__AVXVNNI__)
  return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), ua, sb);
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), ua, sb);
#else
  return _mm256_madd_epi16(_mm256_maddubs_epi16(ua, sb), _mm256_set1_epi16(1));
#endif
}
#endif
}  // namespace

bool uses_q8_activations(GgmlType type) { return type == GgmlType::Q4_0 || type == GgmlType::Q8_0; }

void quantize_act_q8(const float* x, ActBlockQ8* out, int64_t n) {
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const float* xb = x + b * kQ8Block;
    float amax = 0.0f;
    for (int i = 0; i < kQ8Block; ++i) amax = std::fmax(amax, std::fabs(xb[i]));
    // As GGML's x86 quantize_row_q8_0 (the path llama.cpp runs here): the
    // multiplier is 127/amax, not 1/d.
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    ActBlockQ8& o = out[b];
    o.d = half_to_float(float_to_half(d));
    int32_t sum = 0;
    for (int i = 0; i < kQ8Block; ++i) {
      o.qs[i] = static_cast<int8_t>(std::nearbyint(xb[i] * id));
      sum += o.qs[i];
    }
    o.sum = sum;
  }
}

float dot_q4_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n) {
  const auto* w = static_cast<const BlockQ4_0*>(w_row);
  const int64_t nb = n / kQ8Block;
#if defined(__AVX2__)
  __m256 acc = _mm256_setzero_ps();
  const __m128i low4 = _mm_set1_epi8(0x0F);
  for (int64_t b = 0; b < nb; ++b) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].qs));
    const __m128i lo = _mm_and_si128(q, low4);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(q, 4), low4);
    const __m256i wq = _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(8));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256 d = _mm256_set1_ps(half_to_float(w[b].d) * x[b].d);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_i8(wq, xq)), d, acc);
  }
  return hsum(acc);
#else
  float sum = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    int32_t s = 0;
    for (int j = 0; j < 16; ++j) {
      s += ((w[b].qs[j] & 0x0F) - 8) * x[b].qs[j];
      s += ((w[b].qs[j] >> 4) - 8) * x[b].qs[j + 16];
    }
    sum += static_cast<float>(s) * (half_to_float(w[b].d) * x[b].d);
  }
  return sum;
#endif
}

float dot_q8_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n) {
  const auto* w = static_cast<const BlockQ8_0*>(w_row);
  const int64_t nb = n / kQ8Block;
#if defined(__AVX2__)
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256 d = _mm256_set1_ps(half_to_float(w[b].d) * x[b].d);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_i8(wq, xq)), d, acc);
  }
  return hsum(acc);
#else
  float sum = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    int32_t s = 0;
    for (int j = 0; j < kQ8Block; ++j) s += w[b].qs[j] * x[b].qs[j];
    sum += static_cast<float>(s) * (half_to_float(w[b].d) * x[b].d);
  }
  return sum;
#endif
}

float dot_f32(const float* a, const float* b, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float sum = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
#else
  float sum = 0.0f;
#endif
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace lantern
