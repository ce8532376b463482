#include "backend/cpu/quant_gemm_k.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "gguf/iq4_values.h"

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace lantern {

namespace {
constexpr int kKRows = PackedKWeights::kGroupRows;

inline int valid_rows(const PackedKWeights& w, int64_t g) {
  return static_cast<int>(std::min<int64_t>(kKRows, w.rows() - g * kKRows));
}

// Value e (0..255) of row r in a super-block's values region, unsigned
// (IQ4_XS: the level its index stands for).
inline int32_t value_at(const PackedKWeights& w, const uint8_t* v, int r, int e) {
  if (!w.nibbles()) return v[e / 4 * 64 + r * 4 + e % 4];
  const int k = (e % 128) / 4;
  const uint8_t byte = v[k * 64 + r * 4 + e % 4];
  int32_t value = e < 128 ? byte & 0x0F : byte >> 4;
  if (w.high_bits()) {
    const uint8_t top = v[PackedKWeights::kHighBitsAt + (k % 16) * 64 + r * 4 + e % 4];
    value |= ((top >> ((k >= 16 ? 4 : 0) + (e >= 128 ? 2 : 0))) & 0x03) << 4;
  }
  return w.levels() ? kIq4Values[value] : value;
}

// The mins' term of a super-block for one row: sum_j min_j * (activations of
// sub-block j summed), from the Q8_K block's sums of 16.
inline int32_t min_sum(const uint8_t* mins, int r, const ActBlockQ8K& x) {
  int32_t s = 0;
  for (int j = 0; j < 8; ++j) s += mins[j * kKRows + r] * (x.bsums[2 * j] + x.bsums[2 * j + 1]);
  return s;
}

void group_scalar(const PackedKWeights& w, int64_t g, const ActBlockQ8K* x, int32_t c0, int32_t c1, float* out,
                  int64_t out_stride, const float* bias) {
  const int64_t nb = w.blocks();
  const int rows = valid_rows(w, g);
  const int32_t off = w.value_offset();
  for (int32_t c = c0; c < c1; ++c) {
    const ActBlockQ8K* xr = x + c * nb;
    for (int r = 0; r < rows; ++r) {
      float acc = 0.0f, acc_min = 0.0f;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* v = w.values(g, b);
        const int8_t* sc = w.scales(g, b);
        int32_t isum = 0;
        for (int s = 0; s < 16; ++s) {
          int32_t a = -off * xr[b].bsums[s];
          for (int i = 0; i < 16; ++i) a += value_at(w, v, r, 16 * s + i) * xr[b].qs[16 * s + i];
          isum += a * sc[s * kKRows + r];
        }
        acc += (xr[b].d * w.d(g, b)[r]) * static_cast<float>(isum);
        if (w.has_mins()) acc_min += (-xr[b].d * w.dmin(g, b)[r]) * static_cast<float>(min_sum(w.mins(g, b), r, xr[b]));
      }
      const float sum = acc + acc_min;
      out[c * out_stride + g * kKRows + r] = bias ? sum + bias[g * kKRows + r] : sum;
    }
  }
}

#if defined(__AVX2__) && defined(__FMA__)
#define LANTERN_GEMM_K_SIMD 1
constexpr int kTokens = 2;  // activation rows per tile (more spill registers)

inline int32_t load_i32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// 8 per-row int8 scales as int32 lanes holding the scale in both int16
// halves, for madd_epi16 against pairs of int16 sums.
inline __m256i scale_pairs(const int8_t* p) {
  const __m256i s = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  return _mm256_or_si256(_mm256_and_si256(s, _mm256_set1_epi32(0xFFFF)), _mm256_slli_epi32(s, 16));
}
inline __m256i lanes_u8(const uint8_t* p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))); }

