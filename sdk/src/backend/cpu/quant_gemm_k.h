// Matrix products of packed K-quant weights (packed_k_weights.h) with
// activations quantised to Q8_K blocks (quantize_act_q8k): llama.cpp's
// Q4_K/Q5_K/Q6_K/IQ4_XS x Q8_K numerics (per 16 values an integer sum times the
// integer scale, per super-block those summed and scaled by d x dx in float,
// the mins against the activations' block sums), with a group's 16 rows in
// the int32 lanes as quant_gemm.h does for Q4_0/Q8_0.
#pragma once
#include <cstdint>

#include "backend/cpu/packed_k_weights.h"
#include "backend/cpu/quant_dot.h"

namespace lantern {

// out[c * out_stride + j] = dot(weight row j, activation row c) (+ bias[j])
// for the rows of groups [g0, g1) (rows past w.rows() are not written) and
// activation rows c in [c0, c1); row c's blocks are x[c * w.blocks() ...].
void quant_gemm_k(const PackedKWeights& w, int64_t g0, int64_t g1, const ActBlockQ8K* x, int32_t c0, int32_t c1,
                  float* out, int64_t out_stride, const float* bias);

// The portable kernel, whatever the build targets (the reference for tests).
void quant_gemm_k_scalar(const PackedKWeights& w, int64_t g0, int64_t g1, const ActBlockQ8K* x, int32_t c0,
                         int32_t c1, float* out, int64_t out_stride, const float* bias);

}  // namespace lantern
