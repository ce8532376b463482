#include "backend/rope_table.h"

#include <cmath>

namespace lantern {

std::vector<float> rope_cos_sin_table(int32_t n_pos, int32_t n_rot, float freq_base, const float* factors) {
  const int32_t half = n_rot / 2;
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  std::vector<float> table(static_cast<size_t>(n_pos) * half * 2);
  for (int32_t pos = 0; pos < n_pos; ++pos) {
    float theta = static_cast<float>(pos);
    for (int32_t i = 0; i < half; ++i) {
      const float t = factors ? theta / factors[i] : theta;
      const size_t k = (static_cast<size_t>(pos) * half + i) * 2;
      table[k] = std::cos(t);
      table[k + 1] = std::sin(t);
      theta *= theta_scale;
    }
  }
  return table;
}

}  // namespace lantern
