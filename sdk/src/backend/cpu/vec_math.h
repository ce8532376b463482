// Elementwise kernels of the CPU backend over float rows: SIMD where the
// build targets AVX-512 or AVX2, portable C++ otherwise.
#pragma once
#include <cstdint>

namespace lantern {

// out[i] = silu(gate[i]) * up[i], silu(x) = x / (1 + e^-x). The SIMD paths
// use their own e^x (within 2 ulp of std::exp; GGML's CPU SiLU is not libm
// either), the scalar path std::exp.
void swiglu_row(const float* gate, const float* up, float* out, int64_t n);

// out[i] = gelu(gate[i]) * up[i], gelu the tanh approximation, as llama.cpp's
// CPU backend computes it: for |x| < 10 from x rounded to fp16, the result
// rounded to fp16 (its 64K-entry table), 0 below -10, x above 10.
void geglu_row(const float* gate, const float* up, float* out, int64_t n);

// e^x for n floats with the SIMD e^x of swiglu_row (std::exp in the portable
// build); exposed for tests.
void exp_row(const float* x, float* out, int64_t n);

// x[i] += y[i]
void add_row(float* x, const float* y, int64_t n);

// 1 / sqrt(mean(x^2) + eps), the RMS norm's scale of a row, as GGML computes
// it: the float squares summed in double.
float rms_scale(const float* x, int64_t n, float eps);

}  // namespace lantern
