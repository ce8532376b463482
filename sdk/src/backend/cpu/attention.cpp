// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized once inlined (a known
// false positive about _mm512_undefined_*).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "backend/cpu/attention.h"

#include <algorithm>
#include <cmath>

#include "backend/cpu/half.h"
#include "backend/cpu/quant_dot.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace lantern {

namespace {
inline float round_f16(float x) { return half_to_float(float_to_half(x)); }

#if defined(__AVX512F__)
constexpr int kStep = 64;  // GGML_F16_STEP on AVX-512: 4 vectors of 16
inline __m512 load_f16(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
inline __m512 round_f16(__m512 x) { return _mm512_cvtph_ps(_mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT)); }
#else
constexpr int kStep = 0;   // no vector part: every element takes the scalar path
#endif

// GGML's ggml_vec_dot_f16(k, q): vector part in float, leftovers in double.
inline float dot_f16(const uint16_t* k, const float* q, int32_t n, int32_t n_vec) {
  double sum = 0.0;
#if defined(__AVX512F__)
  if (n_vec > 0) {
    __m512 s[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int32_t i = 0; i < n_vec; i += kStep)
      for (int j = 0; j < 4; ++j) s[j] = _mm512_fmadd_ps(load_f16(k + i + 16 * j), _mm512_loadu_ps(q + i + 16 * j), s[j]);
    s[0] = _mm512_add_ps(s[0], s[2]);
    s[1] = _mm512_add_ps(s[1], s[3]);
    s[0] = _mm512_add_ps(s[0], s[1]);
    sum = _mm512_reduce_add_ps(s[0]);
  }
#endif
  for (int32_t i = n_vec; i < n; ++i) sum += static_cast<double>(half_to_float(k[i]) * q[i]);
  return static_cast<float>(sum);
}

// acc = fp16(acc * s)
inline void scale_f16(float* acc, float s, int32_t n, int32_t n_vec) {
#if defined(__AVX512F__)
  const __m512 vs = _mm512_set1_ps(s);
  for (int32_t i = 0; i < n_vec; i += 16) _mm512_storeu_ps(acc + i, round_f16(_mm512_mul_ps(_mm512_loadu_ps(acc + i), vs)));
#endif
  for (int32_t i = n_vec; i < n; ++i) acc[i] = round_f16(acc[i] * s);
}

// acc = fp16(acc + v * s)
inline void mad_f16(float* acc, const uint16_t* v, float s, int32_t n, int32_t n_vec) {
#if defined(__AVX512F__)
  const __m512 vs = _mm512_set1_ps(s);
  for (int32_t i = 0; i < n_vec; i += 16)
    _mm512_storeu_ps(acc + i, round_f16(_mm512_fmadd_ps(load_f16(v + i), vs, _mm512_loadu_ps(acc + i))));
#endif
  for (int32_t i = n_vec; i < n; ++i) acc[i] = round_f16(acc[i] + half_to_float(v[i]) * s);
}
}  // namespace

void attend_head_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t stride, int32_t n_keys,
                     int32_t hd, float scale, float* out, float* scratch) {
  const int32_t n_vec = kStep ? hd / kStep * kStep : 0;
  float* qf = scratch;       // the query as fp16 values
  float* acc = scratch + hd; // fp16 values held in floats
  for (int32_t d = 0; d < hd; ++d) {
    qf[d] = round_f16(q[d]);
    acc[d] = 0.0f;
  }
  float S = 0.0f, M = -INFINITY;
  for (int32_t j = 0; j < n_keys; ++j) {
    const float sc = dot_f16(k + j * stride, qf, hd, n_vec) * scale;
    float ms = 1.0f, vs = 1.0f;
    if (sc > M) {
      const float m_old = M;
      M = sc;
      ms = std::exp(m_old - M);
      scale_f16(acc, ms, hd, n_vec);
    } else {
      vs = std::exp(sc - M);
    }
    mad_f16(acc, v + j * stride, vs, hd, n_vec);
    S = S * ms + vs;
  }
  const float inv = S == 0.0f ? 0.0f : 1.0f / S;
  for (int32_t d = 0; d < hd; ++d) out[d] = acc[d] * inv;
}

void attend_head_f32(const float* q, const float* k, const float* v, int64_t stride, int32_t n_keys, int32_t hd,
                     float scale, float* out, float* scores) {
  float maxs = -INFINITY;
  for (int32_t j = 0; j < n_keys; ++j) {
    scores[j] = dot_f32(q, k + j * stride, hd) * scale;
    maxs = std::max(maxs, scores[j]);
  }
  double sum = 0.0;
  for (int32_t j = 0; j < n_keys; ++j) {
    scores[j] = std::exp(scores[j] - maxs);
    sum += scores[j];
  }
  const float inv = static_cast<float>(1.0 / sum);
  std::fill(out, out + hd, 0.0f);
  for (int32_t j = 0; j < n_keys; ++j) {
    const float p = scores[j] * inv;
    const float* vv = v + j * stride;
    for (int32_t d = 0; d < hd; ++d) out[d] += p * vv[d];
  }
}

}  // namespace lantern
