#include "engine/grammar_cache.h"

#include "grammar/gbnf_parser.h"

namespace lantern {

std::shared_ptr<grammar::CompiledGrammar> GrammarCache::get(const std::string& gbnf) {
  for (auto it = recent_.begin(); it != recent_.end(); ++it) {
    if (it->first == gbnf) {
      recent_.splice(recent_.begin(), recent_, it);
      return recent_.front().second;
    }
  }
  auto g = std::make_shared<grammar::Grammar>(grammar::parse_gbnf(gbnf));
  if (!trie_) {
    trie_ = std::make_shared<grammar::TokenTrie>(tokenizer_);
    for (int32_t id = 0; id < tokenizer_.n_vocab(); ++id)
      if (tokenizer_.is_eog(id)) eog_.push_back(id);
  }
  recent_.emplace_front(gbnf, std::make_shared<grammar::CompiledGrammar>(std::move(g), trie_, eog_));
  if (recent_.size() > kKept) recent_.pop_back();
  return recent_.front().second;
}

}  // namespace lantern