// One group, activation rows c0..c0+C-1; the group's 16 rows are two halves
// of 8 int32 lanes. Per 4 values, maddubs gives two int16 pair sums of a row
// (values <= 63, |x| <= 127: 16002 at most), which are added as int16 while
// they cannot overflow (4 loads of nibbles or Q5_K, 2 of Q6_K's 0..63) and then
// multiplied by the row's scale into int32 (madd), as llama.cpp's AVX2 K-quant
// dots do. IQ4_XS's nibbles become their signed levels (a byte shuffle),
// which maddubs takes as |level| times x with the level's sign: a pair sum
// reaches 2 * 127 * 127, so each load goes to the scale alone (as llama.cpp's
// IQ4_XS dot).
template <GgmlType T, int C>
void tile_type(const PackedKWeights& w, int64_t g, const ActBlockQ8K* x, int32_t c0, float* out, int64_t out_stride,
               const float* bias) {
  const int64_t nb = w.blocks();
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  // Compile-time per type, so the loops unroll and the sums stay in registers.
  constexpr bool q6 = T == GgmlType::Q6_K, nibbles = T != GgmlType::Q5_K;
  constexpr bool mins = T == GgmlType::Q4_K || T == GgmlType::Q5_K, levels = T == GgmlType::IQ4_XS;
  // Loads summed as int16 before the scale (Q6_K's values reach 63, IQ4_XS's 127).
  constexpr int run = levels ? 1 : q6 ? 2 : 4;
  const __m256i level_table =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Values)));
  __m256 acc[2][C], acc_min[2][C];
  for (int h = 0; h < 2; ++h)
    for (int c = 0; c < C; ++c) acc[h][c] = acc_min[h][c] = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* v = w.values(g, b);
    const int8_t* sc = w.scales(g, b);
    if constexpr (C == 1) {
      // Decode streams the weights from memory: ask for the block after next.
      const char* ahead = reinterpret_cast<const char*>(v) + 2 * w.block_bytes();
      for (int64_t off = 0; off < w.block_bytes(); off += 64) _mm_prefetch(ahead + off, _MM_HINT_T0);
    }
    const ActBlockQ8K* xb[C];
    for (int c = 0; c < C; ++c) xb[c] = x + (c0 + c) * nb + b;
    __m256i isum[2][C];
    for (int h = 0; h < 2; ++h)
      for (int c = 0; c < C; ++c) isum[h][c] = _mm256_setzero_si256();
    if constexpr (nibbles) {
      // Low nibbles are values 0..127 (16-value sub-block q), high ones
      // 128..255 (sub-block q + 8); Q6_K ORs in the top 2 bits.
      for (int q = 0; q < 8; ++q) {
        __m256i s_lo[2], s_hi[2];
        for (int h = 0; h < 2; ++h) {
          s_lo[h] = scale_pairs(sc + q * kKRows + 8 * h);
          s_hi[h] = scale_pairs(sc + (q + 8) * kKRows + 8 * h);
        }
        for (int k0 = 4 * q; k0 < 4 * q + 4; k0 += run) {
          __m256i lo_sum[2][C], hi_sum[2][C];
          for (int h = 0; h < 2; ++h)
            for (int c = 0; c < C; ++c) lo_sum[h][c] = hi_sum[h][c] = _mm256_setzero_si256();
          for (int k = k0; k < k0 + run; ++k) {
            __m256i xl[C], xh[C];
            for (int c = 0; c < C; ++c) {
              xl[c] = _mm256_set1_epi32(load_i32(xb[c]->qs + 4 * k));
              xh[c] = _mm256_set1_epi32(load_i32(xb[c]->qs + 128 + 4 * k));
            }
            for (int h = 0; h < 2; ++h) {
              const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 64 * k + 32 * h));
              __m256i lo = _mm256_and_si256(raw, low4), hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
              if constexpr (q6) {
                const __m256i top = _mm256_loadu_si256(
                    reinterpret_cast<const __m256i*>(v + PackedKWeights::kHighBitsAt + 64 * (k % 16) + 32 * h));
                if (k < 16) {
                  lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(top, _mm256_set1_epi8(0x03)), 4));
                  hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(top, _mm256_set1_epi8(0x0C)), 2));
                } else {
                  lo = _mm256_or_si256(lo, _mm256_and_si256(top, _mm256_set1_epi8(0x30)));
                  hi = _mm256_or_si256(hi, _mm256_srli_epi16(_mm256_and_si256(top, _mm256_set1_epi8(static_cast<char>(0xC0))), 2));
                }
              }
              if constexpr (levels) {
                lo = _mm256_shuffle_epi8(level_table, lo);
                hi = _mm256_shuffle_epi8(level_table, hi);
                for (int c = 0; c < C; ++c) {
                  lo_sum[h][c] = _mm256_maddubs_epi16(_mm256_sign_epi8(lo, lo), _mm256_sign_epi8(xl[c], lo));
                  hi_sum[h][c] = _mm256_maddubs_epi16(_mm256_sign_epi8(hi, hi), _mm256_sign_epi8(xh[c], hi));
                }
              } else {
                for (int c = 0; c < C; ++c) {
                  lo_sum[h][c] = _mm256_add_epi16(lo_sum[h][c], _mm256_maddubs_epi16(lo, xl[c]));
                  hi_sum[h][c] = _mm256_add_epi16(hi_sum[h][c], _mm256_maddubs_epi16(hi, xh[c]));
                }
              }
            }
          }
          for (int h = 0; h < 2; ++h)
            for (int c = 0; c < C; ++c)
              isum[h][c] = _mm256_add_epi32(isum[h][c], _mm256_add_epi32(_mm256_madd_epi16(lo_sum[h][c], s_lo[h]),
                                                                          _mm256_madd_epi16(hi_sum[h][c], s_hi[h])));
        }
        if constexpr (q6)
          for (int c = 0; c < C; ++c) {
            // - 32 * sum(x) per 16 values, times the scale: (-sum, 0) as int16 pairs.
            const __m256i n_lo = _mm256_set1_epi32(-xb[c]->bsums[q] & 0xFFFF);
            const __m256i n_hi = _mm256_set1_epi32(-xb[c]->bsums[q + 8] & 0xFFFF);
            for (int h = 0; h < 2; ++h)
              isum[h][c] = _mm256_add_epi32(
                  isum[h][c], _mm256_slli_epi32(_mm256_add_epi32(_mm256_madd_epi16(s_lo[h], n_lo), _mm256_madd_epi16(s_hi[h], n_hi)), 5));
          }
      }
    } else {
      // Q5_K: whole bytes 0..31, four loads per int16 sum.
      for (int s = 0; s < 16; ++s) {
        const __m256i s_v[2] = {scale_pairs(sc + s * kKRows), scale_pairs(sc + s * kKRows + 8)};
        __m256i p[2][C];
        for (int h = 0; h < 2; ++h)
          for (int c = 0; c < C; ++c) p[h][c] = _mm256_setzero_si256();
        for (int k = 4 * s; k < 4 * s + 4; ++k) {
          __m256i xk[C];
          for (int c = 0; c < C; ++c) xk[c] = _mm256_set1_epi32(load_i32(xb[c]->qs + 4 * k));
          for (int h = 0; h < 2; ++h) {
            const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 64 * k + 32 * h));
            for (int c = 0; c < C; ++c) p[h][c] = _mm256_add_epi16(p[h][c], _mm256_maddubs_epi16(raw, xk[c]));
          }
        }
        for (int h = 0; h < 2; ++h)
          for (int c = 0; c < C; ++c) isum[h][c] = _mm256_add_epi32(isum[h][c], _mm256_madd_epi16(p[h][c], s_v[h]));
      }
    }
    for (int h = 0; h < 2; ++h) {
      const __m256 d = _mm256_loadu_ps(w.d(g, b) + 8 * h);
      for (int c = 0; c < C; ++c)
        acc[h][c] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(xb[c]->d), d), _mm256_cvtepi32_ps(isum[h][c]), acc[h][c]);
    }
    if constexpr (mins) {
      for (int h = 0; h < 2; ++h) {
        const uint8_t* mn = w.mins(g, b) + 8 * h;
        const __m256 dmin = _mm256_loadu_ps(w.dmin(g, b) + 8 * h);
        __m256i msum[C];
        for (int c = 0; c < C; ++c) msum[c] = _mm256_setzero_si256();
        for (int j = 0; j < 8; ++j) {
          const __m256i m = lanes_u8(mn + j * kKRows);
          for (int c = 0; c < C; ++c)
            msum[c] = _mm256_add_epi32(msum[c], _mm256_mullo_epi32(m, _mm256_set1_epi32(xb[c]->bsums[2 * j] + xb[c]->bsums[2 * j + 1])));
        }
        for (int c = 0; c < C; ++c)
          acc_min[h][c] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(-xb[c]->d), dmin), _mm256_cvtepi32_ps(msum[c]), acc_min[h][c]);
      }
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int rows = std::min(8, valid_rows(w, g) - 8 * h);
    for (int c = 0; c < C; ++c) {
      float vals[8];
      _mm256_storeu_ps(vals, _mm256_add_ps(acc[h][c], acc_min[h][c]));
      float* o = out + (c0 + c) * out_stride + g * kKRows + 8 * h;
      for (int r = 0; r < rows; ++r) o[r] = bias ? vals[r] + bias[g * kKRows + 8 * h + r] : vals[r];
    }
  }
}

