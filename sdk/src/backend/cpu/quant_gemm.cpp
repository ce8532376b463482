// GCC 12's AVX-512 headers build some intrinsics from _mm512_undefined_*(),
// which -Wall reports as uninitialised once inlined (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "backend/cpu/quant_gemm.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "backend/cpu/half.h"
#include "backend/cpu/thread_pool.h"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace lantern {

namespace {
constexpr int kRows = PackedWeights::kGroupRows;

inline int32_t load_i32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// One block of 32 activations as GGML's x86 quantize_row_q8_0 computes it:
// scale amax/127 (stored through fp16), values round-to-nearest-even of
// x * (127/amax). Returns the sum of the values.
inline int32_t quantize_block(const float* x, int8_t* q, float* d_out) {
#if defined(__AVX512F__)
  const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
#else
  float amax = 0.0f;
  for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[i]));
#endif
  const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
  *d_out = half_to_float(float_to_half(amax / 127.0f));
  int32_t sum = 0;
#if defined(__AVX512F__)
  const __m512 vid = _mm512_set1_ps(id);
  const __m512i a = _mm512_cvtps_epi32(_mm512_mul_ps(x0, vid));
  const __m512i b = _mm512_cvtps_epi32(_mm512_mul_ps(x1, vid));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtsepi32_epi8(a));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm512_cvtsepi32_epi8(b));
  sum = _mm512_reduce_add_epi32(_mm512_add_epi32(a, b));
#else
  for (int i = 0; i < 32; ++i) {
    q[i] = static_cast<int8_t>(std::nearbyint(x[i] * id));
    sum += q[i];
  }
#endif
  return sum;
}
}  // namespace

void QuantizedActs::quantize(const float* x, int32_t rows, int64_t n, int64_t x_stride, GgmlType wtype, ThreadPool* pool) {
  if (n <= 0 || n % 32) throw std::invalid_argument("quantize: row length " + std::to_string(n) + " is not a positive multiple of 32");
  if (!PackedWeights::supports(wtype, n))
    throw std::invalid_argument("quantize: weights must be Q4_0, Q5_0, Q8_0 or IQ4_NL");
  rows_ = rows;
  n_ = n;
  wtype_ = wtype;
  stride_ = (static_cast<size_t>(n) + 8 * blocks() + 63) / 64 * 64;  // values, scales, corrections
  const size_t need = stride_ * rows + 64;
  if (buf_.size() < need) buf_.resize(need);
  base_ = buf_.data() + ((64 - reinterpret_cast<uintptr_t>(buf_.data()) % 64) % 64);
  const int32_t offset = wtype == GgmlType::Q4_0 ? 8 : 128;  // PackedWeights' nibble / byte offsets
  auto quantize_rows = [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      auto* q = reinterpret_cast<int8_t*>(row(static_cast<int32_t>(r)));
      auto* d = reinterpret_cast<float*>(row(static_cast<int32_t>(r)) + n);
      auto* c = reinterpret_cast<int32_t*>(row(static_cast<int32_t>(r)) + n + 4 * blocks());
      const float* xr = x + r * x_stride;
      for (int64_t b = 0; b < blocks(); ++b) c[b] = -offset * quantize_block(xr + b * 32, q + b * 32, &d[b]);
    }
  };
  if (pool) pool->parallel_for(rows, quantize_rows, 4);
  else quantize_rows(0, rows, 0);
}

namespace {

struct Tile {
  const PackedWeights* w;
  int64_t g;              // first group of the tile
  const QuantizedActs* x;
  int32_t c0;             // first activation row of the tile
  float* out;             // &out[c0 * out_stride + g * 16]
  int64_t out_stride;
  const float* bias;      // &bias[g * 16] or null
};

// Rows of group g that exist (the last group may be partial).
inline int valid_rows(const PackedWeights& w, int64_t g) {
  return static_cast<int>(std::min<int64_t>(kRows, w.rows() - g * kRows));
}

// ---- portable kernel --------------------------------------------------------
void group_scalar(const Tile& t, int n_tokens) {
  const PackedWeights& w = *t.w;
  const bool q4 = w.nibbles();
  const int64_t nb = w.blocks(), qsb = w.block_qs_bytes();
  const uint8_t* qs = w.group_qs(t.g);
  const uint16_t* sc = w.group_scales(t.g);
  const int rows = valid_rows(w, t.g);
  for (int c = 0; c < n_tokens; ++c) {
    const int8_t* xq = t.x->qs(t.c0 + c);
    const float* xd = t.x->scales(t.c0 + c);
    const int32_t* xc = t.x->corr(t.c0 + c);
    for (int r = 0; r < rows; ++r) {
      float sum = 0.0f;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = qs + b * qsb + r * 4;
        const int8_t* xb = xq + b * 32;
        int32_t s = xc[b];
        if (q4) {
          for (int k = 0; k < 4; ++k)
            for (int i = 0; i < 4; ++i) {
              const uint8_t v = blk[k * 64 + i];
              s += (v & 0x0F) * xb[4 * k + i] + (v >> 4) * xb[16 + 4 * k + i];
            }
        } else {
          for (int k = 0; k < 8; ++k)
            for (int i = 0; i < 4; ++i) s += blk[k * 64 + i] * xb[4 * k + i];
        }
        sum += static_cast<float>(s) * (half_to_float(sc[b * kRows + r]) * xd[b]);
      }
      t.out[c * t.out_stride + r] = t.bias ? sum + t.bias[r] : sum;
    }
  }
}

