// Fuzzes the grammar engine with arbitrary GBNF text and text to match. The
// input is GRAMMAR \0 TEXT (no \0: all grammar, no text); a first byte \x01
// makes GRAMMAR a JSON Schema instead, whose conversion must either refuse
// it with a GrammarError or give GBNF that parses (the converter never
// writes a grammar the parser rejects), then matched the same way. Any grammar must
// parse or give a GrammarError; a parsed one is stepped over the text byte by
// byte, with forced bytes asked at every step, and token masks computed over
// a small vocabulary of byte strings must agree with asking each token
// alone. Limits are small so each input stays fast; a limit reached is a
// GrammarError, never a crash, hang or runaway allocation.
// Seeds: fixtures/fuzz/grammar/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "grammar/json_schema_grammar.h"
#include "grammar/token_mask.h"

namespace {

using namespace lantern::grammar;

const std::vector<std::string>& vocab() {
  static const std::vector<std::string> v = {
      "", "a", "b", "ab", "ba", "{", "}", "{\"", "\":", "\"", ",", " ", "  ", "\n", "0", "12", "-", ".", "e",
      "true", "null", "[", "]", "\\", "\\n", "x", "xyz", "\xC3\xA9", "\xC3", "\xA9", "\xE2\x82\xAC", "ab\"}"};
  return v;
}

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t cut = in.find('\0');
  std::string_view gtext = in.substr(0, cut);
  std::string_view text = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  GrammarLimits gl;
  gl.max_rules = 512;
  gl.max_elements = 8192;
  gl.max_repeat = 64;
  gl.max_nesting = 32;
  std::shared_ptr<Grammar> g;
  std::string converted;
  if (!gtext.empty() && gtext[0] == '\x01') {
    const auto schema = nlohmann::ordered_json::parse(gtext.substr(1), nullptr, /*allow_exceptions=*/false);
    if (schema.is_discarded()) return 0;
    JsonSchemaOptions opts;
    opts.limits = gl;
    opts.max_work = 1u << 14;
    try {
      converted = json_schema_to_gbnf(schema, opts);
    } catch (const GrammarError&) {
      return 0;
    }
    GrammarLimits generous;  // what the API parses converted grammars with
    g = std::make_shared<Grammar>(parse_gbnf(converted, generous));  // must not throw
  } else {
    try {
      g = std::make_shared<Grammar>(parse_gbnf(gtext, gl));
    } catch (const GrammarError&) {
      return 0;
    }
  }
  MatcherLimits ml;
  ml.max_stacks = 256;
  ml.max_nodes = 1u << 16;
  try {
    auto trie = std::make_shared<TokenTrie>(vocab());
    auto compiled = std::make_shared<CompiledGrammar>(g, trie, std::vector<int32_t>{0}, ml);
    GrammarConstraint c(compiled);
    TokenBitmask mask;
    for (size_t i = 0; i <= text.size() && i < 64; ++i) {
      c.forced_bytes();
      c.fill_mask(mask);
      for (int32_t t = 1; t < trie->n_vocab(); ++t) require(mask_has(mask, t) == c.allows(t));
      require(mask_has(mask, 0) == c.can_end());
      if (i == text.size()) break;
      // Feed the text one byte as a token where the vocabulary has it.
      const std::string byte(1, text[i]);
      int32_t tok = -1;
      for (int32_t t = 1; t < trie->n_vocab(); ++t)
        if (vocab()[static_cast<size_t>(t)] == byte) tok = t;
      if (tok < 0 || !c.allows(tok)) break;
      require(c.accept(tok));
    }
    // The whole text through the byte matcher.
    GrammarMatcher m(g, ml);
    for (char ch : text) {
      if (!m.accept(std::string_view(&ch, 1))) break;
      m.forced_bytes(16);
    }
  } catch (const GrammarError&) {
  }
  return 0;
}
