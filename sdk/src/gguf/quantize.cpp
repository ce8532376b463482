// Float to block formats for the types make_gguf writes. The 32-element
// types and Q8_K follow GGML's reference quantiser (quantize_row_*_ref in
// ggml-quants.c): the same scale choice, the same float operations in the
// same order, the same rounding. IQ4_NL and IQ4_XS follow what
// llama-quantize runs (quantize_iq4_nl / quantize_iq4_xs without an
// importance matrix: the scale search over 15 candidates), so their blocks
// are GGML's too. The K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) write valid
// blocks with a plain min/max choice of scales, not GGML's iterative search:
// they serve synthetic test models, where only the format has to be right
// (real K-quant files come from llama-quantize, fixtures/golden/mixes).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gguf/dequant.h"
#include "gguf/iq4_values.h"
#include "gguf/fp_strict.h"

namespace lantern {
namespace {

void put_half(uint8_t* p, float f) {
  const uint16_t h = fp32_to_fp16(f);
  std::memcpy(p, &h, 2);
}

// Symmetric 8-bit: scale from the largest magnitude, round half away from zero.
void quant_q8_0(const float* x, uint8_t* b) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) {
    const float a = std::fabs(x[j]);
    amax = amax > a ? amax : a;
  }
  const float d = amax / 127;
  const float id = d ? 1.0f / d : 0.0f;
  put_half(b, d);
  auto* qs = reinterpret_cast<int8_t*>(b + 2);
  for (int j = 0; j < kQK; ++j) qs[j] = static_cast<int8_t>(std::round(x[j] * id));
}

// Symmetric 4-bit: the signed value of largest magnitude maps to -8.
void quant_q4_0(const float* x, uint8_t* b) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  const float d = max / -8;
  const float id = d ? 1.0f / d : 0.0f;
  put_half(b, d);
  uint8_t* qs = b + 2;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = static_cast<int8_t>(x[j] * id + 8.5f);
    const int hi = static_cast<int8_t>(x[j + kQK / 2] * id + 8.5f);
    qs[j] = static_cast<uint8_t>((lo < 15 ? lo : 15) | ((hi < 15 ? hi : 15) << 4));
  }
}

// Asymmetric 4-bit: 16 steps from the block minimum to its maximum.
void quant_q4_1(const float* x, uint8_t* b) {
  float min = FLT_MAX, max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  const float d = (max - min) / 15;
  const float id = d ? 1.0f / d : 0.0f;
  put_half(b, d);
  put_half(b + 2, min);
  uint8_t* qs = b + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = static_cast<int8_t>((x[j] - min) * id + 0.5f);
    const int hi = static_cast<int8_t>((x[j + kQK / 2] - min) * id + 0.5f);
    qs[j] = static_cast<uint8_t>((lo < 15 ? lo : 15) | ((hi < 15 ? hi : 15) << 4));
  }
}

// 5-bit types: the fifth bit of element j goes to bit j of qh.
void put_qh(uint8_t* p, uint32_t qh) { std::memcpy(p, &qh, 4); }

// Symmetric 5-bit: the signed value of largest magnitude maps to -16.
void quant_q5_0(const float* x, uint8_t* b) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  const float d = max / -16;
  const float id = d ? 1.0f / d : 0.0f;
  put_half(b, d);
  uint32_t qh = 0;
  uint8_t* qs = b + 6;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = std::min(31, static_cast<int>(static_cast<int8_t>(x[j] * id + 16.5f)));
    const int hi = std::min(31, static_cast<int>(static_cast<int8_t>(x[j + kQK / 2] * id + 16.5f)));
    qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
    qh |= ((static_cast<uint32_t>(lo) & 0x10u) >> 4) << j;
    qh |= ((static_cast<uint32_t>(hi) & 0x10u) >> 4) << (j + kQK / 2);
  }
  put_qh(b + 2, qh);
}

// Asymmetric 5-bit: 32 steps from the block minimum to its maximum.
void quant_q5_1(const float* x, uint8_t* b) {
  float min = FLT_MAX, max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  const float d = (max - min) / 31;
  const float id = d ? 1.0f / d : 0.0f;
  put_half(b, d);
  put_half(b + 2, min);
  uint32_t qh = 0;
  uint8_t* qs = b + 8;
  for (int j = 0; j < kQK / 2; ++j) {
    const uint32_t lo = static_cast<uint8_t>((x[j] - min) * id + 0.5f);
    const uint32_t hi = static_cast<uint8_t>((x[j + kQK / 2] - min) * id + 0.5f);
    qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
    qh |= ((lo & 0x10u) >> 4) << j;
    qh |= ((hi & 0x10u) >> 4) << (j + kQK / 2);
  }
  put_qh(b + 4, qh);
}

