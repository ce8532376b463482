// The grammars an engine's requests constrain output with, compiled against
// its vocabulary: the token trie is built on the first constrained request
// (a 151k vocabulary takes ~0.1 s), and the few grammars used last stay
// compiled with their context masks, so a client repeating one schema pays
// its first-visit costs once.
#pragma once
#include <cstdint>
#include <list>
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
  std::shared_ptr<grammar::CompiledGrammar> get(const std::string& gbnf);

 private:
  const Tokenizer& tokenizer_;
  std::shared_ptr<const grammar::TokenTrie> trie_;
  std::vector<int32_t> eog_;
  std::list<std::pair<std::string, std::shared_ptr<grammar::CompiledGrammar>>> recent_;  // most recent first
};

}  // namespace lantern
