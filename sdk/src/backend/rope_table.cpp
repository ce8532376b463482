#include "backend/rope_table.h"

#include <algorithm>
#include <cmath>

namespace lantern {

namespace {
constexpr float kPi = 3.14159265358979323846f;

// The pair whose angle turns n_turns times over the original context, as a
// fractional dimension (ggml_rope_yarn_corr_dim).
float yarn_corr_dim(int32_t n_rot, int32_t n_ctx_orig, float n_turns, float base) {
  return static_cast<float>(n_rot) * std::log(static_cast<float>(n_ctx_orig) / (n_turns * 2 * kPi)) /
         (2 * std::log(base));
}
}  // namespace

void rope_cos_sin(const RopeParams& p, const float* factors, int32_t pos, float* out) {
  const int32_t half = p.n_rot / 2;
  const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_rot));
  // YaRN: pairs below `low` keep their unscaled angle, pairs above `high`
  // take the scaled one, a linear ramp between; the magnitude grows with the
  // scale (ggml folds that into mscale here, llama.cpp divides it back out of
  // attn_factor: ModelConfig::rope_scaling).
  float low = 0, high = 0, mscale = p.attn_factor;
  if (p.ext_factor != 0.0f) {
    low = std::max(0.0f, std::floor(yarn_corr_dim(p.n_rot, p.n_ctx_orig, p.beta_fast, p.freq_base)));
    high = std::min(static_cast<float>(p.n_rot - 1), std::ceil(yarn_corr_dim(p.n_rot, p.n_ctx_orig, p.beta_slow, p.freq_base)));
    mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
  }
  float theta_base = static_cast<float>(pos);
  for (int32_t i = 0; i < half; ++i) {
    const float extrap = factors ? theta_base / factors[i] : theta_base;
    const float interp = p.freq_scale * extrap;
    float theta = interp;
    if (p.ext_factor != 0.0f) {
      const float y = (static_cast<float>(i) - low) / std::max(0.001f, high - low);
      const float mix = (1 - std::min(1.0f, std::max(0.0f, y))) * p.ext_factor;
      theta = interp * (1 - mix) + extrap * mix;
    }
    out[2 * i] = std::cos(theta) * mscale;
    out[2 * i + 1] = std::sin(theta) * mscale;
    theta_base *= theta_scale;
  }
}

std::vector<float> rope_cos_sin_table(const RopeParams& p, const float* factors, int32_t n_pos) {
  const size_t row = static_cast<size_t>(p.n_rot / 2) * 2;
  std::vector<float> table(static_cast<size_t>(n_pos) * row);
  for (int32_t pos = 0; pos < n_pos; ++pos) rope_cos_sin(p, factors, pos, &table[pos * row]);
  return table;
}

}  // namespace lantern