int clamp_round(float v, int lo, int hi) { return std::max(lo, std::min(hi, static_cast<int>(std::lround(v)))); }

// Q4_K / Q5_K (levels 15 or 31): per 32-element sub-block, steps from
// min(0, block minimum) to the maximum; the 6-bit scales and mins relative
// to the super-block's d and dmin, packed as GGML's get_scale_min_k4 reads
// them. Writes the quants (0..levels) to q.
void quant_k_scales(const float* x, int levels, uint8_t* b, uint8_t* q) {
  float scale[8], min[8], max_scale = 0.0f, max_min = 0.0f;
  for (int s = 0; s < 8; ++s) {
    float lo = 0.0f, hi = -FLT_MAX;
    for (int l = 0; l < 32; ++l) {
      lo = std::min(lo, x[32 * s + l]);
      hi = std::max(hi, x[32 * s + l]);
    }
    scale[s] = (hi - lo) / levels;
    min[s] = -lo;
    max_scale = std::max(max_scale, scale[s]);
    max_min = std::max(max_min, min[s]);
  }
  const float d = max_scale / 63, dmin = max_min / 63;
  put_half(b, d);
  put_half(b + 2, dmin);
  const float dh = fp16_to_fp32(fp32_to_fp16(d)), dminh = fp16_to_fp32(fp32_to_fp16(dmin));
  uint8_t* sc = b + 4;
  std::memset(sc, 0, 12);
  for (int s = 0; s < 8; ++s) {
    const int ls = dh > 0 ? clamp_round(scale[s] / dh, 0, 63) : 0;
    const int lm = dminh > 0 ? clamp_round(min[s] / dminh, 0, 63) : 0;
    if (s < 4) {
      sc[s] = static_cast<uint8_t>(ls);
      sc[s + 4] = static_cast<uint8_t>(lm);
    } else {
      sc[s + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
      sc[s - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      sc[s] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
    const float step = dh * ls, offset = dminh * lm;
    for (int l = 0; l < 32; ++l)
      q[32 * s + l] = static_cast<uint8_t>(step > 0 ? clamp_round((x[32 * s + l] + offset) / step, 0, levels) : 0);
  }
}

// Sub-blocks 2p and 2p+1 share bytes 32p..32p+31: low and high nibbles.
void pack_k_nibbles(const uint8_t* q, uint8_t* qs) {
  for (int p = 0; p < 4; ++p)
    for (int l = 0; l < 32; ++l) qs[32 * p + l] = static_cast<uint8_t>((q[64 * p + l] & 0xF) | ((q[64 * p + 32 + l] & 0xF) << 4));
}

void quant_q4_k(const float* x, uint8_t* b) {
  uint8_t q[kQK_K];
  quant_k_scales(x, 15, b, q);
  pack_k_nibbles(q, b + 16);
}

// The fifth bit of element 32s + l is bit s of qh[l].
void quant_q5_k(const float* x, uint8_t* b) {
  uint8_t q[kQK_K];
  quant_k_scales(x, 31, b, q);
  uint8_t* qh = b + 16;
  std::memset(qh, 0, 32);
  for (int i = 0; i < kQK_K; ++i)
    if (q[i] & 0x10) qh[i % 32] |= static_cast<uint8_t>(1u << (i / 32));
  pack_k_nibbles(q, b + 48);
}

// Q6_K: a signed 8-bit scale per 16 elements relative to the super-block's d,
// quants q - 32 in -32..31; element 128n + 32g + l in the nibble of
// ql[64n + 32(g & 1) + l] (the high one for g >= 2) and bits 2g of qh[32n + l].
void quant_q6_k(const float* x, uint8_t* b) {
  float scale[16], max_scale = 0.0f;
  for (int s = 0; s < 16; ++s) {
    float amax = 0.0f;
    for (int l = 0; l < 16; ++l) amax = std::max(amax, std::fabs(x[16 * s + l]));
    scale[s] = amax / 31;
    max_scale = std::max(max_scale, scale[s]);
  }
  const float d = max_scale / 127;
  put_half(b + 208, d);
  const float dh = fp16_to_fp32(fp32_to_fp16(d));
  auto* sc = reinterpret_cast<int8_t*>(b + 192);
  uint8_t q[kQK_K];
  for (int s = 0; s < 16; ++s) {
    const int ls = dh > 0 ? clamp_round(scale[s] / dh, 0, 127) : 0;
    sc[s] = static_cast<int8_t>(ls);
    const float step = dh * ls;
    for (int l = 0; l < 16; ++l)
      q[16 * s + l] = static_cast<uint8_t>(step > 0 ? clamp_round(x[16 * s + l] / step, -32, 31) + 32 : 32);
  }
  uint8_t* ql = b;
  uint8_t* qh = b + 128;
  for (int n = 0; n < 2; ++n) {
    for (int l = 0; l < 32; ++l) {
      const uint8_t* y = q + 128 * n + l;
      ql[64 * n + l] = static_cast<uint8_t>((y[0] & 0xF) | ((y[64] & 0xF) << 4));
      ql[64 * n + 32 + l] = static_cast<uint8_t>((y[32] & 0xF) | ((y[96] & 0xF) << 4));
      qh[32 * n + l] = static_cast<uint8_t>((y[0] >> 4) | ((y[32] >> 4) << 2) | ((y[64] >> 4) << 4) | ((y[96] >> 4) << 6));
    }
  }
}

// Q2_K: per 16-element group a 4-bit scale and a 4-bit min (relative to the
// super-block's d and dmin), quants 0..3; element 128n + 32j + 16h + l in
// bits 2j of qs[32n + 16h + l], its group 8n + 2j + h.
void quant_q2_k(const float* x, uint8_t* b) {
  float scale[16], min[16], max_scale = 0.0f, max_min = 0.0f;
  for (int g = 0; g < 16; ++g) {
    float lo = 0.0f, hi = -FLT_MAX;
    for (int l = 0; l < 16; ++l) {
      lo = std::min(lo, x[16 * g + l]);
      hi = std::max(hi, x[16 * g + l]);
    }
    scale[g] = (hi - lo) / 3;
    min[g] = -lo;
    max_scale = std::max(max_scale, scale[g]);
    max_min = std::max(max_min, min[g]);
  }
  const float d = max_scale / 15, dmin = max_min / 15;
  put_half(b + 80, d);
  put_half(b + 82, dmin);
  const float dh = fp16_to_fp32(fp32_to_fp16(d)), dminh = fp16_to_fp32(fp32_to_fp16(dmin));
  uint8_t* qs = b + 16;
  std::memset(qs, 0, 64);
  for (int g = 0; g < 16; ++g) {
    const int ls = dh > 0 ? clamp_round(scale[g] / dh, 0, 15) : 0;
    const int lm = dminh > 0 ? clamp_round(min[g] / dminh, 0, 15) : 0;
    b[g] = static_cast<uint8_t>(ls | (lm << 4));
    const float step = dh * ls, offset = dminh * lm;
    const int n = g / 8, j = (g % 8) / 2, h = g % 2;
    for (int l = 0; l < 16; ++l) {
      const int q = step > 0 ? clamp_round((x[16 * g + l] + offset) / step, 0, 3) : 0;
      qs[32 * n + 16 * h + l] |= static_cast<uint8_t>(q << (2 * j));
    }
  }
}

// Q3_K (110 bytes: 32 bytes of high bits, 64 of 2-bit lows, 12 of packed
// 6-bit scales, f16 d), simply: per 16 values a scale s = max(max / 3,
// -min / 4), so every value has a level in -4..3, stored as an integer of
// d = (largest s) / 31 plus 32 (not ggml's make_q3_quants search; the
// layout and the dequantisation are GGML's).
void quant_q3_k(const float* x, uint8_t* b) {
  float scale[16], max_scale = 0.0f;
  for (int g = 0; g < 16; ++g) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int l = 0; l < 16; ++l) {
      lo = std::min(lo, x[16 * g + l]);
      hi = std::max(hi, x[16 * g + l]);
    }
    scale[g] = std::max({hi / 3, -lo / 4, 0.0f});
    max_scale = std::max(max_scale, scale[g]);
  }
  std::memset(b, 0, 108);
  put_half(b + 108, max_scale / 31);
  const float dh = fp16_to_fp32(fp32_to_fp16(max_scale / 31));
  uint8_t *hmask = b, *qs = b + 32, *sc = b + 96;
  for (int g = 0; g < 16; ++g) {
    const int ls = dh > 0 ? clamp_round(scale[g] / dh, 0, 31) : 0;
    const int stored = ls + 32;  // dequantisation subtracts 32
    sc[g % 8] |= static_cast<uint8_t>((stored & 0xF) << (4 * (g / 8)));
    sc[8 + g % 4] |= static_cast<uint8_t>(((stored >> 4) & 3) << (2 * (g / 4)));
    const float step = dh * ls;
    const int n = g / 8, j = (g % 8) / 2, h = g % 2;
    for (int l = 0; l < 16; ++l) {
      const int u = (step > 0 ? clamp_round(x[16 * g + l] / step, -4, 3) : 0) + 4;  // 0..7
      qs[32 * n + 16 * h + l] |= static_cast<uint8_t>((u & 3) << (2 * j));
      if (u >= 4) hmask[16 * h + l] |= static_cast<uint8_t>(1 << (4 * n + j));
    }
  }
}

// The index of the level nearest to v (ties to the lower one), as GGML's
// best_index_int8: the levels are sorted, so a binary search.
int iq4_nearest(float v) {
  if (v <= kIq4Values[0]) return 0;
  if (v >= kIq4Values[15]) return 15;
  int lo = 0, hi = 15;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (v < kIq4Values[mid]) hi = mid;
    else lo = mid;
  }
  return v - kIq4Values[hi - 1] < kIq4Values[hi] - v ? hi - 1 : hi;
}

