// Compares our tokenizers with llama.cpp on fixtures/golden/tokenizer/tokens-*.json
// (made by llama.cpp itself, see the README there): ids with and without
// add_special / parse_special, the detokenized text, token pieces, and the
// special ids and end-of-generation set the vocab loader settles on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "support/test_files.h"

using json = nlohmann::json;
using lantern::Tokenizer;

namespace {


// A text stored as "key" (valid UTF-8) or "key_hex".
std::string text_of(const json& j, const std::string& key) {
  if (j.contains(key)) return j.at(key).get<std::string>();
  return lantern::test::from_hex(j.at(key + "_hex").get<std::string>());
}

std::string show(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string show(const std::vector<int32_t>& ids) {
  std::ostringstream os;
  for (int32_t id : ids) os << id << ' ';
  return os.str();
}

struct GoldenFile {
  const char* name;
  bool extra;  // vocab lives in LANTERN_EXTRA_VOCAB_DIR rather than shared/
};

struct Loaded {
  json golden;
  std::unique_ptr<Tokenizer> tok;
  std::string skip_reason;
};

// Each vocabulary is loaded once for all the tests that use it.
Loaded& load(const GoldenFile& g) {
  static std::map<std::string, Loaded> cache;
  auto it = cache.find(g.name);
  if (it != cache.end()) return it->second;
  Loaded& l = cache[g.name];
  const std::string golden_path = std::string(LANTERN_SOURCE_DIR) + "/fixtures/golden/tokenizer/" + g.name;
  std::ifstream in(golden_path);
  if (!in) {
    l.skip_reason = "missing " + golden_path;
    return l;
  }
  l.golden = json::parse(in);
  std::string vocab_path;
  const std::string vocab = l.golden.at("vocab").get<std::string>();
  if (g.extra) {
    const char* dir = std::getenv("LANTERN_EXTRA_VOCAB_DIR");
    if (!dir || !*dir) {
      l.skip_reason = "set LANTERN_EXTRA_VOCAB_DIR to a folder holding " + vocab +
                      " (llama.cpp's models/ folder) to run this test";
      return l;
    }
    vocab_path = std::string(dir) + "/" + vocab;
  } else {
    vocab_path = std::string(LANTERN_SHARED_DIR) + "/" + vocab;
  }
  if (!std::filesystem::exists(vocab_path)) {
    l.skip_reason = "vocabulary not found: " + vocab_path;
    return l;
  }
  auto src = lantern::open_file_source(vocab_path);
  const lantern::GgufFile gguf = lantern::GgufFile::parse(*src);
  l.tok = Tokenizer::from_gguf(gguf);
  return l;
}

class TokenizerGolden : public ::testing::TestWithParam<GoldenFile> {
 protected:
  void SetUp() override {
    loaded_ = &load(GetParam());
    if (!loaded_->skip_reason.empty()) GTEST_SKIP() << loaded_->skip_reason;
  }
  const json& golden() const { return loaded_->golden; }
  const Tokenizer& tok() const { return *loaded_->tok; }
  Loaded* loaded_ = nullptr;
};

TEST_P(TokenizerGolden, SpecialIdsMatchLlamaCpp) {
  EXPECT_EQ(tok().n_vocab(), golden().at("n_vocab").get<int>());
  EXPECT_EQ(tok().bos(), golden().at("bos").get<int>());
  EXPECT_EQ(tok().eos(), golden().at("eos").get<int>());
  EXPECT_EQ(tok().eot(), golden().at("eot").get<int>());
  EXPECT_EQ(tok().add_bos(), golden().at("add_bos").get<bool>());
  EXPECT_EQ(tok().add_eos(), golden().at("add_eos").get<bool>());
  std::vector<int32_t> eog;
  for (int32_t id = 0; id < tok().n_vocab(); ++id) {
    if (tok().is_eog(id)) eog.push_back(id);
  }
  EXPECT_EQ(eog, golden().at("eog").get<std::vector<int32_t>>());
  EXPECT_FALSE(tok().is_eog(-1));
  EXPECT_FALSE(tok().is_eog(tok().n_vocab()));
}

TEST_P(TokenizerGolden, EncodeMatchesLlamaCpp) {
  size_t failures = 0, total = 0;
  for (const json& c : golden().at("cases")) {
    const std::string text = text_of(c, "text");
    const bool add_special = c.at("add_special").get<bool>();
    const bool parse_special = c.at("parse_special").get<bool>();
    const auto want = c.at("ids").get<std::vector<int32_t>>();
    const auto got = tok().encode(text, add_special, parse_special);
    ++total;
    if (got != want && ++failures <= 5) {
      ADD_FAILURE() << "text \"" << show(text) << "\" add_special=" << add_special
                    << " parse_special=" << parse_special << "\n want " << show(want) << "\n  got "
                    << show(got);
    }
  }
  EXPECT_EQ(failures, 0u) << "of " << total << " cases";
  EXPECT_GT(total, 150u);
}

TEST_P(TokenizerGolden, DecodeMatchesLlamaCpp) {
  size_t failures = 0;
  for (const json& c : golden().at("cases")) {
    const auto ids = c.at("ids").get<std::vector<int32_t>>();
    const std::string plain = tok().decode(ids, false);
    const std::string special = tok().decode(ids, true);
    const std::string want_plain = text_of(c, "decoded");
    const std::string want_special = text_of(c, "decoded_special");
    if ((plain != want_plain || special != want_special) && ++failures <= 5) {
      ADD_FAILURE() << "ids " << show(ids) << "\n want \"" << show(want_plain) << "\" / \""
                    << show(want_special) << "\"\n  got \"" << show(plain) << "\" / \"" << show(special)
                    << "\"";
    }
  }
  EXPECT_EQ(failures, 0u);
}

TEST_P(TokenizerGolden, PiecesMatchLlamaCpp) {
  size_t failures = 0;
  for (const json& p : golden().at("pieces")) {
    const int32_t id = p.at("id").get<int32_t>();
    const std::string plain = tok().token_to_piece(id, false);
    const std::string special = tok().token_to_piece(id, true);
    if ((plain != text_of(p, "piece") || special != text_of(p, "piece_special")) && ++failures <= 5) {
      ADD_FAILURE() << "id " << id << " (" << show(tok().token_text(id)) << "): want \""
                    << show(text_of(p, "piece")) << "\" / \"" << show(text_of(p, "piece_special"))
                    << "\", got \"" << show(plain) << "\" / \"" << show(special) << "\"";
    }
  }
  EXPECT_EQ(failures, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Vocabs, TokenizerGolden,
    ::testing::Values(GoldenFile{"tokens-gpt-2.json", false}, GoldenFile{"tokens-llama-spm.json", false},
                      GoldenFile{"tokens-phi-3.json", false}, GoldenFile{"tokens-stories260K.json", false},
                      GoldenFile{"tokens-llama-bpe.json", true}, GoldenFile{"tokens-qwen2.json", true}),
    [](const ::testing::TestParamInfo<GoldenFile>& info) {
      std::string n = info.param.name;
      n = n.substr(7, n.size() - 7 - 5);  // "tokens-" ... ".json"
      for (char& c : n) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

}  // namespace