// ---- AVX-512 VNNI: a group's 16 rows in the 16 int32 lanes ---------------------
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VNNI__)
#define LANTERN_GEMM_SIMD 1
// Prefill tile: 2 groups x 4 tokens (16 int32 chains, 8 float accumulators)
// measured fastest here against 1x6, 1x8, 2x3, 2x5, 2x6 and 3x4.
constexpr int kPrefillGroups = 2;
constexpr int kPrefillTokens = 4;
constexpr int kDecodeGroups = 4;   // groups per single-token tile
constexpr int kPrefetchBlocks = 4;    // decode: how far ahead to prefetch weights

template <bool Q4, int RG, int C>
void tile_simd(const Tile& t) {
  const PackedWeights& w = *t.w;
  const int64_t nb = w.blocks(), qsb = w.block_qs_bytes();
  const uint8_t* qs[RG];
  const uint16_t* sc[RG];
  for (int r = 0; r < RG; ++r) {
    qs[r] = w.group_qs(t.g + r);
    sc[r] = w.group_scales(t.g + r);
  }
  const int8_t* xq[C];
  const float* xd[C];
  const int32_t* xc[C];
  for (int c = 0; c < C; ++c) {
    xq[c] = t.x->qs(t.c0 + c);
    xd[c] = t.x->scales(t.c0 + c);
    xc[c] = t.x->corr(t.c0 + c);
  }
  __m512 acc[RG][C];
  for (int r = 0; r < RG; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
  const __m512i low4 = _mm512_set1_epi8(0x0F);

  for (int64_t b = 0; b < nb; ++b) {
    // Two int32 chains per (group, token) so the VNNI latency overlaps.
    __m512i a0[RG][C], a1[RG][C];
    for (int c = 0; c < C; ++c) {
      const __m512i corr = _mm512_set1_epi32(xc[c][b]);
      for (int r = 0; r < RG; ++r) {
        a0[r][c] = corr;
        a1[r][c] = _mm512_setzero_si512();
      }
    }
    if constexpr (C == 1) {
      // Decode streams weights from memory: ask for them a few blocks early.
      for (int r = 0; r < RG; ++r)
        for (int64_t off = 0; off < qsb; off += 64) _mm_prefetch(reinterpret_cast<const char*>(qs[r] + (b + kPrefetchBlocks) * qsb + off), _MM_HINT_T0);
    }
    if constexpr (Q4) {
      for (int k = 0; k < 4; ++k) {
        __m512i lo[RG], hi[RG];
        for (int r = 0; r < RG; ++r) {
          const __m512i v = _mm512_loadu_si512(qs[r] + b * qsb + 64 * k);
          lo[r] = _mm512_and_si512(v, low4);
          hi[r] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
        }
        for (int c = 0; c < C; ++c) {
          const __m512i xl = _mm512_set1_epi32(load_i32(xq[c] + b * 32 + 4 * k));
          const __m512i xh = _mm512_set1_epi32(load_i32(xq[c] + b * 32 + 16 + 4 * k));
          for (int r = 0; r < RG; ++r) {
            a0[r][c] = _mm512_dpbusd_epi32(a0[r][c], lo[r], xl);
            a1[r][c] = _mm512_dpbusd_epi32(a1[r][c], hi[r], xh);
          }
        }
      }
    } else {
      for (int k = 0; k < 8; k += 2) {
        __m512i v0[RG], v1[RG];
        for (int r = 0; r < RG; ++r) {
          v0[r] = _mm512_loadu_si512(qs[r] + b * qsb + 64 * k);
          v1[r] = _mm512_loadu_si512(qs[r] + b * qsb + 64 * k + 64);
        }
        for (int c = 0; c < C; ++c) {
          const __m512i x0 = _mm512_set1_epi32(load_i32(xq[c] + b * 32 + 4 * k));
          const __m512i x1 = _mm512_set1_epi32(load_i32(xq[c] + b * 32 + 4 * k + 4));
          for (int r = 0; r < RG; ++r) {
            a0[r][c] = _mm512_dpbusd_epi32(a0[r][c], v0[r], x0);
            a1[r][c] = _mm512_dpbusd_epi32(a1[r][c], v1[r], x1);
          }
        }
      }
    }
    for (int r = 0; r < RG; ++r) {
      const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sc[r] + b * kRows)));
      for (int c = 0; c < C; ++c) {
        const __m512 s = _mm512_mul_ps(dw, _mm512_set1_ps(xd[c][b]));
        acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(a0[r][c], a1[r][c])), s, acc[r][c]);
      }
    }
  }
  for (int r = 0; r < RG; ++r) {
    const int rows = valid_rows(w, t.g + r);
    const __mmask16 m = rows == kRows ? __mmask16(0xFFFF) : __mmask16((1u << rows) - 1);
    const __m512 bias = t.bias ? _mm512_maskz_loadu_ps(m, t.bias + r * kRows) : _mm512_setzero_ps();
    for (int c = 0; c < C; ++c)
      _mm512_mask_storeu_ps(t.out + c * t.out_stride + r * kRows, m, _mm512_add_ps(acc[r][c], bias));
  }
}

