#include "backend/cpu/quant_dot.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/cpu/half.h"
#include "gguf/dequant.h"
#include "gguf/iq4_values.h"

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

bool uses_q8_activations(GgmlType type) {
  return type == GgmlType::Q4_0 || type == GgmlType::Q5_0 || type == GgmlType::Q8_0 || type == GgmlType::IQ4_NL;
}

void unpack_iq4_nl_block(const uint8_t* block, int8_t* q) {
  const uint8_t* qs = block + 2;
  for (int j = 0; j < 16; ++j) {
    q[j] = kIq4Values[qs[j] & 0x0F];
    q[j + 16] = kIq4Values[qs[j] >> 4];
  }
}

void unpack_q5_0_block(const uint8_t* block, int8_t* q) {
  uint32_t qh;
  std::memcpy(&qh, block + 2, 4);
  const uint8_t* qs = block + 6;
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>(((qs[j] & 0x0F) | (((qh >> j) & 1u) << 4)) - 16);
    q[j + 16] = static_cast<int8_t>(((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4)) - 16);
  }
}

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

float dot_q5_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n) {
  const auto* w = static_cast<const uint8_t*>(w_row);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQ8Block; ++b, w += kQ5_0BlockBytes) {
    int8_t q[kQ8Block];
    unpack_q5_0_block(w, q);
    uint16_t d;
    std::memcpy(&d, w, 2);
    int32_t s = 0;
    for (int j = 0; j < kQ8Block; ++j) s += q[j] * x[b].qs[j];
    sum += static_cast<float>(s) * (half_to_float(d) * x[b].d);
  }
  return sum;
}

// llama.cpp's ggml_vec_dot_iq4_nl_q8_0: per block an integer sum of levels
// times activations, scaled by d_w * d_x.
float dot_iq4_nl_q8(const void* w_row, const ActBlockQ8* x, int64_t n) {
  const auto* w = static_cast<const uint8_t*>(w_row);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQ8Block; ++b, w += kIq4NlBlockBytes) {
    int8_t q[kQ8Block];
    unpack_iq4_nl_block(w, q);
    uint16_t d;
    std::memcpy(&d, w, 2);
    int32_t s = 0;
    for (int j = 0; j < kQ8Block; ++j) s += q[j] * x[b].qs[j];
    sum += static_cast<float>(s) * (half_to_float(d) * x[b].d);
  }
  return sum;
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

bool uses_q8k_activations(GgmlType type) {
  return type == GgmlType::Q4_K || type == GgmlType::Q5_K || type == GgmlType::Q6_K || type == GgmlType::IQ4_XS;
}

void quantize_act_q8k(const float* x, ActBlockQ8K* out, int64_t n) {
  for (int64_t b = 0; b < n / kQ8KBlock; ++b, x += kQ8KBlock) {
    ActBlockQ8K& o = out[b];
    // The element of largest magnitude, with its sign: it becomes -127.
    float amax = 0.0f, max = 0.0f;
    for (int i = 0; i < kQ8KBlock; ++i)
      if (std::fabs(x[i]) > amax) {
        amax = std::fabs(x[i]);
        max = x[i];
      }
    if (amax == 0.0f) {
      std::memset(&o, 0, sizeof o);
      continue;
    }
    const float iscale = -127.0f / max;
    for (int i = 0; i < kQ8KBlock; ++i)
      o.qs[i] = static_cast<int8_t>(std::min(127, static_cast<int>(std::nearbyint(iscale * x[i]))));
    for (int g = 0; g < kQ8KBlock / 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += o.qs[g * 16 + i];
      o.bsums[g] = static_cast<int16_t>(sum);
    }
    o.d = 1.0f / iscale;
  }
}

namespace {
// sum over g of scales[g] * (16 quants of group g . 16 activations), for
// one block of 256.
int32_t block_sum(const int8_t* q, const int8_t* a, const int16_t* scales) {
#if defined(__AVX2__)
  __m256i acc = _mm256_setzero_si256();
  for (int c = 0; c < 8; ++c) {  // 32 elements: two groups of 16
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32 * c));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * c));
    // Pair sums as int16 (|q|, |a| <= 127: at most 32258, no saturation), in element
    // order within each 128-bit half: group 2c low, group 2c+1 high.
    const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(wq, wq), _mm256_sign_epi8(xq, wq));
    const __m256i sc = _mm256_set_m128i(_mm_set1_epi16(scales[2 * c + 1]), _mm_set1_epi16(scales[2 * c]));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, sc));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
#else
  int32_t sum = 0;
  for (int g = 0; g < 16; ++g) {
    int32_t s = 0;
    for (int i = 0; i < 16; ++i) s += q[16 * g + i] * a[16 * g + i];
    sum += scales[g] * s;
  }
  return sum;
#endif
}
}  // namespace

