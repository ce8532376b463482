// Which tokens a grammar allows next, at decode speed.
//
// The top of a stack (its position and the next few continuations below)
// decides most tokens on its own: a token is surely allowed if its bytes
// match without popping below those, surely refused if they fail there, and
// only "uncertain" when matching them pops further, where the rest of the
// stack decides. CompiledGrammar computes that split once per such context,
// the first time a match stands there, with one trie walk (XGrammar's
// adaptive token mask cache); a step then ORs the allowed sets of its
// stacks' contexts and checks only the uncertain tokens against the real
// stacks. The context is kContextDepth positions deep, not one: the rules
// a grammar's repetitions and character classes desugar to are a byte
// long, so a one-position context would leave almost every token
// uncertain inside a string.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/grammar_matcher.h"
#include "grammar/token_trie.h"

namespace lantern::grammar {

// A bit per token id.
using TokenBitmask = std::vector<uint32_t>;
inline bool mask_has(const TokenBitmask& m, int32_t id) { return (m[static_cast<size_t>(id) >> 5] >> (id & 31)) & 1u; }
inline void mask_set(TokenBitmask& m, int32_t id) { m[static_cast<size_t>(id) >> 5] |= 1u << (id & 31); }

class CompiledGrammar {
 public:
  // Positions' splits kept at most (a 151k vocabulary costs 19 KB a split).
  static constexpr size_t kMaxCacheBytes = 64u << 20;
  CompiledGrammar(std::shared_ptr<const Grammar> g, std::shared_ptr<const TokenTrie> trie,
                  std::vector<int32_t> eog_tokens, const MatcherLimits& limits = {});

  static constexpr int kContextDepth = 4;  // positions in a context key
  struct ContextMask {
    TokenBitmask allowed;  // allowed whatever the stack below
    // Decided by the stack below: in trie order, each with the length of the
    // prefix it shares with the one before (so checking them shares work).
    std::vector<std::pair<int32_t, uint16_t>> uncertain;
  };
  // The split for the top of a stack in `arena` (a node at a Bytes
  // element). Not thread-safe.
  const ContextMask& context_mask(const StackArena& arena, int32_t top);

  const std::shared_ptr<const Grammar>& grammar() const { return g_; }
  const TokenTrie& trie() const { return *trie_; }
  const std::vector<int32_t>& eog_tokens() const { return eog_; }
  const MatcherLimits& limits() const { return limits_; }
  size_t cached_positions() const { return cache_.size(); }

 private:
  ContextMask compute(const std::vector<uint32_t>& context, bool exact);

  std::shared_ptr<const Grammar> g_;
  std::shared_ptr<const TokenTrie> trie_;
  std::vector<int32_t> eog_;
  MatcherLimits limits_;
  struct KeyHash {
    size_t operator()(const std::vector<uint32_t>& k) const;
  };
  // Key: the context's positions, top first, then 1 if the stack ends there.
  std::unordered_map<std::vector<uint32_t>, ContextMask, KeyHash> cache_;
  size_t cache_bytes_ = 0;
};

// One generation under a grammar: what may come next, and the tokens taken.
class GrammarConstraint {
 public:
  explicit GrammarConstraint(std::shared_ptr<CompiledGrammar> compiled);
  // Whether one token may come next (cheap: a sampled token is checked first
  // and the whole mask computed only when it is refused).
  bool allows(int32_t token);
  // Every token that may come next; returns how many.
  size_t fill_mask(TokenBitmask& mask);
  // Takes a token the grammar allows (EOG tokens end nothing here: the
  // caller ends the generation). Returns false if it was not allowed.
  bool accept(int32_t token);
  bool can_end() const { return matcher_.can_end(); }
  // No more bytes may follow: the text is complete.
  bool finished() const { return matcher_.finished(); }
  // The bytes every continuation starts with (jump-forward).
  std::string forced_bytes() { return matcher_.forced_bytes(); }
  const CompiledGrammar& compiled() const { return *compiled_; }

 private:
  bool is_eog(int32_t token) const;
  std::shared_ptr<CompiledGrammar> compiled_;
  std::vector<int> walk_;  // fill_mask's sets along a token's bytes (MemoStepper ids)
  GrammarMatcher matcher_;
};

}  // namespace lantern::grammar
