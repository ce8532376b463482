// The CPU backend against llama.cpp on the real stories260K model: greedy
// tokens identical, raw logits within 1e-3 (fixtures/golden/stories260K, made
// by fixtures/golden/llama_oracle.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "model_test_util.h"

using namespace lantern;
using nlohmann::json;
using test::greedy;
using test::load_json;

namespace {

CpuBackendOptions kv(KvPrecision p) {
  CpuBackendOptions o;
  o.kv = p;
  return o;
}

// stories260K on the CPU backend, 512 positions.
struct Fixture : test::CpuModel {
  explicit Fixture(KvPrecision p = KvPrecision::F16) : CpuModel(test::stories260k(), kv(p)) {}
  explicit Fixture(const CpuBackendOptions& o) : CpuModel(test::stories260k(), o) {}
};

// Runs every case of a golden file; returns how many agree token for token.
int count_identical(const std::string& golden, const CpuBackendOptions& o, std::vector<std::string>* mismatches) {
  const json g = load_json(golden);
  Fixture fx(o);
  int same = 0;
  for (const auto& c : g["cases"]) {
    const auto prompt = c["prompt_tokens"].get<std::vector<int32_t>>();
    const auto expected = c["tokens"].get<std::vector<int32_t>>();
    if (greedy(fx.model, prompt, static_cast<int>(expected.size())) == expected) ++same;
    else mismatches->push_back(c["prompt"]);
  }
  return same;
}

}  // namespace

// Exact arithmetic on both sides: every one of the 212 64-token runs agrees.
TEST(ModelGolden, GreedyTokensMatchLlamaCppF32) {
  std::vector<std::string> bad;
  EXPECT_EQ(count_identical("fixtures/golden/stories260K/greedy_f32.json", kv(KvPrecision::F32), &bad), 212)
      << ::testing::PrintToString(bad);
}

// llama.cpp's default build (fp16 cache, flash attention) against our fp16
// mode. llama.cpp's own f16 and f32 runs differ on 9 of these 212 prompts
// (rounding settles near-ties); emulating its arithmetic we agree on all but
// at most 2, and on all 12 hand-written prompts (the first 12 cases).
TEST(ModelGolden, GreedyTokensMatchLlamaCppDefaults) {
  std::vector<std::string> bad;
  EXPECT_GE(count_identical("fixtures/golden/stories260K/greedy_default.json", kv(KvPrecision::F16), &bad), 210)
      << ::testing::PrintToString(bad);
  const json g = load_json("fixtures/golden/stories260K/greedy_default.json");
  for (int i = 0; i < 12; ++i)
    for (const auto& p : bad) EXPECT_NE(p, g["cases"][i]["prompt"].get<std::string>());
}

// Prefill products on fp16 operands (f16_prefill: what the WebGPU backend's
// subgroup-matrix prefill computes) against llama.cpp's exact f32 run: the
// rounding may settle a near-tie differently, but not derail the model. 209
// of the 212 runs agree token for token (2026-12-04); llama.cpp's own f16
// and f32 runs differ on 9.
TEST(ModelGolden, F16PrefillOperandsKeepLlamaCppsGreedyTokens) {
  CpuBackendOptions o = kv(KvPrecision::F32);
  o.f32_activations = true;
  o.f16_prefill = true;
  std::vector<std::string> bad;
  const int same = count_identical("fixtures/golden/stories260K/greedy_f32.json", o, &bad);
  RecordProperty("identical_of_212", same);
  EXPECT_GE(same, 207) << ::testing::PrintToString(bad);
}

TEST(ModelGolden, LogitsWithin1e3OfLlamaCppF32) {
  const json g = load_json("fixtures/golden/stories260K/logits_f32.json");
  Fixture fx(KvPrecision::F32);
  for (const auto& c : g["cases"]) {
    const auto prompt = c["prompt_tokens"].get<std::vector<int32_t>>();
    const auto ref = c["logits"].get<std::vector<std::vector<float>>>();
    std::vector<std::vector<float>> ours;
    greedy(fx.model, prompt, static_cast<int>(ref.size()), &ours);
    float worst = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      ASSERT_EQ(ours[i].size(), ref[i].size());
      for (size_t t = 0; t < ref[i].size(); ++t) worst = std::max(worst, std::fabs(ours[i][t] - ref[i][t]));
    }
    EXPECT_LT(worst, 1e-3f) << "prompt: " << c["prompt"];
  }
}

TEST(ModelGolden, BatchedPrefillEqualsTokenByToken) {
  Fixture batched(KvPrecision::F32), stepped(KvPrecision::F32);
  const std::vector<int32_t> prompt = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376};
  const int32_t n_vocab = batched.model.config().n_vocab;
  std::vector<float> a(n_vocab * prompt.size()), b(n_vocab);
  batched.model.forward(prompt.data(), static_cast<int32_t>(prompt.size()), 0, a.data(), /*all_logits=*/true);
  for (size_t i = 0; i < prompt.size(); ++i) {
    stepped.model.forward(&prompt[i], 1, static_cast<int32_t>(i), b.data());
    for (int32_t t = 0; t < n_vocab; ++t) ASSERT_NEAR(a[i * n_vocab + t], b[t], 1e-4) << "position " << i;
  }
}

TEST(ModelGolden, RefusesPositionsPastTheContext) {
  Fixture fx;
  std::vector<float> logits(fx.model.config().n_vocab);
  const int32_t t = 1;
  EXPECT_THROW(fx.model.forward(&t, 1, 512, logits.data()), std::out_of_range);
  const int32_t bad = 100000;
  EXPECT_THROW(fx.model.forward(&bad, 1, 0, logits.data()), std::runtime_error);
}
