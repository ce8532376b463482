// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized once inlined (a known
// false positive about _mm512_undefined_*).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "backend/cpu/attention.h"

#include <algorithm>
#include <cmath>

#include "backend/backend.h"
#include "backend/cpu/half.h"
#include "backend/cpu/quant_dot.h"
#include "backend/cpu/vec_math.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace lantern {

namespace {
inline float round_f16(float x) { return half_to_float(float_to_half(x)); }

// A score from q.k: times scale, then soft-capped where softcap > 0 (the
// scale divided by the cap first, as llama.cpp's flash attention does).
struct ScoreFn {
  float mul, cap;
  ScoreFn(float scale, float softcap) : mul(score_multiplier(scale, softcap)), cap(softcap) {}
  float operator()(float dot) const { return cap > 0.0f ? cap * std::tanh(dot * mul) : dot * mul; }
};

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
                     int32_t hd, float scale, float softcap, float* out, float* scratch) {
  const ScoreFn score(scale, softcap);
  const int32_t n_vec = kStep > 0 ? hd - hd % std::max(kStep, 1) : 0;
  float* qf = scratch;       // the query as fp16 values
  float* acc = scratch + hd; // fp16 values held in floats
  for (int32_t d = 0; d < hd; ++d) {
    qf[d] = round_f16(q[d]);
    acc[d] = 0.0f;
  }
  float S = 0.0f, M = -INFINITY;
  for (int32_t j = 0; j < n_keys; ++j) {
    const float sc = score(dot_f16(k + j * stride, qf, hd, n_vec));
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

namespace {
// a + b * c, fused where the target has FMA (as GGML's vector code does).
inline float madd(float a, float b, float c) {
#if defined(__FMA__)
  return std::fma(b, c, a);
#else
  return a + b * c;
#endif
}
}  // namespace

int64_t attention_tile_scratch(int32_t hd, int32_t n_heads) {
  constexpr int64_t T = kAttentionTile;
  // keys (transposed) and values of a tile, one head's scores, each head's
  // sums, and M, S per head and row.
  return 2 * T * hd + T * T + n_heads * (T * hd + 2 * T);
}

namespace {
// s[r][0..T) = q[r] . keys, for rows [0, n_rows) of one head (kt: [hd][T]).
void tile_scores(const float* q, int64_t q_stride, int32_t n_rows, const float* kt, int32_t hd, float* s) {
  constexpr int32_t T = kAttentionTile;
  int32_t r = 0;
#if defined(__AVX512F__)
  for (; r + 4 <= n_rows; r += 4) {
    __m512 acc[4][4];
    for (int i = 0; i < 4; ++i)
      for (int c = 0; c < 4; ++c) acc[i][c] = _mm512_setzero_ps();
    for (int32_t d = 0; d < hd; ++d) {
      __m512 kv[4];
      for (int c = 0; c < 4; ++c) kv[c] = _mm512_loadu_ps(kt + d * T + 16 * c);
      for (int i = 0; i < 4; ++i) {
        const __m512 qb = _mm512_set1_ps(q[(r + i) * q_stride + d]);
        for (int c = 0; c < 4; ++c) acc[i][c] = _mm512_fmadd_ps(kv[c], qb, acc[i][c]);
      }
    }
    for (int i = 0; i < 4; ++i)
      for (int c = 0; c < 4; ++c) _mm512_storeu_ps(s + (r + i) * T + 16 * c, acc[i][c]);
  }
#endif
  for (; r < n_rows; ++r) {
    float* sr = s + r * T;
    std::fill(sr, sr + T, 0.0f);
    for (int32_t d = 0; d < hd; ++d) {
      const float qd = q[r * q_stride + d];
      for (int32_t j = 0; j < T; ++j) sr[j] = madd(sr[j], kt[d * T + j], qd);
    }
  }
}

// acc[r] += sum_j p[r][j] * values[j] over j < kn, for rows [0, n_rows).
void tile_values(const float* p, int32_t n_rows, const float* vt, int32_t kn, int32_t hd, float* acc) {
  constexpr int32_t T = kAttentionTile;
  int32_t r = 0;
#if defined(__AVX512F__)
  if (hd == 64) {
    for (; r + 4 <= n_rows; r += 4) {
      __m512 a[4][4];
      for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 4; ++c) a[i][c] = _mm512_loadu_ps(acc + (r + i) * hd + 16 * c);
      for (int32_t j = 0; j < kn; ++j) {
        __m512 vv[4];
        for (int c = 0; c < 4; ++c) vv[c] = _mm512_loadu_ps(vt + j * hd + 16 * c);
        for (int i = 0; i < 4; ++i) {
          const __m512 pb = _mm512_set1_ps(p[(r + i) * T + j]);
          for (int c = 0; c < 4; ++c) a[i][c] = _mm512_fmadd_ps(vv[c], pb, a[i][c]);
        }
      }
      for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 4; ++c) _mm512_storeu_ps(acc + (r + i) * hd + 16 * c, a[i][c]);
    }
  }
#endif
  for (; r < n_rows; ++r) {
    float* a = acc + r * hd;
    for (int32_t j = 0; j < kn; ++j) {
      const float pj = p[r * T + j];
      const float* vj = vt + j * hd;
      for (int32_t d = 0; d < hd; ++d) a[d] = madd(a[d], vj[d], pj);
    }
  }
}
}  // namespace