// ---- AVX2 (AVX-VNNI where present): a group as two halves of 8 rows ----------
#elif defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#define LANTERN_GEMM_SIMD 1
constexpr int kPrefillGroups = 1;
constexpr int kPrefillTokens = 2;
constexpr int kDecodeGroups = 1;

// Eight int32 lanes: acc + sums of 4 products u * s (u unsigned, s signed).
// Without VNNI the pairs go through int16, which holds Q4 nibble products
// but not Q8's 255 * 127 * 2: Q8 takes the sign trick instead (dot_ss).
inline __m256i dot_us(__m256i acc, __m256i u, __m256i s) {
#if defined(__AVXVNNI__)
  return _mm256_dpbusd_avx_epi32(acc, u, s);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}
// Packed Q8 bytes (w + 128) times signed x, including the -128 * sum(x) term
// when `corrected` (VNNI) or computed directly on signed w (no VNNI).
constexpr bool kQ8Corrected =
#if defined(__AVXVNNI__)
    true;
#else
    false;
#endif
inline __m256i dot_q8(__m256i acc, __m256i wu, __m256i x) {
#if defined(__AVXVNNI__)
  return _mm256_dpbusd_avx_epi32(acc, wu, x);
#else
  const __m256i ws = _mm256_xor_si256(wu, _mm256_set1_epi8(static_cast<char>(0x80)));
  return dot_us(acc, _mm256_sign_epi8(ws, ws), _mm256_sign_epi8(x, ws));
#endif
}

template <bool Q4, int RG, int C>
void tile_simd(const Tile& t) {
  static_assert(RG == 1, "the AVX2 kernel takes one group at a time");
  const PackedWeights& w = *t.w;
  const int64_t nb = w.blocks(), qsb = w.block_qs_bytes();
  const uint8_t* qs = w.group_qs(t.g);
  const uint16_t* sc = w.group_scales(t.g);
  __m256 acc[2][C];
  for (int h = 0; h < 2; ++h)
    for (int c = 0; c < C; ++c) acc[h][c] = _mm256_setzero_ps();
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  for (int64_t b = 0; b < nb; ++b) {
    __m256i a[2][C];
    for (int c = 0; c < C; ++c) {
      const __m256i corr = (Q4 || kQ8Corrected) ? _mm256_set1_epi32(t.x->corr(t.c0 + c)[b]) : _mm256_setzero_si256();
      a[0][c] = a[1][c] = corr;
    }
    const uint8_t* blk = qs + b * qsb;
    for (int k = 0; k < (Q4 ? 4 : 8); ++k) {
      for (int h = 0; h < 2; ++h) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 64 * k + 32 * h));
        for (int c = 0; c < C; ++c) {
          const int8_t* xb = t.x->qs(t.c0 + c) + b * 32;
          if constexpr (Q4) {
            a[h][c] = dot_us(a[h][c], _mm256_and_si256(v, low4), _mm256_set1_epi32(load_i32(xb + 4 * k)));
            a[h][c] = dot_us(a[h][c], _mm256_and_si256(_mm256_srli_epi16(v, 4), low4), _mm256_set1_epi32(load_i32(xb + 16 + 4 * k)));
          } else {
            a[h][c] = dot_q8(a[h][c], v, _mm256_set1_epi32(load_i32(xb + 4 * k)));
          }
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc + b * kRows + 8 * h)));
      for (int c = 0; c < C; ++c)
        acc[h][c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(a[h][c]), _mm256_mul_ps(dw, _mm256_set1_ps(t.x->scales(t.c0 + c)[b])), acc[h][c]);
    }
  }
  const int rows = valid_rows(w, t.g);
  for (int c = 0; c < C; ++c) {
    float v[kRows];
    _mm256_storeu_ps(v, acc[0][c]);
    _mm256_storeu_ps(v + 8, acc[1][c]);
    for (int r = 0; r < rows; ++r) t.out[c * t.out_stride + r] = t.bias ? v[r] + t.bias[r] : v[r];
  }
}