template <int C>
void tile_simd(const PackedKWeights& w, int64_t g, const ActBlockQ8K* x, int32_t c0, float* out, int64_t out_stride,
               const float* bias) {
  switch (w.type()) {
    case GgmlType::Q4_K: return tile_type<GgmlType::Q4_K, C>(w, g, x, c0, out, out_stride, bias);
    case GgmlType::Q5_K: return tile_type<GgmlType::Q5_K, C>(w, g, x, c0, out, out_stride, bias);
    case GgmlType::IQ4_XS: return tile_type<GgmlType::IQ4_XS, C>(w, g, x, c0, out, out_stride, bias);
    default: return tile_type<GgmlType::Q6_K, C>(w, g, x, c0, out, out_stride, bias);
  }
}

#elif defined(__wasm_simd128__)
#define LANTERN_GEMM_K_SIMD 1
constexpr int kTokens = 2;

// SIMD128 has no byte dot product: bytes widen to int16 and i32x4.dot_i16x8
// sums pairs, so a 16-byte load (4 rows x 4 values) gives two vectors whose
// lanes hold half of a row's 4-value group; the halves are paired up per 16
// values, where the per-row scale applies. IQ4_XS's nibbles become their
// signed levels (a byte swizzle) and widen as signed bytes.
template <int C>
void tile_simd(const PackedKWeights& w, int64_t g, const ActBlockQ8K* x, int32_t c0, float* out, int64_t out_stride,
               const float* bias) {
  const int64_t nb = w.blocks();
  const v128_t low4 = wasm_i8x16_splat(0x0F);
  const v128_t level_table = wasm_v128_load(kIq4Values);
  const bool levels = w.levels();
  const int32_t off = w.value_offset();
  v128_t acc[C][4], acc_min[C][4];
  for (int c = 0; c < C; ++c)
    for (int q = 0; q < 4; ++q) acc[c][q] = acc_min[c][q] = wasm_f32x4_splat(0.0f);
  // 16 values (4 loads of 64 bytes) of rows 4q..4q+3 as int32 lanes, for one
  // token: `part` picks the nibbles (0 low, 1 high) or -1 for whole bytes.
  auto sub_sums = [&](const uint8_t* v, int k0, int part, const int8_t* xq, v128_t* rows) {
    v128_t half[8];
    for (int j = 0; j < 8; ++j) half[j] = wasm_i32x4_splat(0);
    for (int k = k0; k < k0 + 4; ++k) {
      const v128_t x16 = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(xq + 4 * k));
      for (int q = 0; q < 4; ++q) {
        v128_t raw = wasm_v128_load(v + 64 * k + 16 * q);
        if (part == 0) raw = wasm_v128_and(raw, low4);
        if (part == 1) raw = wasm_v128_and(wasm_u8x16_shr(raw, 4), low4);
        if (part >= 0 && w.high_bits()) {
          // Q6_K's top 2 bits: value e's in bits 0-1, e+128's 2-3, e+64's 4-5, e+192's 6-7.
          const v128_t top = wasm_v128_load(v + PackedKWeights::kHighBitsAt + 64 * (k % 16) + 16 * q);
          const int shift = (k >= 16 ? 4 : 0) + 2 * part;
          raw = wasm_v128_or(raw, wasm_i8x16_shl(wasm_v128_and(wasm_u8x16_shr(top, shift), wasm_i8x16_splat(0x03)), 4));
        }
        v128_t lo16, hi16;
        if (levels) {
          raw = wasm_i8x16_swizzle(level_table, raw);
          lo16 = wasm_i16x8_extend_low_i8x16(raw);
          hi16 = wasm_i16x8_extend_high_i8x16(raw);
        } else {
          lo16 = wasm_u16x8_extend_low_u8x16(raw);
          hi16 = wasm_u16x8_extend_high_u8x16(raw);
        }
        half[2 * q] = wasm_i32x4_add(half[2 * q], wasm_i32x4_dot_i16x8(lo16, x16));
        half[2 * q + 1] = wasm_i32x4_add(half[2 * q + 1], wasm_i32x4_dot_i16x8(hi16, x16));
      }
    }
    for (int q = 0; q < 4; ++q) {
      const v128_t a = half[2 * q], b = half[2 * q + 1];
      rows[q] = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
    }
  };
  auto lanes_i8 = [](const int8_t* p) {
    return wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(wasm_v128_load32_zero(p)));
  };
  auto lanes_u8 = [](const uint8_t* p) {
    return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
  };
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* v = w.values(g, b);
    const int8_t* sc = w.scales(g, b);
    for (int c = 0; c < C; ++c) {
      const ActBlockQ8K& xb = x[(c0 + c) * nb + b];
      v128_t isum[4], rows[4];
      for (int q = 0; q < 4; ++q) isum[q] = wasm_i32x4_splat(0);
      for (int s = 0; s < 16; ++s) {
        // Nibbles: sub-block s < 8 is the low nibbles of loads 4s.., s >= 8
        // the high nibbles of loads 4(s - 8)..; bytes: loads 4s...
        if (w.nibbles()) sub_sums(v, 4 * (s % 8), s / 8, xb.qs + (s < 8 ? 0 : 128), rows);
        else sub_sums(v, 4 * s, -1, xb.qs, rows);
        const v128_t corr = wasm_i32x4_splat(-off * xb.bsums[s]);
        for (int q = 0; q < 4; ++q)
          isum[q] = wasm_i32x4_add(isum[q], wasm_i32x4_mul(wasm_i32x4_add(rows[q], corr), lanes_i8(sc + s * kKRows + 4 * q)));
      }
      const v128_t dx = wasm_f32x4_splat(xb.d);
      for (int q = 0; q < 4; ++q)
        acc[c][q] = wasm_f32x4_add(acc[c][q], wasm_f32x4_mul(wasm_f32x4_mul(dx, wasm_v128_load(w.d(g, b) + 4 * q)), wasm_f32x4_convert_i32x4(isum[q])));
      if (w.has_mins()) {
        const v128_t ndx = wasm_f32x4_splat(-xb.d);
        for (int q = 0; q < 4; ++q) {
          v128_t m = wasm_i32x4_splat(0);
          for (int j = 0; j < 8; ++j)
            m = wasm_i32x4_add(m, wasm_i32x4_mul(lanes_u8(w.mins(g, b) + j * kKRows + 4 * q), wasm_i32x4_splat(xb.bsums[2 * j] + xb.bsums[2 * j + 1])));
          acc_min[c][q] = wasm_f32x4_add(acc_min[c][q], wasm_f32x4_mul(wasm_f32x4_mul(ndx, wasm_v128_load(w.dmin(g, b) + 4 * q)), wasm_f32x4_convert_i32x4(m)));
        }
      }
    }
  }
  const int rows = valid_rows(w, g);
  for (int c = 0; c < C; ++c) {
    float vals[kKRows];
    for (int q = 0; q < 4; ++q) wasm_v128_store(vals + 4 * q, wasm_f32x4_add(acc[c][q], acc_min[c][q]));
    float* o = out + (c0 + c) * out_stride + g * kKRows;
    for (int r = 0; r < rows; ++r) o[r] = bias ? vals[r] + bias[g * kKRows + r] : vals[r];
  }
}
#endif

}  // namespace

