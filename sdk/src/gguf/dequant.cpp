// Block formats to float. Each routine follows the block layout and the order
// of float operations of GGML's reference dequantisers (ggml-quants.c), so the
// results match GGML bit for bit; blocks are read byte-wise (no alignment or
// struct-packing assumptions).
#include <cstring>
#include <stdexcept>
#include <string>

#include "gguf/dequant.h"
#include "gguf/iq4_values.h"
#include "gguf/fp_strict.h"

namespace lantern {
namespace {


uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t u16_at(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
float fp16_at(const uint8_t* p) { return fp16_to_fp32(u16_at(p)); }

void dequant_q4_0(const uint8_t* b, float* y) {  // d, qs[16]
  const float d = fp16_at(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = ((qs[j] & 0x0F) - 8) * d;
    y[j + kQK / 2] = ((qs[j] >> 4) - 8) * d;
  }
}

void dequant_q4_1(const uint8_t* b, float* y) {  // d, m, qs[16]
  const float d = fp16_at(b), m = fp16_at(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = (qs[j] & 0x0F) * d + m;
    y[j + kQK / 2] = (qs[j] >> 4) * d + m;
  }
}

// The fifth bit of element j lives in bit j of the 32-bit qh word.
void dequant_q5(const uint8_t* b, float* y, bool has_min) {  // d, [m], qh[4], qs[16]
  const float d = fp16_at(b);
  const float m = has_min ? fp16_at(b + 2) : 0.0f;
  const uint8_t* p = b + (has_min ? 4 : 2);
  uint32_t qh;
  std::memcpy(&qh, p, 4);
  const uint8_t* qs = p + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = (qs[j] & 0x0F) | (((qh >> j) & 1) << 4);
    const int hi = (qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
    if (has_min) {
      y[j] = lo * d + m;
      y[j + kQK / 2] = hi * d + m;
    } else {
      y[j] = (lo - 16) * d;
      y[j + kQK / 2] = (hi - 16) * d;
    }
  }
}

void dequant_q8_0(const uint8_t* b, float* y) {  // d, qs[32]
  const float d = fp16_at(b);
  const auto* qs = reinterpret_cast<const int8_t*>(b + 2);
  for (int j = 0; j < kQK; ++j) y[j] = qs[j] * d;
}

void dequant_q2_K(const uint8_t* b, float* y) {  // scales[16], qs[64], d, dmin
  const uint8_t* scales = b;
  const uint8_t* q = b + 16;
  const float d = fp16_at(b + 80), dmin = fp16_at(b + 82);
  int is = 0;
  for (int half = 0; half < 2; ++half, q += 32) {
    for (int shift = 0; shift < 8; shift += 2) {
      for (int part = 0; part < 2; ++part) {
        const uint8_t sc = scales[is++];
        const float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
        for (int l = 0; l < 16; ++l) *y++ = dl * ((q[l + 16 * part] >> shift) & 3) - ml;
      }
    }
  }
}

// Sixteen 6-bit scales packed in 12 bytes: low nibbles in bytes 0-7 (scales
// 0-7 low halves, then 8-15 high halves), the top two bits in bytes 8-11.
int q3_K_scale(const uint8_t* s, int j) {
  const int low = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
  const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}

void dequant_q3_K(const uint8_t* b, float* y) {  // hmask[32], qs[64], scales[12], d
  const uint8_t* hm = b;
  const uint8_t* q = b + 32;
  const uint8_t* scales = b + 96;
  const float d_all = fp16_at(b + 108);
  int is = 0;
  uint8_t m = 1;  // high-bit plane, advancing across both halves
  for (int half = 0; half < 2; ++half, q += 32) {
    for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
      for (int part = 0; part < 2; ++part) {
        const float dl = d_all * q3_K_scale(scales, is++);
        for (int l = 16 * part; l < 16 * part + 16; ++l) {
          *y++ = dl * (((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
        }
      }
    }
  }
}

void dequant_q4_5_K(const uint8_t* b, float* y, bool five_bit) {  // d, dmin, scales[12], [qh[32]], qs[128]
  const float d = fp16_at(b), dmin = fp16_at(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* ql = b + (five_bit ? 48 : 16);
  uint8_t u1 = 1, u2 = 2;
  for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
    int sc, mn;
    k4_scale_min(scales, is, sc, mn);
    const float d1 = d * sc, m1 = dmin * mn;
    k4_scale_min(scales, is + 1, sc, mn);
    const float d2 = d * sc, m2 = dmin * mn;
    for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (five_bit && (qh[l] & u1) ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (five_bit && (qh[l] & u2) ? 16 : 0)) - m2;
  }
}

void dequant_q6_K(const uint8_t* b, float* y) {  // ql[128], qh[64], scales[16] (int8), d
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const auto* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = fp16_at(b + 208);
  for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * sc[is] * q1;
      y[l + 32] = d * sc[is + 2] * q2;
      y[l + 64] = d * sc[is + 4] * q3;
      y[l + 96] = d * sc[is + 6] * q4;
    }
  }
}

// 32 values of 4-bit indices into the non-linear levels: value j is the low
// nibble of qs[j], value j + 16 its high nibble.
void dequant_iq4_32(const uint8_t* qs, float d, float* y) {
  for (int j = 0; j < 16; ++j) {
    y[j] = d * kIq4Values[qs[j] & 0xF];
    y[j + 16] = d * kIq4Values[qs[j] >> 4];
  }
}

void dequant_iq4_nl(const uint8_t* b, float* y) { dequant_iq4_32(b + 2, fp16_at(b), y); }  // d, qs[16]

// d, scales_h (u16), scales_l[4], qs[128]: sub-block s of 32 has the 6-bit
// scale (nibble s % 2 of scales_l[s / 2]) | (bits 2s of scales_h) << 4,
// stored + 32.
void dequant_iq4_xs(const uint8_t* b, float* y) {
  const float d = fp16_at(b);
  const uint16_t scales_h = u16_at(b + 2);
  for (int s = 0; s < 8; ++s, y += 32) {
    const int ls = ((b[4 + s / 2] >> (4 * (s % 2))) & 0xF) | (((scales_h >> (2 * s)) & 3) << 4);
    dequant_iq4_32(b + 8 + 16 * s, d * (ls - 32), y);
  }
}

void dequant_q8_K(const uint8_t* b, float* y) {  // d (float32), qs[256], bsums[16]
  float d;
  std::memcpy(&d, b, 4);
  const auto* qs = reinterpret_cast<const int8_t*>(b + 4);
  for (int j = 0; j < kQK_K; ++j) y[j] = d * qs[j];
}

}  // namespace

// Eight 6-bit (scale, min) pairs packed in 12 bytes, as GGML's get_scale_min_k4.
void k4_scale_min(const uint8_t* s, int j, int& sc, int& mn) {
  if (j < 4) {
    sc = s[j] & 63;
    mn = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
    mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  if (exp == 0) {  // zero or subnormal: mant * 2^-24, exact in float
    return float_of(sign | bits_of(static_cast<float>(mant) * 0x1p-24f));
  }
  if (exp == 0x1F) {  // inf, or NaN made quiet (as GGML's arithmetic conversion does)
    return float_of(sign | 0x7F800000u | (mant << 13) | (mant ? 0x00400000u : 0));
  }
  return float_of(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t fp32_to_fp16(float f) {
  const uint32_t x = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t ax = x & 0x7FFFFFFF;
  if (ax > 0x7F800000) return sign | 0x7E00;   // NaN: one quiet NaN, as GGML
  if (ax >= 0x477FF000) return sign | 0x7C00;  // 65520 and up round to infinity
  if (ax < 0x38800000) {                       // below 2^-14: a half subnormal or zero
    if (ax <= 0x33000000) return sign;         // up to 2^-25 (a tie) rounds to zero
    const uint32_t mant = (ax & 0x7FFFFF) | 0x800000;
    const uint32_t shift = 126 - (ax >> 23);  // units of 2^-24
    uint32_t q = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  uint32_t h = (((ax >> 23) - 112) << 10) | ((ax >> 13) & 0x3FF);
  const uint32_t rem = ax & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;  // a carry moves into the exponent correctly
  return static_cast<uint16_t>(sign | h);
}

float bf16_to_fp32(uint16_t h) { return float_of(static_cast<uint32_t>(h) << 16); }

uint16_t fp32_to_bf16(float f) {
  const uint32_t x = bits_of(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // NaN, made quiet
  const uint32_t lsb = (x >> 16) & 1;
  return static_cast<uint16_t>((x + 0x7FFF + lsb) >> 16);  // round to nearest even
}

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
  const GgmlTypeTraits* t = ggml_type_traits(type);
  if (!t || !t->supported) {
    throw std::invalid_argument("dequantize_row: type " + ggml_type_name(type) + " is not supported");
  }
  if (n < 0 || n % t->block_size != 0) {
    throw std::invalid_argument("dequantize_row: " + std::to_string(n) + " elements is not a whole number of " +
                                t->name + " blocks of " + std::to_string(t->block_size));
  }
  const auto* b = static_cast<const uint8_t*>(src);
  const int64_t blocks = n / t->block_size;
  const uint32_t bs = t->type_size;
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16: for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(u16_at(b + 2 * i)); return;
    case GgmlType::BF16: for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(u16_at(b + 2 * i)); return;
    default: break;
  }
  for (int64_t i = 0; i < blocks; ++i, b += bs, dst += t->block_size) {
    switch (type) {
      case GgmlType::Q4_0: dequant_q4_0(b, dst); break;
      case GgmlType::Q4_1: dequant_q4_1(b, dst); break;
      case GgmlType::Q5_0: dequant_q5(b, dst, false); break;
      case GgmlType::Q5_1: dequant_q5(b, dst, true); break;
      case GgmlType::Q8_0: dequant_q8_0(b, dst); break;
      case GgmlType::Q2_K: dequant_q2_K(b, dst); break;
      case GgmlType::Q3_K: dequant_q3_K(b, dst); break;
      case GgmlType::Q4_K: dequant_q4_5_K(b, dst, false); break;
      case GgmlType::Q5_K: dequant_q4_5_K(b, dst, true); break;
      case GgmlType::Q6_K: dequant_q6_K(b, dst); break;
      case GgmlType::Q8_K: dequant_q8_K(b, dst); break;
      case GgmlType::IQ4_NL: dequant_iq4_nl(b, dst); break;
      case GgmlType::IQ4_XS: dequant_iq4_xs(b, dst); break;
      default: throw std::invalid_argument("dequantize_row: no routine for " + ggml_type_name(type));
    }
  }
}

}  // namespace lantern