// The scale of one 32-value sub-block: the least-squares scale (weights
// x^2) for the levels that the largest magnitude mapped to -127 gives, then
// for each of the 15 other mappings of it to -127 + t (t = -7..7) the one
// whose least-squares fit is better. 0 for a block of (near) zeros.
float iq4_block_scale(const float* x) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < 32; ++j)
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  if (amax < 1e-15f) return 0.0f;  // GGML's GROUP_MAX_EPS
  // Sums over the block of w*q*x and w*q*q for the levels q that x * id picks.
  auto fit = [&](float id, float& sumqx, float& sumq2) {
    sumqx = sumq2 = 0.0f;
    for (int j = 0; j < 32; ++j) {
      const float q = kIq4Values[iq4_nearest(id * x[j])];
      const float w = x[j] * x[j];
      sumqx += w * q * x[j];
      sumq2 += w * q * q;
    }
  };
  float sumqx, sumq2;
  fit(1.0f / (-max / kIq4Values[0]), sumqx, sumq2);
  float d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
  float best = d * sumqx;
  for (int t = -7; t <= 7; ++t) {
    fit(static_cast<float>(t + kIq4Values[0]) / max, sumqx, sumq2);
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      d = sumqx / sumq2;
      best = d * sumqx;
    }
  }
  return d;
}

