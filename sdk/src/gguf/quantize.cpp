// Float to block formats for the types make_gguf writes. Each follows GGML's
// reference quantiser (quantize_row_*_ref in ggml-quants.c): the same scale
// choice, the same float operations in the same order, the same rounding.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gguf/dequant.h"
#include "gguf/fp_strict.h"

namespace lantern {
namespace {

constexpr int kQK = 32;

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
    default:
      throw std::invalid_argument("quantize_row: cannot quantise to " + ggml_type_name(type) +
                                  " (only f32, f16, bf16, q8_0, q4_0, q4_1)");
  }
}

}  // namespace lantern
