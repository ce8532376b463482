// Dequantisation and quantisation against GGML's own output (golden files in
// fixtures/golden/dequant/, see the README there), plus the fp16/bf16
// conversions checked exhaustively against the IEEE round-to-nearest-even rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "gguf/dequant.h"

namespace lantern {
namespace {

struct GoldenCase {
  GgmlType type;
  std::vector<float> input;         // what GGML quantised
  std::vector<uint8_t> blocks;      // GGML's blocks for `input`
  std::vector<float> dequantised;   // GGML's floats for `blocks`
  std::vector<uint8_t> raw;         // arbitrary bytes
  std::vector<float> raw_dequantised;
};

class Reader {
 public:
  explicit Reader(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
  }
  uint32_t u32() { uint32_t v; take(&v, 4); return v; }
  template <class T>
  std::vector<T> vec(size_t n) {
    std::vector<T> v(n);
    take(v.data(), n * sizeof(T));
    return v;
  }
  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  void take(void* dst, size_t n) {
    if (bytes_.size() - pos_ < n) throw std::runtime_error("golden file too short");
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

GoldenCase load_golden(const std::string& name) {
  Reader r(std::string(LANTERN_SOURCE_DIR) + "/fixtures/golden/dequant/" + name + ".bin");
  const std::vector<char> magic = r.vec<char>(4);
  if (std::string(magic.begin(), magic.end()) != "LDQ1") throw std::runtime_error("bad golden magic");
  GoldenCase g;
  g.type = static_cast<GgmlType>(r.u32());
  const uint32_t n = r.u32(), nb = r.u32();
  g.input = r.vec<float>(n);
  g.blocks = r.vec<uint8_t>(nb);
  g.dequantised = r.vec<float>(n);
  const uint32_t nr = r.u32(), nbr = r.u32();
  g.raw = r.vec<uint8_t>(nbr);
  g.raw_dequantised = r.vec<float>(nr);
  if (!r.at_end()) throw std::runtime_error("trailing bytes in golden file");
  return g;
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Bit-exact, except that two NaNs match whatever their payloads: GGML's NaN
// payload after arithmetic depends on operand order, which is not semantics.
void expect_same_floats(const std::vector<float>& ours, const std::vector<float>& ggml, const char* what) {
  ASSERT_EQ(ours.size(), ggml.size());
  int bad = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (std::isnan(ours[i]) && std::isnan(ggml[i])) continue;
    if (bits(ours[i]) != bits(ggml[i]) && bad++ < 5) {
      ADD_FAILURE() << what << " element " << i << ": ours " << ours[i] << " (0x" << std::hex << bits(ours[i])
                    << ") ggml " << ggml[i] << " (0x" << bits(ggml[i]) << ")";
    }
  }
  EXPECT_EQ(bad, 0) << what;
}

class DequantGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(DequantGolden, MatchesGgmlBitForBit) {
  const GoldenCase g = load_golden(GetParam());
  const auto* traits = ggml_type_traits(g.type);
  ASSERT_NE(traits, nullptr);
  ASSERT_STREQ(traits->name, GetParam());
  ASSERT_TRUE(traits->supported);
  ASSERT_EQ(g.blocks.size(), g.input.size() / traits->block_size * traits->type_size);

  std::vector<float> out(g.dequantised.size());
  dequantize_row(g.type, g.blocks.data(), out.data(), static_cast<int64_t>(out.size()));
  expect_same_floats(out, g.dequantised, "dequantised GGML blocks");

  std::vector<float> raw_out(g.raw_dequantised.size());
  dequantize_row(g.type, g.raw.data(), raw_out.data(), static_cast<int64_t>(raw_out.size()));
  expect_same_floats(raw_out, g.raw_dequantised, "dequantised arbitrary bytes");

  // Blocks need no alignment.
  std::vector<uint8_t> shifted(g.raw.size() + 1);
  std::memcpy(shifted.data() + 1, g.raw.data(), g.raw.size());
  std::vector<float> shifted_out(raw_out.size());
  dequantize_row(g.type, shifted.data() + 1, shifted_out.data(), static_cast<int64_t>(shifted_out.size()));
  expect_same_floats(shifted_out, g.raw_dequantised, "unaligned source");
}

INSTANTIATE_TEST_SUITE_P(AllSupportedTypes, DequantGolden,
                         ::testing::Values("f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K",
                                           "q4_K", "q5_K", "q6_K", "q8_K", "iq4_nl", "iq4_xs"),
                         [](const auto& info) { return std::string(info.param); });

class QuantGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantGolden, MatchesGgmlReferenceQuantiser) {
  const GoldenCase g = load_golden(GetParam());
  std::vector<uint8_t> ours(g.blocks.size(), 0xAA);
  quantize_row(g.type, g.input.data(), ours.data(), static_cast<int64_t>(g.input.size()));
  const size_t block = ggml_type_traits(g.type)->type_size;
  for (size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(int(ours[i]), int(g.blocks[i])) << "byte " << i << " (block " << i / block << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(QuantisedTypes, QuantGolden,
                         ::testing::Values("f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_K", "iq4_nl",
                                           "iq4_xs"),
                         [](const auto& info) { return std::string(info.param); });

// The K-quant quantisers are not GGML's (a plain min/max scale choice), so
// they are checked by a round trip through the dequantiser above (which is
// GGML's, bit for bit): a wrong layout scatters values and fails at once.
TEST(Quantise, KQuantsRoundTripWithinTheirStep) {
  // Uniform noise over a step of range/levels has an error of step/sqrt(12):
  // relative to uniform [-1, 1) (rms 0.577) that is 0.067 for Q4_K's 15
  // levels, 0.032 for Q5_K's 31 and 0.016 for Q6_K's +-31; bounds 1.3x that.
  struct Case { GgmlType type; double max_rel_rms; };
  // Q2_K's 4 levels: 0.29 (0.38 bound); Q3_K's symmetric -4..3 spends a
  // level or more on a block's shorter side: 0.17 on uniform noise, 0.14 on
  // the shifted block (0.22 bound).
  for (const Case c : {Case{GgmlType::Q2_K, 0.38}, Case{GgmlType::Q3_K, 0.22}, Case{GgmlType::Q4_K, 0.085}, Case{GgmlType::Q5_K, 0.042},
                       Case{GgmlType::Q6_K, 0.026}}) {
    const int64_t n = 4 * 256;
    std::vector<float> x(n);
    uint64_t st = 0x9E3779B97F4A7C15ull;
    for (int64_t i = 0; i < n; ++i) {
      st ^= st << 13, st ^= st >> 7, st ^= st << 17;
      // Uniform noise, a shifted block (all positive) and a tiny one.
      const float u = static_cast<float>(static_cast<double>(st >> 11) * 0x1.0p-53 * 2.0 - 1.0);
      x[i] = i < 512 ? u : i < 768 ? 2.0f + u : 1e-3f * u;
    }
    std::vector<uint8_t> q(static_cast<size_t>(n / 256 * ggml_type_traits(c.type)->type_size));
    quantize_row(c.type, x.data(), q.data(), n);
    std::vector<float> y(n);
    dequantize_row(c.type, q.data(), y.data(), n);
    for (int64_t b = 0; b < n / 256; ++b) {
      double err = 0, sig = 0;
      for (int64_t i = 256 * b; i < 256 * (b + 1); ++i) {
        err += (x[i] - y[i]) * (x[i] - y[i]);
        sig += x[i] * x[i];
      }
      EXPECT_LT(std::sqrt(err / sig), c.max_rel_rms) << ggml_type_name(c.type) << " super-block " << b;
    }
  }
}

// IQ4_NL and IQ4_XS match GGML's quantiser byte for byte (QuantGolden); this
// checks what that buys on the K-quants' rows above: 16 levels, denser near
// zero, err by 0.057-0.068 of the signal on uniform and on all-positive
// values (the scale search can make d negative, mapping the block's maximum
// to -127), about Q4_K's (0.085 bound). IQ4_XS's tiny super-block errs by
// 0.093: its d (1e-3 / 127 / 32) is an fp16 subnormal, in steps of 6e-8, so
// the sub-block scales are coarse (GGML's blocks are the same; 0.12 bound).
TEST(Quantise, Iq4RoundTripWithinItsLevels) {
  for (const GgmlType type : {GgmlType::IQ4_NL, GgmlType::IQ4_XS}) {
    const int64_t n = 4 * 256;
    std::vector<float> x(n);
    uint64_t st = 0x9E3779B97F4A7C15ull;
    for (int64_t i = 0; i < n; ++i) {
      st ^= st << 13, st ^= st >> 7, st ^= st << 17;
      const float u = static_cast<float>(static_cast<double>(st >> 11) * 0x1.0p-53 * 2.0 - 1.0);
      x[i] = i < 512 ? u : i < 768 ? 2.0f + u : 1e-3f * u;
    }
    const GgmlTypeTraits* tt = ggml_type_traits(type);
    std::vector<uint8_t> q(static_cast<size_t>(n / tt->block_size * tt->type_size));
    quantize_row(type, x.data(), q.data(), n);
    std::vector<float> y(n);
    dequantize_row(type, q.data(), y.data(), n);
    for (int64_t b = 0; b < n / 256; ++b) {
      double err = 0, sig = 0;
      for (int64_t i = 256 * b; i < 256 * (b + 1); ++i) {
        err += (x[i] - y[i]) * (x[i] - y[i]);
        sig += x[i] * x[i];
      }
      const double bound = b == 3 && type == GgmlType::IQ4_XS ? 0.12 : 0.085;
      EXPECT_LT(std::sqrt(err / sig), bound) << tt->name << " 256 values from " << 256 * b;
    }
  }
}

TEST(Dequant, F32IsACopy) {
  const float in[3] = {1.5f, -0.0f, 3e38f};
  float out[3], q[3];
  quantize_row(GgmlType::F32, in, q, 3);
  dequantize_row(GgmlType::F32, q, out, 3);
  EXPECT_EQ(std::memcmp(in, out, sizeof in), 0);
}

TEST(Dequant, Fp16KnownValues) {
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);  // the tie rounds to even: infinity
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: zero
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, even stays
  EXPECT_EQ(fp32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_fp16(std::nanf("")), 0x7E00);
  EXPECT_EQ(fp32_to_fp16(-INFINITY), 0xFC00);
  EXPECT_EQ(fp16_to_fp32(0x3555), 0.333251953125f);
  EXPECT_EQ(bits(fp16_to_fp32(0x8000)), 0x80000000u);
  EXPECT_EQ(bits(fp16_to_fp32(0x7C01)), 0x7FC02000u);  // NaN kept, made quiet
}

// For every pair of adjacent finite halves: their midpoint rounds to the even
// one, and the floats just either side of it round to the nearer one.
TEST(Dequant, Fp16RoundsToNearestEvenEverywhere) {
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    for (uint16_t sign : {uint16_t{0}, uint16_t{0x8000}}) {
      const uint16_t a = static_cast<uint16_t>(h | sign);
      ASSERT_EQ(fp32_to_fp16(fp16_to_fp32(a)), a);
      const float lo = fp16_to_fp32(a), hi = fp16_to_fp32(static_cast<uint16_t>(a + 1));
      if (h + 1 == 0x7C00) continue;  // next is infinity: covered by the known values
      const float mid = (lo + hi) / 2;  // exact: halves have 11 significant bits
      const uint16_t even = (a & 1) ? static_cast<uint16_t>(a + 1) : a;
      ASSERT_EQ(fp32_to_fp16(mid), even) << std::hex << a;
      ASSERT_EQ(fp32_to_fp16(std::nextafter(mid, lo)), a) << std::hex << a;
      ASSERT_EQ(fp32_to_fp16(std::nextafter(mid, hi)), static_cast<uint16_t>(a + 1)) << std::hex << a;
    }
  }
}

TEST(Dequant, Bf16RoundsToNearestEven) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(-0.0f), 0x8000);
  float tie_even, tie_odd, above;
  const uint32_t te = 0x3F808000, to = 0x3F818000, ab = 0x3F808001;
  std::memcpy(&tie_even, &te, 4);
  std::memcpy(&tie_odd, &to, 4);
  std::memcpy(&above, &ab, 4);
  EXPECT_EQ(fp32_to_bf16(tie_even), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(tie_odd), 0x3F82);
  EXPECT_EQ(fp32_to_bf16(above), 0x3F81);
  EXPECT_EQ(fp32_to_bf16(std::nanf("")) & 0x7FC0, 0x7FC0);
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = bf16_to_fp32(static_cast<uint16_t>(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(fp32_to_bf16(f), h);
    }
  }
}

TEST(Dequant, RejectsUnsupportedTypesAndPartialBlocks) {
  std::vector<uint8_t> src(1024);
  std::vector<float> out(512);
  EXPECT_THROW(dequantize_row(GgmlType::IQ2_XXS, src.data(), out.data(), 256), std::invalid_argument);
  EXPECT_THROW(dequantize_row(static_cast<GgmlType>(77), src.data(), out.data(), 32), std::invalid_argument);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_0, src.data(), out.data(), 31), std::invalid_argument);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_K, src.data(), out.data(), 128), std::invalid_argument);
  EXPECT_THROW(quantize_row(GgmlType::IQ2_XXS, out.data(), src.data(), 256), std::invalid_argument);
  EXPECT_THROW(dequantize_row(GgmlType::IQ4_XS, src.data(), out.data(), 32), std::invalid_argument);
  EXPECT_THROW(quantize_row(GgmlType::IQ4_NL, out.data(), src.data(), 48), std::invalid_argument);
  EXPECT_THROW(quantize_row(GgmlType::Q4_K, out.data(), src.data(), 128), std::invalid_argument);
  EXPECT_THROW(quantize_row(GgmlType::Q8_0, out.data(), src.data(), 40), std::invalid_argument);
}