void unpack_k_row(GgmlType type, const void* w_row, int64_t n, KQuantRow& out) {
  const auto* w = static_cast<const uint8_t*>(w_row);
  const int64_t nb = n / kQ8KBlock;
  out.type = type;
  out.q.resize(n);
  out.scales.resize(nb * 16);
  out.d.resize(nb);
  if (type == GgmlType::Q6_K) {
    // 210-byte blocks: ql[128], qh[64], 16 int8 scales, d; value d*scale*(q-32).
    for (int64_t b = 0; b < nb; ++b, w += 210) {
      for (int h = 0; h < 2; ++h) {
        const uint8_t* ql = w + 64 * h;
        const uint8_t* qh = w + 128 + 32 * h;
        int8_t* y = &out.q[b * kQ8KBlock + 128 * h];
        for (int l = 0; l < 32; ++l) {
          y[l] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
          y[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
          y[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
          y[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
      }
      const auto* sc = reinterpret_cast<const int8_t*>(w + 192);
      for (int g = 0; g < 16; ++g) out.scales[b * 16 + g] = sc[g];
      out.d[b] = half_at(w + 208);
    }
    return;
  }
  if (type == GgmlType::IQ4_XS) {
    // 136-byte blocks: d, scales_h, scales_l[4], qs[128]; eight sub-blocks
    // of 32, value d * (6-bit scale - 32) * level (as GGML's dequantiser).
    for (int64_t b = 0; b < nb; ++b, w += 136) {
      uint16_t scales_h;
      std::memcpy(&scales_h, w + 2, 2);
      for (int s = 0; s < 8; ++s) {
        const int ls = ((w[4 + s / 2] >> (4 * (s % 2))) & 0xF) | (((scales_h >> (2 * s)) & 3) << 4);
        out.scales[b * 16 + 2 * s] = out.scales[b * 16 + 2 * s + 1] = static_cast<int16_t>(ls - 32);
        const uint8_t* qs = w + 8 + 16 * s;
        int8_t* y = &out.q[b * kQ8KBlock + 32 * s];
        for (int j = 0; j < 16; ++j) {
          y[j] = kIq4Values[qs[j] & 0xF];
          y[j + 16] = kIq4Values[qs[j] >> 4];
        }
      }
      out.d[b] = half_at(w);
    }
    return;
  }
  // Q4_K (144-byte blocks) and Q5_K (176): d, dmin, 12 bytes of 6-bit
  // (scale, min) pairs, [qh[32]], qs[128]; eight sub-blocks of 32, value
  // d*scale*q - dmin*min.
  const bool five_bit = type == GgmlType::Q5_K;
  const int64_t block_bytes = five_bit ? 176 : 144;
  out.mins.resize(nb * 8);
  out.dmin.resize(nb);
  for (int64_t b = 0; b < nb; ++b, w += block_bytes) {
    const uint8_t* qh = w + 16;
    const uint8_t* ql = w + (five_bit ? 48 : 16);
    int8_t* y = &out.q[b * kQ8KBlock];
    for (int c = 0; c < 4; ++c)  // 64 elements: low nibbles, then high nibbles
      for (int l = 0; l < 32; ++l) {
        const int hi0 = five_bit ? ((qh[l] >> (2 * c)) & 1) << 4 : 0;
        const int hi1 = five_bit ? ((qh[l] >> (2 * c + 1)) & 1) << 4 : 0;
        y[64 * c + l] = static_cast<int8_t>((ql[32 * c + l] & 0xF) | hi0);
        y[64 * c + 32 + l] = static_cast<int8_t>((ql[32 * c + l] >> 4) | hi1);
      }
    for (int j = 0; j < 8; ++j) {
      int sc, mn;
      k4_scale_min(w + 4, j, sc, mn);
      out.scales[b * 16 + 2 * j] = out.scales[b * 16 + 2 * j + 1] = static_cast<int16_t>(sc);
      out.mins[b * 8 + j] = static_cast<int16_t>(mn);
    }
    out.d[b] = half_at(w);
    out.dmin[b] = half_at(w + 2);
  }
}

float dot_k_q8k(const KQuantRow& w, const ActBlockQ8K* x, int64_t n) {
  const int64_t nb = n / kQ8KBlock;
  float acc = 0.0f, acc_min = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    const int32_t sumi = block_sum(&w.q[b * kQ8KBlock], x[b].qs, &w.scales[b * 16]);
    acc += (x[b].d * w.d[b]) * static_cast<float>(sumi);
    if (k_has_mins(w.type)) {
      // The mins meet the activations' sums: sum_j min_j * sum(a in sub-block j).
      int32_t summ = 0;
      for (int j = 0; j < 8; ++j) summ += w.mins[b * 8 + j] * (x[b].bsums[2 * j] + x[b].bsums[2 * j + 1]);
      acc_min += (-x[b].d * w.dmin[b]) * static_cast<float>(summ);
    }
  }
  return acc + acc_min;
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