// 32 values as indices for the scale d (the nearest level of x / d), packed
// as dequantisation reads them: value j in the low nibble of qs[j], j + 16
// in its high nibble.
void iq4_pack(const float* x, float d, uint8_t* qs) {
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  for (int j = 0; j < 16; ++j)
    qs[j] = static_cast<uint8_t>(iq4_nearest(id * x[j]) | (iq4_nearest(id * x[j + 16]) << 4));
}

// IQ4_NL (18 bytes: f16 d, 16 bytes of indices): d is the block's scale.
void quant_iq4_nl(const float* x, uint8_t* b) {
  const float d = iq4_block_scale(x);
  put_half(b, d);
  iq4_pack(x, d, b + 2);
}

// IQ4_XS (136 bytes: f16 d, u16 scales_h, 4 bytes scales_l, 128 of indices):
// each sub-block's scale as a 6-bit multiple l - 32 of the super-block's
// d = -(the scale of largest magnitude, signed) / 32, its values indexed
// for d * l (d not rounded to fp16 there, as GGML).
void quant_iq4_xs(const float* x, uint8_t* b) {
  float scale[8], amax_scale = 0.0f, max_scale = 0.0f;
  for (int s = 0; s < 8; ++s) {
    scale[s] = iq4_block_scale(x + 32 * s);
    if (std::fabs(scale[s]) > amax_scale) {
      amax_scale = std::fabs(scale[s]);
      max_scale = scale[s];
    }
  }
  const float d = -max_scale / 32;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  put_half(b, d);
  uint16_t scales_h = 0;
  std::memset(b + 4, 0, 4);
  for (int s = 0; s < 8; ++s) {
    const int l = std::max(-32, std::min(31, static_cast<int>(std::nearbyint(id * scale[s]))));
    iq4_pack(x + 32 * s, d * l, b + 8 + 16 * s);
    b[4 + s / 2] |= static_cast<uint8_t>(((l + 32) & 0xF) << (4 * (s % 2)));
    scales_h |= static_cast<uint16_t>(((l + 32) >> 4) << (2 * s));
  }
  std::memcpy(b + 2, &scales_h, 2);
}

