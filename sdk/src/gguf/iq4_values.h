// The 16 levels of GGML's 4-bit non-linear quants (IQ4_NL, IQ4_XS; ggml's
// kvalues_iq4nl): a 4-bit index q stands for kIq4Values[q] times the block's
// scale. Denser near zero, where trained weights are.
#pragma once
#include <cstdint>

namespace lantern {

inline constexpr int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

}  // namespace lantern