// ---- wasm SIMD128: a group's 16 rows in 4 vectors of 4 int32 lanes -------------
#elif defined(__wasm_simd128__)
#define LANTERN_GEMM_SIMD 1
constexpr int kPrefillGroups = 1;
constexpr int kPrefillTokens = 4;
constexpr int kDecodeGroups = 1;

// SIMD128 has no byte dot product: bytes widen to int16 and i32x4.dot_i16x8
// sums pairs, so each int32 lane holds half of a row's 4-value group (rows
// 2 per vector) until the block ends and the halves are paired up.
template <bool Q4, int RG, int C>
void tile_simd(const Tile& t) {
  static_assert(RG == 1, "the SIMD128 kernel takes one group at a time");
  const PackedWeights& w = *t.w;
  const int64_t nb = w.blocks(), qsb = w.block_qs_bytes();
  const uint8_t* qs = w.group_qs(t.g);
  const uint16_t* sc = w.group_scales(t.g);
  v128_t acc[C][4];
  for (int c = 0; c < C; ++c)
    for (int q = 0; q < 4; ++q) acc[c][q] = wasm_f32x4_splat(0.0f);
  const v128_t low4 = wasm_i8x16_splat(0x0F);
  for (int64_t b = 0; b < nb; ++b) {
    v128_t half[C][8];
    for (int c = 0; c < C; ++c)
      for (int j = 0; j < 8; ++j) half[c][j] = wasm_i32x4_splat(0);
    const uint8_t* blk = qs + b * qsb;
    for (int k = 0; k < (Q4 ? 4 : 8); ++k) {
      v128_t raw[4];
      for (int q = 0; q < 4; ++q) raw[q] = wasm_v128_load(blk + 64 * k + 16 * q);
      for (int part = 0; part < (Q4 ? 2 : 1); ++part) {
        v128_t w16[8];
        for (int q = 0; q < 4; ++q) {
          const v128_t v = !Q4 ? raw[q] : part == 0 ? wasm_v128_and(raw[q], low4) : wasm_v128_and(wasm_u8x16_shr(raw[q], 4), low4);
          w16[2 * q] = wasm_u16x8_extend_low_u8x16(v);
          w16[2 * q + 1] = wasm_u16x8_extend_high_u8x16(v);
        }
        const int x_off = Q4 ? 16 * part + 4 * k : 4 * k;
        for (int c = 0; c < C; ++c) {
          const v128_t x16 = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(t.x->qs(t.c0 + c) + b * 32 + x_off));
          for (int j = 0; j < 8; ++j) half[c][j] = wasm_i32x4_add(half[c][j], wasm_i32x4_dot_i16x8(w16[j], x16));
        }
      }
    }
    float dw[kRows];
    for (int r = 0; r < kRows; ++r) dw[r] = half_to_float(sc[b * kRows + r]);
    for (int c = 0; c < C; ++c) {
      const v128_t corr = wasm_i32x4_splat(t.x->corr(t.c0 + c)[b]);
      const v128_t dx = wasm_f32x4_splat(t.x->scales(t.c0 + c)[b]);
      for (int q = 0; q < 4; ++q) {
        const v128_t a = half[c][2 * q], bb = half[c][2 * q + 1];
        const v128_t rows = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_shuffle(a, bb, 0, 2, 4, 6), wasm_i32x4_shuffle(a, bb, 1, 3, 5, 7)), corr);
        const v128_t s = wasm_f32x4_mul(wasm_v128_load(dw + 4 * q), dx);
        acc[c][q] = wasm_f32x4_add(acc[c][q], wasm_f32x4_mul(wasm_f32x4_convert_i32x4(rows), s));
      }
    }
  }
  const int rows = valid_rows(w, t.g);
  for (int c = 0; c < C; ++c) {
    float v[kRows];
    for (int q = 0; q < 4; ++q) wasm_v128_store(v + 4 * q, acc[c][q]);
    for (int r = 0; r < rows; ++r) t.out[c * t.out_stride + r] = t.bias ? v[r] + t.bias[r] : v[r];
  }
}
#endif

