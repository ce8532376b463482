// The traits table: names, block sizes and bytes per block exactly as GGML
// defines them (ggml.c type_traits), checked against libggml-base when written.
#include "gguf/ggml_type.h"

#include <cstdio>

namespace lantern {
namespace {

struct Entry {
  uint32_t number;
  GgmlTypeTraits traits;
};

// Numbers 4, 5, 31-33 and 36-38 are retired in GGML and absent here on purpose.
constexpr Entry kTable[] = {
    {0, {"f32", 1, 4, true}},
    {1, {"f16", 1, 2, true}},
    {2, {"q4_0", 32, 18, true}},
    {3, {"q4_1", 32, 20, true}},
    {6, {"q5_0", 32, 22, true}},
    {7, {"q5_1", 32, 24, true}},
    {8, {"q8_0", 32, 34, true}},
    {9, {"q8_1", 32, 36, false}},
    {10, {"q2_K", kQK_K, 84, true}},
    {11, {"q3_K", kQK_K, 110, true}},
    {12, {"q4_K", kQK_K, 144, true}},
    {13, {"q5_K", kQK_K, 176, true}},
    {14, {"q6_K", kQK_K, 210, true}},
    {15, {"q8_K", kQK_K, 292, true}},
    {16, {"iq2_xxs", kQK_K, 66, false}},
    {17, {"iq2_xs", kQK_K, 74, false}},
    {18, {"iq3_xxs", kQK_K, 98, false}},
    {19, {"iq1_s", kQK_K, 50, false}},
    {20, {"iq4_nl", 32, 18, true}},
    {21, {"iq3_s", kQK_K, 110, false}},
    {22, {"iq2_s", kQK_K, 82, false}},
    {23, {"iq4_xs", kQK_K, 136, true}},
    {24, {"i8", 1, 1, false}},
    {25, {"i16", 1, 2, false}},
    {26, {"i32", 1, 4, false}},
    {27, {"i64", 1, 8, false}},
    {28, {"f64", 1, 8, false}},
    {29, {"iq1_m", kQK_K, 56, false}},
    {30, {"bf16", 1, 2, true}},
    {34, {"tq1_0", kQK_K, 54, false}},
    {35, {"tq2_0", kQK_K, 66, false}},
    {39, {"mxfp4", 32, 17, false}},
    {40, {"nvfp4", 64, 36, false}},
    {41, {"q1_0", 128, 18, false}},
    {42, {"q2_0", 64, 18, false}},
};

}  // namespace

const GgmlTypeTraits* ggml_type_traits(uint32_t type) {
  for (const Entry& e : kTable) {
    if (e.number == type) return &e.traits;
  }
  return nullptr;
}

std::string ggml_type_name(uint32_t type) {
  if (const GgmlTypeTraits* t = ggml_type_traits(type)) return t->name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "unknown(%u)", type);
  return buf;
}

uint64_t ggml_row_bytes(GgmlType type, uint64_t n) {
  const GgmlTypeTraits* t = ggml_type_traits(type);
  if (!t) return 0;
  return n / t->block_size * t->type_size;
}

}  // namespace lantern
