// The tokenizers on small hand-built vocabularies: merge order by score and
// by rank, byte fallback, space prefix, BOS/EOS flags, special-token
// splitting, the loader's validation and defaults, and from_gguf's errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/detokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

using lantern::Tokenizer;
using lantern::TokenType;
using lantern::VocabData;
using V = std::vector<int32_t>;

namespace {

const std::string kSp = "\xE2\x96\x81";  // U+2581

// <unk> <s> </s>, the 256 <0xXX> tokens, then `extra` with their scores.
VocabData spm_vocab(const std::vector<std::pair<std::string, float>>& extra, bool byte_tokens = true) {
  VocabData d;
  d.model = "llama";
  d.tokens = {"<unk>", "<s>", "</s>"};
  d.token_types = {2, 3, 3};
  if (byte_tokens) {
    for (int b = 0; b < 256; ++b) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
      d.tokens.push_back(buf);
      d.token_types.push_back(6);
    }
  }
  for (const auto& [text, score] : extra) {
    d.tokens.push_back(text);
    d.token_types.push_back(1);
  }
  d.scores.assign(d.tokens.size(), 0.0f);
  for (size_t i = 0; i < extra.size(); ++i) d.scores[d.tokens.size() - extra.size() + i] = extra[i].second;
  return d;
}

// Tokens for every character of `word` and every prefix of it, so SPM's pair
// merges can build the whole word (each merge must itself be a token).
std::vector<std::pair<std::string, float>> buildable(const std::vector<std::string>& words) {
  std::vector<std::pair<std::string, float>> out;
  const auto add = [&](const std::string& t, float score) {
    for (const auto& [have, unused] : out) {
      if (have == t) return;
    }
    out.push_back({t, score});
  };
  for (const std::string& w : words) {
    // characters (U+2581 counts as one)
    for (size_t i = 0; i < w.size();) {
      const size_t n = (static_cast<unsigned char>(w[i]) >= 0xE0) ? 3 : 1;
      add(w.substr(i, n), -10.0f);
      i += n;
    }
    for (size_t len = 2; len <= w.size(); ++len) {
      if ((static_cast<unsigned char>(w[len - 1]) & 0xC0) == 0x80 && len < w.size()) continue;
      add(w.substr(0, len), -1.0f / static_cast<float>(len));
    }
  }
  return out;
}

// The 256 byte stand-ins (id = byte), then `extra`, with `merges`.
VocabData bpe_vocab(const std::vector<std::string>& extra, const std::vector<std::string>& merges,
                    const std::string& pre = "gpt-2") {
  VocabData d;
  d.model = "gpt2";
  d.pre = pre;
  for (int b = 0; b < 256; ++b) d.tokens.push_back(lantern::byte_unicode::byte_to_utf8(static_cast<uint8_t>(b)));
  for (const auto& t : extra) d.tokens.push_back(t);
  d.merges = merges;
  return d;
}

int32_t id_of(const Tokenizer& t, const std::string& text) {
  const int32_t id = t.find_token(text);
  EXPECT_GE(id, 0) << text;
  return id;
}

TEST(SpmTokenizer, MergesHighestScoreFirst) {
  auto tok = Tokenizer::from_vocab_data(spm_vocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -3}, {"bc", -2}, {kSp, -1}}));
  const V ids = tok->encode("abc", false, false);
  EXPECT_EQ(ids, (V{id_of(*tok, kSp), id_of(*tok, "a"), id_of(*tok, "bc")}));

  auto flipped = Tokenizer::from_vocab_data(spm_vocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -2}, {"bc", -3}, {kSp, -1}}));
  EXPECT_EQ(flipped->encode("abc", false, false),
            (V{id_of(*flipped, kSp), id_of(*flipped, "ab"), id_of(*flipped, "c")}));
}

TEST(SpmTokenizer, EqualScoresMergeLeftmostFirst) {
  auto tok = Tokenizer::from_vocab_data(spm_vocab({{"a", -1}, {"aa", -2}, {kSp, -1}}));
  EXPECT_EQ(tok->encode("aaa", false, false), (V{id_of(*tok, kSp), id_of(*tok, "aa"), id_of(*tok, "a")}));
}

TEST(SpmTokenizer, SpacePrefixAndSpaceMarks) {
  auto d = spm_vocab(buildable({kSp + "hello", kSp + "world", "hello"}));
  auto tok = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(tok->encode("hello world", false, false),
            (V{id_of(*tok, kSp + "hello"), id_of(*tok, kSp + "world")}));
  d.add_space_prefix = false;
  auto no_prefix = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(no_prefix->encode("hello world", false, false),
            (V{id_of(*no_prefix, "hello"), id_of(*no_prefix, kSp + "world")}));
}

