// RoPE angles exactly as GGML computes them: theta_i = pos * base^(-2i/n_rot)
// by repeated float multiplication, divided by an optional per-pair factor.
// The CPU backend rotates with these angles directly; the WebGPU backend
// uploads a cos/sin table made here, because GPU sin/cos lose precision on
// large arguments (WGSL only bounds their error on [-pi, pi]).
#pragma once
#include <cstdint>
#include <vector>

namespace lantern {

// cos and sin for positions 0..n_pos-1 and pairs 0..n_rot/2-1, interleaved:
// table[(pos * n_rot/2 + i) * 2 + {0: cos, 1: sin}].
std::vector<float> rope_cos_sin_table(int32_t n_pos, int32_t n_rot, float freq_base, const float* factors);

}  // namespace lantern
