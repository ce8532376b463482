// Text -> ids -> text on the real vocabularies, streamed piece by piece
// through Utf8Stream as the engine streams output; and encoding speed (a
// 2,000-token prompt must take milliseconds; long runs must stay linear).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

using lantern::Tokenizer;

namespace {

const Tokenizer& vocab(const std::string& rel) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto& t = cache[rel];
  if (!t) {
    auto src = lantern::open_file_source(std::string(LANTERN_SHARED_DIR) + "/models/" + rel);
    t = Tokenizer::from_gguf(lantern::GgufFile::parse(*src));
  }
  return *t;
}

const std::vector<std::string>& texts() {
  static const std::vector<std::string> t = {
      "Hello world",
      "  two leading spaces and a tab\tand newlines\n\n",
      "Numbers 1234567890 and 3.14159",
      "Emoji 👋🏽 👨‍👩‍👧‍👦 🦙 and CJK 你好世界 日本語 한국어",
      "Combining: e\u0301 a\u0308 Z\u0324\u0354 and scripts: नमस्ते สวัสดี مرحبا",
      "Code:\n  for (int i = 0; i < n; ++i) { sum += a[i]; }\n",
      "Special text <s> </s> <|endoftext|> <|end|> stays plain",
  };
  return t;
}

class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, StreamedPiecesRebuildTheText) {
  const Tokenizer& tok = vocab(GetParam());
  const bool spm = tok.find_token("<0x0A>") >= 0;  // SentencePiece vocabularies add a space prefix
  for (const std::string& text : texts()) {
    const std::vector<int32_t> ids = tok.encode(text, /*add_special=*/false, /*parse_special=*/false);
    ASSERT_FALSE(ids.empty()) << text;
    lantern::Utf8Stream stream;
    std::string streamed;
    for (const int32_t id : ids) {
      const std::string chunk = stream.push(tok.token_to_piece(id));
      EXPECT_EQ(lantern::utf8::sanitize(chunk), chunk) << "half a character escaped the stream";
      streamed += chunk;
    }
    streamed += stream.flush();
    EXPECT_EQ(streamed, (spm ? " " : "") + text);
    EXPECT_EQ(tok.decode(ids), text);
  }
}

TEST_P(RoundTrip, WithBosTheSpacePrefixStays) {
  // llama.cpp strips the space prefix from the first piece only; a leading
  // BOS is that first piece, so the space stays (remove_special too keeps it).
  const Tokenizer& tok = vocab(GetParam());
  const bool spm = tok.find_token("<0x0A>") >= 0;
  const std::vector<int32_t> ids = tok.encode("Hi there", /*add_special=*/true, false);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front() == tok.bos(), tok.add_bos());
  const std::string expected = spm ? " Hi there" : "Hi there";
  EXPECT_EQ(tok.decode(ids), expected);
  EXPECT_EQ(tok.detokenize(ids, /*remove_special=*/true, false), expected);
  const std::vector<int32_t> plain = tok.encode("Hi there", /*add_special=*/false, false);
  EXPECT_EQ(tok.decode(plain), "Hi there");
}

TEST_P(RoundTrip, InvalidBytesNeverBreakDecoding) {
  const Tokenizer& tok = vocab(GetParam());
  const std::string bad = "ok \xff\xfe \xc3( \xed\xa0\x80 \xf0\x9f\x98";
  const std::vector<int32_t> ids = tok.encode(bad, false, false);
  for (const int32_t id : ids) ASSERT_TRUE(id >= 0 && id < tok.n_vocab());
  const std::string text = lantern::utf8::sanitize(tok.decode(ids));
  EXPECT_EQ(text.rfind("ok", 0), text.find_first_not_of(' ')) << text;
}

INSTANTIATE_TEST_SUITE_P(Vocabs, RoundTrip,
                         ::testing::Values("vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-llama-spm.gguf",
                                           "vocab/ggml-vocab-phi-3.gguf", "stories260K/stories260K.gguf"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           n = n.substr(n.find('/') + 1);
                           n = n.substr(0, n.size() - 5);
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

double ms_to_encode(const Tokenizer& tok, const std::string& text, size_t* n_tokens) {
  const auto t0 = std::chrono::steady_clock::now();
  *n_tokens = tok.encode(text, true, true).size();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

class EncodeSpeed : public ::testing::TestWithParam<const char*> {};

TEST_P(EncodeSpeed, TwoThousandTokenPromptTakesMilliseconds) {
  const Tokenizer& tok = vocab(GetParam());
  std::string prompt;
  size_t n = 0;
  while (n < 2000) {
    for (const std::string& t : texts()) prompt += t + "\n";
    n = tok.encode(prompt, true, true).size();
  }
  double best = 1e9;
  for (int i = 0; i < 3; ++i) best = std::min(best, ms_to_encode(tok, prompt, &n));
  std::printf("  %s: %zu tokens (%zu bytes) in %.2f ms\n", GetParam(), n, prompt.size(), best);
  EXPECT_LT(best, 200.0);  // milliseconds; a few ms in a release build
}

TEST_P(EncodeSpeed, LongRunsStayLinear) {
  const Tokenizer& tok = vocab(GetParam());
  for (const std::string& run : {std::string(20000, 'a'), std::string(20000, ' '), std::string(20000, '7'),
                                 std::string(5000, '\n') + std::string(5000, '\t'), std::string(6000, '.')}) {
    size_t n = 0;
    const double ms = ms_to_encode(tok, run, &n);
    EXPECT_GT(n, 0u);
    EXPECT_LT(ms, 1000.0) << "run of '" << run[0] << "' took " << ms << " ms";
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, EncodeSpeed,
                         ::testing::Values("vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-llama-spm.gguf"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           n = n.substr(n.find('/') + 1);
                           n = n.substr(0, n.size() - 5);
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