TEST(SpmTokenizer, ByteFallbackAndUnknown) {
  auto tok = Tokenizer::from_vocab_data(spm_vocab({{kSp, -1}}));
  // "é" is no token: its two bytes are.
  EXPECT_EQ(tok->encode("\xC3\xA9", false, false), (V{id_of(*tok, kSp), 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(tok->token_to_piece(3 + 0xC3), "\xC3");
  EXPECT_EQ(tok->decode({3 + 0xC3, 3 + 0xA9}), "\xC3\xA9");

  // Without byte tokens an unknown character becomes <unk> once.
  auto no_bytes = Tokenizer::from_vocab_data(spm_vocab({{kSp, -1}, {"x", -1}}, false));
  EXPECT_EQ(no_bytes->encode("x\xC3\xA9x", false, false),
            (V{id_of(*no_bytes, kSp), id_of(*no_bytes, "x"), 0, id_of(*no_bytes, "x")}));
}

TEST(SpmTokenizer, BosEosFollowFlags) {
  auto d = spm_vocab(buildable({kSp + "hi"}));
  auto tok = Tokenizer::from_vocab_data(d);
  EXPECT_TRUE(tok->add_bos());  // llama.cpp's default for "llama"
  EXPECT_FALSE(tok->add_eos());
  EXPECT_EQ(tok->encode("hi", true, false), (V{1, id_of(*tok, kSp + "hi")}));
  EXPECT_EQ(tok->encode("hi", false, false), (V{id_of(*tok, kSp + "hi")}));
  EXPECT_EQ(tok->encode("", true, false), (V{1}));
  EXPECT_EQ(tok->encode("", false, false), V{});

  d.add_bos = false;
  d.add_eos = true;
  auto eos_only = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(eos_only->encode("hi", true, false), (V{id_of(*eos_only, kSp + "hi"), 2}));
}

TEST(SpmTokenizer, DecodeStripsTheSpacePrefixAsLlamaCppDoes) {
  auto tok = Tokenizer::from_vocab_data(spm_vocab(buildable({kSp + "hello", kSp + "world"})));
  const V ids = tok->encode("hello world", false, false);
  EXPECT_EQ(tok->decode(ids), "hello world");
  V with_bos = ids;
  with_bos.insert(with_bos.begin(), 1);
  EXPECT_EQ(tok->decode(with_bos), " hello world");  // BOS is the "first piece" then
  EXPECT_EQ(tok->decode(with_bos, true), "<s> hello world");
  EXPECT_EQ(tok->detokenize(with_bos, /*remove_special=*/true, false), " hello world");
}

TEST(BpeTokenizer, MergesLowestRankFirst) {
  auto tok = Tokenizer::from_vocab_data(bpe_vocab({"ab", "bc"}, {"a b", "b c"}));
  EXPECT_EQ(tok->encode("abc", false, false), (V{256, 'c'}));
  auto flipped = Tokenizer::from_vocab_data(bpe_vocab({"ab", "bc"}, {"b c", "a b"}));
  EXPECT_EQ(flipped->encode("abc", false, false), (V{'a', 257}));
}

TEST(BpeTokenizer, SpacesAreByteEncodedAndWordsSplit) {
  const std::string g = "\xC4\xA0";  // "Ġ", the stand-in for a space
  auto tok = Tokenizer::from_vocab_data(bpe_vocab({"he", "hel", "hello", g + "w"}, {"h e", "he l", "hel lo", "l o", g + " w"}));
  // "hello" needs "l o" before "hel lo": ranks 3 then 2.
  const V ids = tok->encode("hello w", false, false);
  EXPECT_EQ(ids, (V{id_of(*tok, "hello"), id_of(*tok, g + "w")}));
  EXPECT_EQ(tok->decode(ids), "hello w");
}

TEST(BpeTokenizer, IgnoreMergesTakesWholeWordTokens) {
  // "hello" is a token that the merges alone cannot build.
  auto gpt2 = Tokenizer::from_vocab_data(bpe_vocab({"hello"}, {}, "gpt-2"));
  EXPECT_EQ(gpt2->encode("hello", false, false), (V{'h', 'e', 'l', 'l', 'o'}));
  auto llama3 = Tokenizer::from_vocab_data(bpe_vocab({"hello"}, {}, "llama-bpe"));
  EXPECT_EQ(llama3->encode("hello", false, false), (V{256}));
}

TEST(BpeTokenizer, UnknownPreFallsBackWithAWarning) {
  auto tok = Tokenizer::from_vocab_data(bpe_vocab({}, {}, "brand-new-pre"));
  ASSERT_EQ(tok->warnings().size(), 1u);
  EXPECT_NE(tok->warnings()[0].find("brand-new-pre"), std::string::npos);
  // Token ids equal byte values here; the space is spelt "Ġ" (byte 0x20).
  EXPECT_EQ(tok->encode("a b", false, false), (V{'a', ' ', 'b'}));
  auto clean = Tokenizer::from_vocab_data(bpe_vocab({}, {}, "gpt-2"));
  EXPECT_TRUE(clean->warnings().empty());
}

TEST(SpecialTokens, ParsedOnlyWhenAskedExceptUserDefined) {
  auto d = bpe_vocab({"<|im_end|>", "<tool>", "<|im_end|>x"}, {});
  d.token_types.assign(d.tokens.size(), 1);
  d.token_types[256] = 3;  // control
  d.token_types[257] = 4;  // user-defined
  d.token_types[258] = 3;  // a longer control token sharing a prefix
  auto tok = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(tok->encode("a<|im_end|>b", false, true), (V{'a', 256, 'b'}));
  const V plain = tok->encode("a<|im_end|>b", false, false);
  EXPECT_EQ(plain.size(), 12u);  // every character on its own
  EXPECT_EQ(tok->decode(plain), "a<|im_end|>b");
  EXPECT_EQ(tok->encode("<tool>", false, false), (V{257}));  // user-defined: always
  EXPECT_EQ(tok->encode("<|im_end|>x", false, true), (V{258}));  // longest match first
  EXPECT_EQ(tok->token_to_piece(256), "");
  EXPECT_EQ(tok->token_to_piece(256, true), "<|im_end|>");
  EXPECT_EQ(tok->token_to_piece(257), "<tool>");
}

TEST(VocabLoader, DetectsEndOfTurnByTextAndMakesItControl) {
  auto d = bpe_vocab({"<|endoftext|>", "<|im_end|>"}, {});
  d.eos_id = 256;
  auto tok = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(tok->eos(), 256);
  EXPECT_EQ(tok->eot(), 257);  // "<|im_end|>" is listed before "<|endoftext|>"
  EXPECT_TRUE(tok->is_eog(256));
  EXPECT_TRUE(tok->is_eog(257));
  EXPECT_FALSE(tok->is_eog('a'));
  EXPECT_EQ(tok->token_type(257), TokenType::Control);  // stored as Normal
  EXPECT_EQ(tok->token_type('a'), TokenType::Normal);
}

TEST(VocabLoader, BadSpecialIdsKeepDefaultsWithAWarning) {
  auto d = spm_vocab({{kSp, -1}});
  d.bos_id = 4294967295LL;  // as stories260K stores "none"
  d.pad_id = -5;
  auto tok = Tokenizer::from_vocab_data(d);
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->pad(), -1);
  EXPECT_EQ(tok->warnings().size(), 2u);
  // gpt2's default BOS/EOS (11) is disabled when the vocabulary is smaller.
  VocabData tiny;
  tiny.model = "gpt2";
  tiny.pre = "gpt-2";
  tiny.tokens = {"a", "b"};
  auto t2 = Tokenizer::from_vocab_data(tiny);
  EXPECT_EQ(t2->bos(), -1);
  EXPECT_EQ(t2->encode("ab", true, false), (V{0, 1}));
}

TEST(VocabLoader, RejectsInconsistentData) {
  const auto error_of = [](const VocabData& d) {
    try {
      Tokenizer::from_vocab_data(d);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  VocabData bert;
  bert.model = "bert";
  bert.tokens = {"a"};
  EXPECT_NE(error_of(bert).find("'bert'"), std::string::npos) << error_of(bert);

  VocabData empty;
  empty.model = "llama";
  EXPECT_NE(error_of(empty).find("tokenizer.ggml.tokens"), std::string::npos);

  auto scores = spm_vocab({});
  scores.scores.pop_back();
  EXPECT_NE(error_of(scores).find("tokenizer.ggml.scores"), std::string::npos) << error_of(scores);

  auto types = spm_vocab({});
  types.token_types.push_back(1);
  EXPECT_NE(error_of(types).find("tokenizer.ggml.token_type"), std::string::npos);

  auto dup = spm_vocab({{"x", 0}, {"x", 0}});
  EXPECT_NE(error_of(dup).find("twice"), std::string::npos) << error_of(dup);
}

TEST(VocabLoader, OutOfRangeIdsAreHarmless) {
  auto tok = Tokenizer::from_vocab_data(spm_vocab({{kSp, -1}}));
  EXPECT_EQ(tok->token_to_piece(-1), "");
  EXPECT_EQ(tok->token_to_piece(1 << 30), "");
  EXPECT_EQ(tok->token_text(-7), "");
  EXPECT_EQ(tok->token_type(1 << 30), TokenType::Undefined);
  EXPECT_EQ(tok->decode({-1, 1 << 30, 3 + 'A'}), "A");
  EXPECT_EQ(tok->find_token("no such token"), -1);
}

TEST(VocabLoader, PhiThreeSpecialTokensEatFollowingSpace) {
  auto d = spm_vocab({{kSp, -1}, {"<|end|>", 0}, {"x", -1}});
  d.token_types[d.tokens.size() - 2] = 3;
  d.general_name = "Phi3";
  auto phi = Tokenizer::from_vocab_data(d);
  const int32_t end = id_of(*phi, "<|end|>");
  EXPECT_EQ(phi->encode("<|end|>  \nx", false, true), (V{end, id_of(*phi, kSp), id_of(*phi, "x")}));
  d.general_name = "other";
  auto other = Tokenizer::from_vocab_data(d);
  EXPECT_GT(other->encode("<|end|>  \nx", false, true).size(), 3u);
}

TEST(Detokenizer, CleanUpSpacesLikeLlamaCpp) {
  EXPECT_EQ(lantern::clean_up_spaces("a , b . c ! d ?"), "a, b. c! d?");
  EXPECT_EQ(lantern::clean_up_spaces("x ' y"), "x'y");
  EXPECT_EQ(lantern::clean_up_spaces("he 's we 're they 've I 'm"), "he's we're they've I'm");
  EXPECT_EQ(lantern::clean_up_spaces("it 'd I 'll don 't"), "it 'd I 'll don 't");
  EXPECT_EQ(lantern::clean_up_spaces(""), "");
}

TEST(FromGguf, ReadsTokenizerKeysAndNamesBadOnes) {
  const auto parse = [](const lantern::GgufWriter& w) {
    const std::vector<uint8_t> bytes = w.to_bytes();
    lantern::MemorySource src(bytes);
    return lantern::GgufFile::parse(src);
  };
  const auto error_of = [&](const lantern::GgufWriter& w) {
    try {
      Tokenizer::from_gguf(parse(w));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  lantern::GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  w.set_strings("tokenizer.ggml.tokens", {"a", "b", "ab", "<|im_end|>"});
  w.set_i32s("tokenizer.ggml.token_type", {1, 1, 1, 3});
  w.set_strings("tokenizer.ggml.merges", {"a b"});
  w.set_u32("tokenizer.ggml.eos_token_id", 3);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  {
    auto tok = Tokenizer::from_gguf(parse(w));
    EXPECT_EQ(tok->n_vocab(), 4);
    EXPECT_EQ(tok->eos(), 3);
    EXPECT_FALSE(tok->add_bos());
    EXPECT_EQ(tok->encode("ab<|im_end|>", true, true), (V{2, 3}));
  }
  lantern::GgufWriter bad_model = w;
  bad_model.set_string("tokenizer.ggml.model", "t5");
  EXPECT_NE(error_of(bad_model).find("'t5'"), std::string::npos) << error_of(bad_model);

  lantern::GgufWriter no_merges;
  no_merges.set_string("tokenizer.ggml.model", "gpt2");
  no_merges.set_strings("tokenizer.ggml.tokens", {"a"});
  EXPECT_NE(error_of(no_merges).find("tokenizer.ggml.merges"), std::string::npos) << error_of(no_merges);

  lantern::GgufWriter int_tokens;
  int_tokens.set_string("tokenizer.ggml.model", "llama");
  int_tokens.set_i32s("tokenizer.ggml.tokens", {1, 2});
  EXPECT_NE(error_of(int_tokens).find("tokenizer.ggml.tokens"), std::string::npos) << error_of(int_tokens);

  lantern::GgufWriter string_id = w;
  string_id.set_string("tokenizer.ggml.bos_token_id", "1");
  EXPECT_NE(error_of(string_id).find("tokenizer.ggml.bos_token_id"), std::string::npos) << error_of(string_id);

  lantern::GgufWriter none;
  none.set_string("general.name", "no tokenizer here");
  EXPECT_NE(error_of(none).find("tokenizer.ggml.model"), std::string::npos) << error_of(none);
}

}  // namespace
