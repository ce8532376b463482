// The grammars an engine's requests constrain output with, compiled against
// its vocabulary: the token trie is built on the first constrained request
// (a 151k vocabulary takes ~0.1 s), and the few grammars used last stay
// compiled with their context masks, so a client repeating one schema pays
// its first-visit costs once.
#pragma once
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "grammar/token_mask.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

class GrammarCache {
 public:
  static constexpr size_t kKept = 4;  // compiled grammars kept (each may cache up to 64 MiB of masks)
  explicit GrammarCache(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}
  // Throws grammar::GrammarError for a grammar that cannot be used.
  // `rendered`: control tokens the grammar writes by their text (a tool
  // call marker such as "[TOOL_CALLS]"); others never match it.
  std::shared_ptr<grammar::CompiledGrammar> get(const std::string& gbnf, const std::vector<int32_t>& rendered = {});

 private:
  std::shared_ptr<const grammar::TokenTrie> trie(const std::vector<int32_t>& rendered);

  const Tokenizer& tokenizer_;
  // One trie per set of rendered control tokens (in practice: none, or one
  // model's tool-call marker).
  std::map<std::vector<int32_t>, std::shared_ptr<const grammar::TokenTrie>> tries_;
  std::vector<int32_t> eog_;
  bool eog_known_ = false;
  struct Entry {
    std::string gbnf;
    std::vector<int32_t> rendered;
    std::shared_ptr<grammar::CompiledGrammar> compiled;
  };
  std::list<Entry> recent_;  // most recent first
};

}  // namespace lantern
