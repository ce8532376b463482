// Our hand-written pre-tokenizer splitters against llama.cpp's own
// unicode_regex_split on fixtures/golden/tokenizer/splits.json (no vocabulary
// needed), plus the tokenizer.ggml.pre name table.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenizer/pretokenizer.h"
#include "support/test_files.h"

using json = nlohmann::json;
using lantern::PreTokenizerKind;

namespace {


const json& splits() {
  static const json j = [] {
    std::ifstream in(std::string(LANTERN_SOURCE_DIR) + "/fixtures/golden/tokenizer/splits.json");
    return in ? json::parse(in) : json();
  }();
  return j;
}

struct Kind {
  const char* golden_name;
  PreTokenizerKind kind;
};

class GoldenSplits : public ::testing::TestWithParam<Kind> {};

TEST_P(GoldenSplits, MatchLlamaCpp) {
  ASSERT_TRUE(splits().contains("cases")) << "fixtures/golden/tokenizer/splits.json missing";
  const std::string name = GetParam().golden_name;
  size_t checked = 0, failures = 0;
  for (const json& c : splits().at("cases")) {
    const std::string text = c.contains("text") ? c.at("text").get<std::string>()
                                                : lantern::test::from_hex(c.at("text_hex").get<std::string>());
    std::vector<std::string> want;
    if (c.contains(name)) {
      want = c.at(name).get<std::vector<std::string>>();
    } else {
      for (const auto& h : c.at(name + "_hex")) want.push_back(lantern::test::from_hex(h.get<std::string>()));
    }
    const std::vector<std::string> got = lantern::pre_tokenize(text, GetParam().kind);
    ++checked;
    if (got != want && ++failures <= 3) {
      std::string w, g;
      for (const auto& s : want) w += "[" + s + "]";
      for (const auto& s : got) g += "[" + s + "]";
      ADD_FAILURE() << name << " on \"" << text << "\"\n want " << w << "\n  got " << g;
    }
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(checked, 40u);
}

INSTANTIATE_TEST_SUITE_P(Regexes, GoldenSplits,
                         ::testing::Values(Kind{"gpt2", PreTokenizerKind::Gpt2},
                                           Kind{"llama3", PreTokenizerKind::Llama3},
                                           Kind{"qwen2", PreTokenizerKind::Qwen2},
                                           Kind{"qwen35", PreTokenizerKind::Qwen35},
                                           Kind{"default", PreTokenizerKind::Default},
                                           Kind{"starcoder", PreTokenizerKind::StarCoder},
                                           Kind{"falcon", PreTokenizerKind::Falcon}),
                         [](const ::testing::TestParamInfo<Kind>& info) { return std::string(info.param.golden_name); });

TEST(PreTokenizerSplits, PiecesCoverTheTextExactly) {
  // Valid UTF-8 comes back byte for byte when the pieces are joined.
  const std::string text = "Mixed: abc 123 ١٢٣ 😀😀  \n\n  'll ΑΒΓ  ";
  for (auto kind : {PreTokenizerKind::Gpt2, PreTokenizerKind::Llama3, PreTokenizerKind::Qwen2,
                    PreTokenizerKind::Default, PreTokenizerKind::StarCoder, PreTokenizerKind::Falcon}) {
    std::string joined;
    for (const auto& w : lantern::pre_tokenize(text, kind)) {
      EXPECT_FALSE(w.empty());
      joined += w;
    }
    EXPECT_EQ(joined, text) << lantern::pre_tokenizer_kind_name(kind);
  }
  EXPECT_TRUE(lantern::pre_tokenize("", PreTokenizerKind::Llama3).empty());
}

TEST(PreTokenizerSplits, DigitGroupingDiffersByKind) {
  using V = std::vector<std::string>;
  EXPECT_EQ(lantern::pre_tokenize("1234567", PreTokenizerKind::Llama3), (V{"123", "456", "7"}));
  EXPECT_EQ(lantern::pre_tokenize("1234", PreTokenizerKind::Qwen2), (V{"1", "2", "3", "4"}));
  EXPECT_EQ(lantern::pre_tokenize("1234", PreTokenizerKind::Gpt2), (V{"1234"}));
  EXPECT_EQ(lantern::pre_tokenize("12345", PreTokenizerKind::Default), (V{"123", "45"}));
}

TEST(PreTokenizerConfig, KnownNamesAndFallback) {
  EXPECT_EQ(lantern::pre_tokenizer_config("gpt-2").kind, PreTokenizerKind::Gpt2);
  EXPECT_EQ(lantern::pre_tokenizer_config("default").kind, PreTokenizerKind::Default);
  const auto llama3 = lantern::pre_tokenizer_config("llama-bpe");
  EXPECT_EQ(llama3.kind, PreTokenizerKind::Llama3);
  EXPECT_TRUE(llama3.ignore_merges);
  EXPECT_TRUE(llama3.add_bos);
  EXPECT_TRUE(llama3.warning.empty());
  const auto qwen2 = lantern::pre_tokenizer_config("qwen2");
  EXPECT_EQ(qwen2.kind, PreTokenizerKind::Qwen2);
  EXPECT_FALSE(qwen2.clean_spaces);

  const auto unknown = lantern::pre_tokenizer_config("some-future-model");
  EXPECT_EQ(unknown.kind, PreTokenizerKind::Gpt2);
  EXPECT_NE(unknown.warning.find("some-future-model"), std::string::npos) << unknown.warning;

  const auto missing = lantern::pre_tokenizer_config("");
  EXPECT_EQ(missing.kind, PreTokenizerKind::Default);
  EXPECT_FALSE(missing.warning.empty());
}

}  // namespace