// Q8_K (292 bytes: float d, 256 int8 values, 16 int16 sums of 16), as
// GGML's quantize_row_q8_K_ref: the value of largest magnitude becomes -127.
void quant_q8_k(const float* x, uint8_t* b) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK_K; ++j)
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  std::memset(b, 0, 292);
  if (amax == 0.0f) return;
  const float iscale = -127.0f / max;
  auto* qs = reinterpret_cast<int8_t*>(b + 4);
  for (int j = 0; j < kQK_K; ++j)
    qs[j] = static_cast<int8_t>(std::min(127, static_cast<int>(std::nearbyint(iscale * x[j]))));
  for (int g = 0; g < 16; ++g) {
    int16_t sum = 0;
    for (int l = 0; l < 16; ++l) sum = static_cast<int16_t>(sum + qs[16 * g + l]);
    std::memcpy(b + 260 + 2 * g, &sum, 2);
  }
  const float d = 1 / iscale;
  std::memcpy(b, &d, 4);
}

}  // namespace

void quantize_row(GgmlType type, const float* src, void* dst, int64_t n) {
  const GgmlTypeTraits* t = ggml_type_traits(type);
  if (n < 0 || (t && n % t->block_size != 0)) {
    throw std::invalid_argument("quantize_row: " + std::to_string(n) + " elements is not a whole number of " +
                                ggml_type_name(type) + " blocks");
  }
  auto* out = static_cast<uint8_t*>(dst);
  switch (type) {
    case GgmlType::F32:
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case GgmlType::F16:
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = type == GgmlType::F16 ? fp32_to_fp16(src[i]) : fp32_to_bf16(src[i]);
        std::memcpy(out + 2 * i, &h, 2);
      }
      return;
    case GgmlType::Q8_0:
      for (int64_t i = 0; i < n / kQK; ++i) quant_q8_0(src + i * kQK, out + i * 34);
      return;
    case GgmlType::Q4_0:
      for (int64_t i = 0; i < n / kQK; ++i) quant_q4_0(src + i * kQK, out + i * 18);
      return;
    case GgmlType::Q4_1:
      for (int64_t i = 0; i < n / kQK; ++i) quant_q4_1(src + i * kQK, out + i * 20);
      return;
    case GgmlType::Q5_0:
      for (int64_t i = 0; i < n / kQK; ++i) quant_q5_0(src + i * kQK, out + i * 22);
      return;
    case GgmlType::Q5_1:
      for (int64_t i = 0; i < n / kQK; ++i) quant_q5_1(src + i * kQK, out + i * 24);
      return;
    case GgmlType::Q2_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q2_k(src + i * kQK_K, out + i * 84);
      return;
    case GgmlType::Q3_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q3_k(src + i * kQK_K, out + i * 110);
      return;
    case GgmlType::Q4_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q4_k(src + i * kQK_K, out + i * 144);
      return;
    case GgmlType::Q5_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q5_k(src + i * kQK_K, out + i * 176);
      return;
    case GgmlType::Q6_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q6_k(src + i * kQK_K, out + i * 210);
      return;
    case GgmlType::Q8_K:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_q8_k(src + i * kQK_K, out + i * 292);
      return;
    case GgmlType::IQ4_NL:
      for (int64_t i = 0; i < n / kQK; ++i) quant_iq4_nl(src + i * kQK, out + i * 18);
      return;
    case GgmlType::IQ4_XS:
      for (int64_t i = 0; i < n / kQK_K; ++i) quant_iq4_xs(src + i * kQK_K, out + i * 136);
      return;
    default:
      throw std::invalid_argument("quantize_row: cannot quantise to " + ggml_type_name(type) +
                                  " (only f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_K, q3_K, q4_K, q5_K, q6_K, "
                                  "q8_K, iq4_nl, iq4_xs)");
  }
}

}  // namespace lantern