void quant_gemm_k_scalar(const PackedKWeights& w, int64_t g0, int64_t g1, const ActBlockQ8K* x, int32_t c0,
                         int32_t c1, float* out, int64_t out_stride, const float* bias) {
  for (int64_t g = g0; g < g1; ++g) group_scalar(w, g, x, c0, c1, out, out_stride, bias);
}

void quant_gemm_k(const PackedKWeights& w, int64_t g0, int64_t g1, const ActBlockQ8K* x, int32_t c0, int32_t c1,
                  float* out, int64_t out_stride, const float* bias) {
#if defined(LANTERN_GEMM_K_SIMD)
  // Activation rows in chunks that stay in L2 while the groups stream past.
  const int32_t chunk = std::max<int32_t>(kTokens, static_cast<int32_t>(512 * 1024 / (w.blocks() * sizeof(ActBlockQ8K))));
  for (int32_t cc = c0; cc < c1; cc += chunk) {
    const int32_t cend = std::min(c1, cc + chunk);
    for (int64_t g = g0; g < g1; ++g) {
      int32_t c = cc;
      for (; c + kTokens <= cend; c += kTokens) tile_simd<kTokens>(w, g, x, c, out, out_stride, bias);
      for (; c < cend; ++c) tile_simd<1>(w, g, x, c, out, out_stride, bias);
    }
  }
#else
  quant_gemm_k_scalar(w, g0, g1, x, c0, c1, out, out_stride, bias);
#endif
}

}  // namespace lantern