#if defined(LANTERN_GEMM_SIMD)
using TileFn = void (*)(const Tile&);

template <bool Q4, int... Is>
constexpr std::array<TileFn, sizeof...(Is)> prefill_table(std::integer_sequence<int, Is...>) {
  return {&tile_simd<Q4, Is / kPrefillTokens + 1, Is % kPrefillTokens + 1>...};
}
template <bool Q4, int... Gs>
constexpr std::array<TileFn, sizeof...(Gs)> decode_table(std::integer_sequence<int, Gs...>) {
  return {&tile_simd<Q4, Gs + 1, 1>...};
}
constexpr auto kQ4Prefill = prefill_table<true>(std::make_integer_sequence<int, kPrefillGroups * kPrefillTokens>{});
constexpr auto kQ8Prefill = prefill_table<false>(std::make_integer_sequence<int, kPrefillGroups * kPrefillTokens>{});
constexpr auto kQ4Decode = decode_table<true>(std::make_integer_sequence<int, kDecodeGroups>{});
constexpr auto kQ8Decode = decode_table<false>(std::make_integer_sequence<int, kDecodeGroups>{});
#endif

}  // namespace

int64_t quant_gemm_tile_groups(int32_t tokens) {
#if defined(LANTERN_GEMM_SIMD)
  return tokens == 1 ? kDecodeGroups : kPrefillGroups;
#else
  return 1;
#endif
}

void quant_gemm_scalar(const PackedWeights& w, int64_t g0, int64_t g1, const QuantizedActs& x, int32_t c0,
                       int32_t c1, float* out, int64_t out_stride, const float* bias) {
  for (int64_t g = g0; g < g1; ++g)
    group_scalar(Tile{&w, g, &x, c0, out + c0 * out_stride + g * kRows, out_stride, bias ? bias + g * kRows : nullptr},
                 c1 - c0);
}

void quant_gemm(const PackedWeights& w, int64_t g0, int64_t g1, const QuantizedActs& x, int32_t c0, int32_t c1,
                float* out, int64_t out_stride, const float* bias) {
  if (x.weight_type() != w.type() || x.n() != w.cols()) throw std::invalid_argument("quant_gemm: activations do not fit the weights");
#if defined(LANTERN_GEMM_SIMD)
  const bool q4 = w.nibbles();
  auto tile = [&](int64_t g, int32_t c) {
    return Tile{&w, g, &x, c, out + c * out_stride + g * kRows, out_stride, bias ? bias + g * kRows : nullptr};
  };
  if (c1 - c0 == 1) {
    const auto& fns = q4 ? kQ4Decode : kQ8Decode;
    for (int64_t g = g0; g < g1; g += kDecodeGroups) fns[std::min<int64_t>(kDecodeGroups, g1 - g) - 1](tile(g, c0));
    return;
  }
  // Activation rows in chunks that stay in L2 while the groups stream past.
  const auto& fns = q4 ? kQ4Prefill : kQ8Prefill;
  const int64_t act_bytes = x.n() + 8 * x.blocks();
  const int32_t chunk = std::max<int32_t>(kPrefillTokens, static_cast<int32_t>(512 * 1024 / act_bytes));
  for (int32_t cc = c0; cc < c1; cc += chunk) {
    const int32_t cend = std::min(c1, cc + chunk);
    for (int64_t g = g0; g < g1; g += kPrefillGroups) {
      const int rg = static_cast<int>(std::min<int64_t>(kPrefillGroups, g1 - g));
      for (int32_t c = cc; c < cend; c += kPrefillTokens)
        fns[(rg - 1) * kPrefillTokens + std::min(kPrefillTokens, cend - c) - 1](tile(g, c));
    }
  }
#else
  quant_gemm_scalar(w, g0, g1, x, c0, c1, out, out_stride, bias);
#endif
}

}  // namespace lantern
