// GGML tensor element types as stored in GGUF, with their block layout.
// Numbers are GGML's own (ggml.h); only the ones Lantern can dequantise are
// marked supported, the rest are named so that errors can say what a file holds.
#pragma once
#include <cstdint>
#include <string>

namespace lantern {

enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21,
  IQ2_S = 22, IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28,
  IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40,
  Q1_0 = 41, Q2_0 = 42,
};

// Elements per block: the *_0 / *_1 formats (and IQ4_NL), and K-quant
// super-blocks (and IQ4_XS, Q8_K).
inline constexpr int kQK = 32;
inline constexpr int kQK_K = 256;

struct GgmlTypeTraits {
  const char* name;      // "q4_0"
  uint32_t block_size;   // elements per block (1 for plain floats)
  uint32_t type_size;    // bytes per block
  bool supported;        // Lantern can dequantise it
};

// Traits of a raw type number from a file; nullptr when GGML has no such type.
const GgmlTypeTraits* ggml_type_traits(uint32_t type);
std::string ggml_type_name(uint32_t type);  // "q4_0", or "unknown(77)"
inline const GgmlTypeTraits* ggml_type_traits(GgmlType type) {
  return ggml_type_traits(static_cast<uint32_t>(type));
}
inline std::string ggml_type_name(GgmlType type) { return ggml_type_name(static_cast<uint32_t>(type)); }
// Bytes of n elements of a known type (n a multiple of the block size), 0 for an unknown type.
uint64_t ggml_row_bytes(GgmlType type, uint64_t n);

}  // namespace lantern
