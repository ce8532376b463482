// Dot products of one weight row (in its GGML block format) with one
// activation row, the inner loop of every CPU matmul. Q4_0, Q5_0, Q8_0 and
// IQ4_NL weights meet activations quantised to Q8_0 blocks, Q4_K, Q5_K, Q6_K
// and IQ4_XS weights activations quantised to Q8_K blocks, exactly as
// llama.cpp's CPU backend does (so greedy tokens agree); other types are
// dequantised to f32 a row at a time. SIMD paths for AVX2 (and AVX-VNNI) where the compiler
// targets them, portable C++ otherwise.
#pragma once
#include <cstdint>
#include <vector>

#include "gguf/ggml_type.h"

namespace lantern {

constexpr int kQ8Block = 32;

// GGML's block_q8_0 layout plus the block's integer sum (saves a pass in the
// Q4_0 kernel, which needs sum(x) for the nibble offset).
struct ActBlockQ8 {
  float d;          // scale, rounded through fp16 as GGML stores it
  int32_t sum;      // sum of qs
  int8_t qs[kQ8Block];
};

// Quantises n floats (a multiple of 32) as GGML's quantize_row_q8_0.
void quantize_act_q8(const float* x, ActBlockQ8* out, int64_t n);

// True when `type` weights use the Q8 activation path (Q4_0, Q5_0, Q8_0, IQ4_NL).
bool uses_q8_activations(GgmlType type);

// GGML's block_q5_0: fp16 d, 32 high bits (element j's fifth bit is bit j),
// 16 bytes of low nibbles (elements j and j + 16 in byte j).
constexpr int kQ5_0BlockBytes = 22;
// A Q5_0 block's 32 values q - 16 (-16..15), element order.
void unpack_q5_0_block(const uint8_t* block, int8_t* q);

// GGML's block_iq4_nl: fp16 d, 16 bytes of 4-bit level indices (elements j
// and j + 16 in byte j).
constexpr int kIq4NlBlockBytes = 18;
// An IQ4_NL block's 32 levels (kIq4Values, -127..113), element order.
void unpack_iq4_nl_block(const uint8_t* block, int8_t* q);

constexpr int kQ8KBlock = 256;

// GGML's block_q8_K: what llama.cpp multiplies K-quant weights with.
struct ActBlockQ8K {
  float d;  // scale, a float (not rounded through fp16)
  int8_t qs[kQ8KBlock];
  int16_t bsums[kQ8KBlock / 16];  // sums of qs in 16s
};

// Quantises n floats (a multiple of 256) as GGML's quantize_row_q8_K (the
// path llama.cpp's x86 CPU backend runs).
void quantize_act_q8k(const float* x, ActBlockQ8K* out, int64_t n);

// True when `type` weights use the Q8_K activation path (Q4_K, Q5_K, Q6_K, IQ4_XS).
bool uses_q8k_activations(GgmlType type);
// Q4_K and Q5_K: the K-quants with a min per sub-block.
inline bool k_has_mins(GgmlType type) { return type == GgmlType::Q4_K || type == GgmlType::Q5_K; }

// A Q4_K, Q5_K, Q6_K or IQ4_XS weight row unpacked once for its dots with
// many activation rows: quants as bytes, integer scales per 16 elements.
struct KQuantRow {
  GgmlType type = GgmlType::Q4_K;
  std::vector<int8_t> q;         // Q4_K 0..15, Q5_K 0..31, Q6_K -32..31, IQ4_XS its levels -127..113
  std::vector<int16_t> scales;   // per 16 elements (a sub-block of 32 twice, except Q6_K)
  std::vector<int16_t> mins;     // per 32 elements, Q4_K/Q5_K
  std::vector<float> d, dmin;    // per block of 256
};
void unpack_k_row(GgmlType type, const void* w_row, int64_t n, KQuantRow& out);

// A K-quant row with Q8_K activations: integer block sums as llama.cpp's,
// scaled and added in float.
float dot_k_q8k(const KQuantRow& w, const ActBlockQ8K* x, int64_t n);

float dot_q4_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n);
float dot_q5_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n);  // portable; the packed path is the fast one
float dot_iq4_nl_q8(const void* w_row, const ActBlockQ8* x, int64_t n);  // portable, as dot_q5_0_q8
float dot_q8_0_q8(const void* w_row, const ActBlockQ8* x, int64_t n);
float dot_f32(const float* a, const float* b, int64_t n);

}  // namespace lantern
