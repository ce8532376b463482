#include "engine/grammar_cache.h"

#include "grammar/gbnf_parser.h"

namespace lantern {

std::shared_ptr<const grammar::TokenTrie> GrammarCache::trie(const std::vector<int32_t>& rendered) {
  if (!eog_known_) {
    for (int32_t id = 0; id < tokenizer_.n_vocab(); ++id)
      if (tokenizer_.is_eog(id)) eog_.push_back(id);
    eog_known_ = true;
  }
  auto& t = tries_[rendered];
  if (!t) t = std::make_shared<grammar::TokenTrie>(tokenizer_, rendered);
  return t;
}

std::shared_ptr<grammar::CompiledGrammar> GrammarCache::get(const std::string& gbnf, const std::vector<int32_t>& rendered) {
  for (auto it = recent_.begin(); it != recent_.end(); ++it) {
    if (it->gbnf == gbnf && it->rendered == rendered) {
      recent_.splice(recent_.begin(), recent_, it);
      return recent_.front().compiled;
    }
  }
  auto g = std::make_shared<grammar::Grammar>(grammar::parse_gbnf(gbnf));
  auto compiled = std::make_shared<grammar::CompiledGrammar>(std::move(g), trie(rendered), eog_);
  recent_.push_front(Entry{gbnf, rendered, std::move(compiled)});
  if (recent_.size() > kKept) recent_.pop_back();
  return recent_.front().compiled;
}

}  // namespace lantern