TEST(GgmlTypes, TraitsMatchGgml) {
  struct Expect { GgmlType t; const char* name; uint32_t block, bytes; bool supported; };
  const Expect table[] = {
      {GgmlType::F32, "f32", 1, 4, true},       {GgmlType::F16, "f16", 1, 2, true},
      {GgmlType::BF16, "bf16", 1, 2, true},     {GgmlType::Q4_0, "q4_0", 32, 18, true},
      {GgmlType::Q4_1, "q4_1", 32, 20, true},   {GgmlType::Q5_0, "q5_0", 32, 22, true},
      {GgmlType::Q5_1, "q5_1", 32, 24, true},   {GgmlType::Q8_0, "q8_0", 32, 34, true},
      {GgmlType::Q8_1, "q8_1", 32, 36, false},  {GgmlType::Q2_K, "q2_K", 256, 84, true},
      {GgmlType::Q3_K, "q3_K", 256, 110, true}, {GgmlType::Q4_K, "q4_K", 256, 144, true},
      {GgmlType::Q5_K, "q5_K", 256, 176, true}, {GgmlType::Q6_K, "q6_K", 256, 210, true},
      {GgmlType::Q8_K, "q8_K", 256, 292, true}, {GgmlType::IQ4_XS, "iq4_xs", 256, 136, true},
      {GgmlType::I32, "i32", 1, 4, false},      {GgmlType::TQ2_0, "tq2_0", 256, 66, false},
      {GgmlType::MXFP4, "mxfp4", 32, 17, false}, {GgmlType::IQ4_NL, "iq4_nl", 32, 18, true},
      {GgmlType::IQ2_XXS, "iq2_xxs", 256, 66, false},
  };
  for (const Expect& e : table) {
    const GgmlTypeTraits* t = ggml_type_traits(e.t);
    ASSERT_NE(t, nullptr) << e.name;
    EXPECT_STREQ(t->name, e.name);
    EXPECT_EQ(t->block_size, e.block) << e.name;
    EXPECT_EQ(t->type_size, e.bytes) << e.name;
    EXPECT_EQ(t->supported, e.supported) << e.name;
  }
  EXPECT_EQ(ggml_type_traits(4u), nullptr);  // Q4_2, retired
  EXPECT_EQ(ggml_type_traits(1000u), nullptr);
  EXPECT_EQ(ggml_type_name(77u), "unknown(77)");
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 512), 420u);
}

}  // namespace
}  // namespace lantern
