// Token masks from the position cache equal the token-by-token answer, on
// real vocabularies (GPT-2's byte-level BPE, Phi-3's SentencePiece with byte
// tokens) along real texts.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "grammar/gbnf_parser.h"
#include "grammar/token_mask.h"
#include "tokenizer/tokenizer.h"

namespace lantern::grammar {
namespace {

const char* kJson = R"(
root ::= object
value ::= object | array | string | number | ("true" | "false" | "null")
object ::= "{" ws ( string ":" ws value ws ("," ws string ":" ws value ws)* )? "}"
array ::= "[" ws ( value ws ("," ws value ws)* )? "]"
string ::= "\"" ( [^"\\\x00-\x1f] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\""
number ::= "-"? ([0-9] | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?
ws ::= [ \t\n]{0,4}
)";

std::unique_ptr<Tokenizer> vocab(const std::string& name) {
  auto src = open_file_source(std::string(LANTERN_SHARED_DIR) + "/models/vocab/" + name);
  GgufFile f = GgufFile::parse(*src);
  return Tokenizer::from_gguf(f);
}

std::shared_ptr<CompiledGrammar> compile(const Tokenizer& tk, const std::string& gbnf) {
  std::vector<int32_t> eog;
  for (int32_t id = 0; id < tk.n_vocab(); ++id)
    if (tk.is_eog(id)) eog.push_back(id);
  return std::make_shared<CompiledGrammar>(std::make_shared<Grammar>(parse_gbnf(gbnf)),
                                           std::make_shared<TokenTrie>(tk), eog);
}

// At every token boundary of `text`: the mask from the cache equals asking
// each token alone, and the text's own next token is in it.
void check_along(const Tokenizer& tk, const std::string& gbnf, const std::string& text) {
  auto compiled = compile(tk, gbnf);
  GrammarConstraint c(compiled);
  std::vector<int32_t> ids = tk.encode(text, false, false);
  ids.push_back(tk.eos());
  TokenBitmask mask;
  for (size_t i = 0; i < ids.size(); ++i) {
    const size_t n = c.fill_mask(mask);
    size_t brute = 0;
    for (int32_t t = 0; t < tk.n_vocab(); ++t) {
      const bool a = c.allows(t);
      brute += a;
      ASSERT_EQ(mask_has(mask, t), a) << "token " << t << " '" << tk.token_to_piece(t) << "' after " << i
                                      << " tokens of " << text;
    }
    EXPECT_EQ(n, brute);
    ASSERT_TRUE(mask_has(mask, ids[i])) << "the text's own token " << i << " '" << tk.token_to_piece(ids[i]) << "'";
    if (i + 1 < ids.size()) {
      ASSERT_TRUE(c.accept(ids[i]));
    }
  }
  EXPECT_TRUE(c.can_end());
}

TEST(TokenMask, CacheMatchesTokenByTokenOnGpt2) {
  auto tk = vocab("ggml-vocab-gpt-2.gguf");
  check_along(*tk, kJson, R"({"name": "Ada", "born": 1815, "tags": ["math"], "x": {"y": null}})");
  check_along(*tk, kJson, "{\"k\u00e9y\": \"\u65e5\u672c\\n\\u00e9\", \"n\": -1.5e3}");
}

TEST(TokenMask, CacheMatchesTokenByTokenOnPhi3WithByteTokens) {
  auto tk = vocab("ggml-vocab-phi-3.gguf");
  // SentencePiece puts a space before the text.
  const std::string spaced = std::string(kJson).replace(std::string(kJson).find("root ::= object"), 15, "root ::= \" \" object");
  check_along(*tk, spaced, R"({"a": [1, 2, {"b": true}], "c": "\ud83d \u00e9t\u00e9"})");
  check_along(*tk, "root ::= \" \"? [a-z]+ (\" \" [a-z]+){0,5} \".\"", "hello there general kenobi.");
}

TEST(TokenMask, OnlyEndOfGenerationOnceTheTextIsComplete) {
  auto tk = vocab("ggml-vocab-gpt-2.gguf");
  GrammarConstraint c(compile(*tk, "root ::= \"yes\" | \"no\""));
  ASSERT_TRUE(c.accept(tk->encode("yes", false, false)[0]));
  EXPECT_TRUE(c.finished());
  TokenBitmask mask;
  EXPECT_EQ(c.fill_mask(mask), 1u);
  EXPECT_TRUE(mask_has(mask, tk->eos()));
  EXPECT_FALSE(c.allows(tk->encode(" maybe", false, false)[0]));
}

}  // namespace
}  // namespace lantern::grammar
