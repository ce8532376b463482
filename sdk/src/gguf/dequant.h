// Conversion between GGML block formats and float, bit-exact with GGML's
// reference definitions (ggml-quants.c): dequantisation for every supported
// type, quantisation for the types make_gguf writes.
#pragma once
#include <cstdint>

#include "gguf/ggml_type.h"

namespace lantern {

float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);  // round to nearest even, as GGML's
float bf16_to_fp32(uint16_t h);
uint16_t fp32_to_bf16(float f);  // round to nearest even, NaN kept quiet, as GGML's

// Dequantises n elements (a multiple of the type's block size) starting at src.
// Throws std::invalid_argument for an unsupported type or a partial block.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// The j-th (scale, min) pair (j < 8) of a Q4_K/Q5_K block's 12 packed scale
// bytes, as GGML's get_scale_min_k4.
void k4_scale_min(const uint8_t* scales, int j, int& sc, int& mn);

// Quantises n elements into dst for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_K (GGML's reference quantisers), IQ4_NL, IQ4_XS (llama-quantize's
// quantisers without an importance matrix) and Q2_K, Q3_K, Q4_K, Q5_K, Q6_K
// (valid blocks from a plain min/max scale choice, for synthetic models; see
// quantize.cpp).
// Throws std::invalid_argument for other types.
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

}  // namespace lantern
