// RoPE angles exactly as GGML's CPU ggml_rope_ext computes them, the one
// place both backends take them from: theta_i = pos * base^(-2i/n_rot) by
// repeated float multiplication, divided by an optional per-pair factor,
// times freq_scale (linear and YaRN context scaling), for YaRN blended back
// towards the unscaled angle on the pairs that turn many times over the
// original context; cos and sin times the attention factor (YaRN's and
// LongRoPE's magnitude correction). The CPU backend rotates with a row of
// these per token; the WebGPU backend uploads a table of them, because GPU
// sin/cos lose precision on large arguments (WGSL only bounds their error on
// [-pi, pi]).
#pragma once
#include <cstdint>
#include <vector>

#include "backend/backend.h"

namespace lantern {

// cos and sin for pairs 0..n_rot/2-1 at position pos, interleaved:
// out[i * 2 + {0: cos, 1: sin}]. factors: n_rot/2 divisors or null.
void rope_cos_sin(const RopeParams& p, const float* factors, int32_t pos, float* out);

// The same for positions 0..n_pos-1: table[(pos * n_rot/2 + i) * 2 + {0, 1}].
std::vector<float> rope_cos_sin_table(const RopeParams& p, const float* factors, int32_t n_pos);

}  // namespace lantern