void attend_rows_tiled_f16(const float* q, int64_t q_stride, int32_t n_heads, int32_t n_rows, int32_t pos_first,
                           const uint16_t* k, const uint16_t* v, int64_t stride, int32_t hd, float scale,
                           float softcap, int32_t window, float* out, int64_t out_stride, float* scratch) {
  constexpr int32_t T = kAttentionTile;
  const ScoreFn score(scale, softcap);
  float* kt = scratch;       // [hd][T]: the key tile, transposed
  float* vt = kt + T * hd;   // [T][hd]: the value tile
  float* sc = vt + T * hd;   // [n_rows][T]: one head's scores, then probabilities
  float* acc = sc + T * T;   // per head [n_rows][hd]
  float* MS = acc + static_cast<int64_t>(n_heads) * T * hd;  // per head: M[T], S[T]
  for (int32_t h = 0; h < n_heads; ++h) {
    std::fill(MS + h * 2 * T, MS + h * 2 * T + T, -INFINITY);
    std::fill(MS + h * 2 * T + T, MS + (h + 1) * 2 * T, 0.0f);
  }
  std::fill(acc, acc + static_cast<int64_t>(n_heads) * T * hd, 0.0f);
  const int32_t n_keys = pos_first + n_rows;  // the last row sees up to here
  // The first row's window starts the first tile that anyone sees (tiles
  // stay aligned to multiples of T, as llama.cpp's are).
  const int32_t first_key = window > 0 ? std::max(0, pos_first - window + 1) : 0;
  for (int32_t k0 = first_key / T * T; k0 < n_keys; k0 += T) {
    const int32_t kn = std::min(T, n_keys - k0);
    // Widen the tile once for all heads that share it (zero padded).
    for (int32_t j = 0; j < T; ++j) {
      const uint16_t* kj = k + (k0 + j) * stride;
      const uint16_t* vj = v + (k0 + j) * stride;
      for (int32_t d = 0; d < hd; ++d) {
        kt[d * T + j] = j < kn ? half_to_float(kj[d]) : 0.0f;
        vt[j * hd + d] = j < kn ? half_to_float(vj[d]) : 0.0f;
      }
    }
    for (int32_t h = 0; h < n_heads; ++h) {
      float* M = MS + h * 2 * T;
      float* S = M + T;
      float* acc_h = acc + static_cast<int64_t>(h) * T * hd;
      tile_scores(q + h * hd, q_stride, n_rows, kt, hd, sc);
      for (int32_t r = 0; r < n_rows; ++r) {
        float* s = sc + r * T;
        // Score, then mask keys past this row's position (and the padding)
        // and before its window.
        const int32_t visible = std::min(kn, pos_first + r + 1 - k0);
        const int32_t hidden = window > 0 ? pos_first + r - window + 1 - k0 : 0;  // keys before the window
        float tile_max = -INFINITY;
        for (int32_t j = 0; j < T; ++j) {
          s[j] = j < visible && j >= hidden ? score(s[j]) : -INFINITY;
          tile_max = std::max(tile_max, s[j]);
        }
        if (tile_max == -INFINITY) {  // nothing visible to this row here
          std::fill(s, s + T, 0.0f);
          continue;
        }
        const float m_new = std::max(M[r], tile_max);
        if (m_new > M[r]) {
          const float ms = std::exp(M[r] - m_new);
          for (int32_t d = 0; d < hd; ++d) acc_h[r * hd + d] *= ms;
          S[r] *= ms;
        }
        M[r] = m_new;
        for (int32_t j = 0; j < T; ++j) s[j] -= m_new;
        exp_row(s, s, T);
        double sum = 0.0;
        for (int32_t j = 0; j < T; ++j) sum += s[j];
        S[r] += static_cast<float>(sum);
      }
      tile_values(sc, n_rows, vt, kn, hd, acc_h);
    }
  }
  for (int32_t h = 0; h < n_heads; ++h) {
    const float* S = MS + h * 2 * T + T;
    for (int32_t r = 0; r < n_rows; ++r) {
      const float inv = S[r] == 0.0f ? 0.0f : 1.0f / S[r];
      for (int32_t d = 0; d < hd; ++d) out[r * out_stride + h * hd + d] = acc[(static_cast<int64_t>(h) * T + r) * hd + d] * inv;
    }
  }
}

void attend_head_f32(const float* q, const float* k, const float* v, int64_t stride, int32_t n_keys, int32_t hd,
                     float scale, float softcap, float* out, float* scores) {
  const ScoreFn score(scale, softcap);
  float maxs = -INFINITY;
  for (int32_t j = 0; j < n_keys; ++j) {
    scores[j] = score(dot_f32(q, k + j * stride, hd));
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
