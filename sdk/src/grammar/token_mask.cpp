#include "grammar/token_mask.h"

#include <algorithm>
#include <stdexcept>

namespace lantern::grammar {

namespace {

size_t mask_words(int32_t n_vocab) { return (static_cast<size_t>(n_vocab) + 31) / 32; }

}  // namespace

CompiledGrammar::CompiledGrammar(std::shared_ptr<const Grammar> g, std::shared_ptr<const TokenTrie> trie,
                                 std::vector<int32_t> eog_tokens, const MatcherLimits& limits)
    : g_(std::move(g)), trie_(std::move(trie)), eog_(std::move(eog_tokens)), limits_(limits) {}

size_t CompiledGrammar::KeyHash::operator()(const std::vector<uint32_t>& k) const {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t v : k) h = (h ^ v) * 1099511628211ull;
  return static_cast<size_t>(h);
}

const CompiledGrammar::ContextMask& CompiledGrammar::context_mask(const StackArena& arena, int32_t top) {
  std::vector<uint32_t> key;
  int32_t n = top;
  while (n >= 0 && key.size() < static_cast<size_t>(kContextDepth)) {
    key.push_back(arena.at(n).pos);
    n = arena.at(n).parent;
  }
  const bool exact = n == StackArena::kRoot;
  key.push_back(exact ? 1u : 0u);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  ContextMask m = compute(key, exact);
  const size_t bytes = m.allowed.size() * 4 + m.uncertain.size() * 8 + key.size() * 4;
  if (cache_bytes_ + bytes > kMaxCacheBytes) {
    // Over budget (a huge grammar visiting many contexts): start over
    // rather than grow; contexts in use are recomputed on their next visit.
    cache_.clear();
    cache_bytes_ = 0;
  }
  cache_bytes_ += bytes;
  return cache_.emplace(std::move(key), std::move(m)).first->second;
}

// One walk of the trie from the context alone, with a sentinel below it (or
// the root, when the context is the whole stack): a path that pops the
// sentinel has left the context.
CompiledGrammar::ContextMask CompiledGrammar::compute(const std::vector<uint32_t>& context, bool exact) {
  ContextMask out;
  out.allowed.assign(mask_words(trie_->n_vocab()), 0);
  StackArena arena(limits_);
  GrammarStepper st(*g_, arena);
  int32_t node = exact ? StackArena::kRoot : StackArena::kSentinel;
  for (size_t k = context.size() - 1; k-- > 0;) node = arena.node(context[k], node);
  const auto& nodes = trie_->nodes();
  MemoStepper memo(st);
  std::vector<int> states(trie_->max_depth() + 1);
  std::vector<bool> escaped(trie_->max_depth() + 1, false);  // a pop past the sentinel on the path so far
  states[0] = memo.intern(st.from_node(node));
  auto add = [&](size_t i, bool allowed) {
    const TokenTrie::Node& n = nodes[i];
    const int32_t* ids = trie_->ids(n);
    for (int32_t k = 0; k < n.last - n.first; ++k) {
      if (allowed) {
        mask_set(out.allowed, ids[k]);
      } else {
        out.uncertain.push_back({ids[k], 0});
      }
    }
  };
  for (size_t i = 1; i < nodes.size();) {
    const TokenTrie::Node& n = nodes[i];
    const size_t d = n.depth;
    states[d] = memo.step(states[d - 1], n.byte);
    const StackSet& s = memo.at(states[d]);
    const bool esc_before = escaped[d - 1];
    if (!s.tops.empty() || s.escaped || s.ended) {
      add(i, /*allowed=*/true);
    } else if (esc_before) {
      add(i, /*allowed=*/false);
    }
    if (s.tops.empty()) {
      // Nothing below can match inside the context; past a pop, the stack decides.
      if (esc_before || s.escaped) {
        for (size_t j = i + 1; j < static_cast<size_t>(n.skip); ++j) add(j, /*allowed=*/false);
      }
      i = static_cast<size_t>(n.skip);
      continue;
    }
    escaped[d] = esc_before || s.escaped;
    ++i;
  }
  // Trie order is text order: record the prefix each shares with the one before.
  for (size_t k = 1; k < out.uncertain.size(); ++k) {
    const std::string& a = trie_->text(out.uncertain[k - 1].first);
    const std::string& b = trie_->text(out.uncertain[k].first);
    size_t common = 0;
    while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
    out.uncertain[k].second = static_cast<uint16_t>(common);
  }
  return out;
}

GrammarConstraint::GrammarConstraint(std::shared_ptr<CompiledGrammar> compiled)
    : compiled_(std::move(compiled)), matcher_(compiled_->grammar(), compiled_->limits()) {}

bool GrammarConstraint::is_eog(int32_t token) const {
  const auto& e = compiled_->eog_tokens();
  return std::find(e.begin(), e.end(), token) != e.end();
}

bool GrammarConstraint::allows(int32_t token) {
  if (token < 0 || token >= compiled_->trie().n_vocab()) return false;
  if (is_eog(token)) return matcher_.can_end();
  const std::string& text = compiled_->trie().text(token);
  return !text.empty() && matcher_.can_accept(text);
}

size_t GrammarConstraint::fill_mask(TokenBitmask& mask) {
  const TokenTrie& trie = compiled_->trie();
  mask.assign(mask_words(trie.n_vocab()), 0);
  StackArena& arena = matcher_.arena();
  const size_t mark = arena.mark();
  GrammarStepper st(matcher_.grammar(), arena);
  walk_.resize(trie.max_depth() + 1);
  const std::vector<int32_t> tops = matcher_.state().tops;
  for (int32_t top : tops) {
    const CompiledGrammar::ContextMask& cm = compiled_->context_mask(arena, top);
    for (size_t w = 0; w < mask.size(); ++w) mask[w] |= cm.allowed[w];
    // The uncertain tokens against the real stack, sharing the work of
    // common prefixes: walk[d] is the set after d bytes of the last token.
    MemoStepper memo(st);
    walk_.assign(trie.max_depth() + 1, 0);
    walk_[0] = memo.intern(st.from_node(top));
    size_t valid = 0;  // walk_[0..valid] are sets of the current token's prefix
    for (const auto& [id, common] : cm.uncertain) {
      const std::string& text = trie.text(id);
      size_t d = std::min<size_t>(common, valid);
      bool alive = true;  // a dead prefix stays dead for every token sharing it
      while (alive && d < text.size()) {
        if (memo.at(walk_[d]).tops.empty()) {
          alive = false;
          break;
        }
        walk_[d + 1] = memo.step(walk_[d], static_cast<uint8_t>(text[d]));
        ++d;
      }
      valid = d;
      const StackSet& end = memo.at(walk_[d]);
      if (alive && (!end.tops.empty() || end.ended)) mask_set(mask, id);
    }
  }
  arena.rollback(mark);
  if (matcher_.can_end()) {
    for (int32_t id : compiled_->eog_tokens()) mask_set(mask, id);
  }
  size_t count = 0;
  for (uint32_t w : mask) count += static_cast<size_t>(__builtin_popcount(w));
  return count;
}

bool GrammarConstraint::accept(int32_t token) {
  if (is_eog(token)) return matcher_.can_end();
  const std::string& text = compiled_->trie().text(token);
  return !text.empty() && matcher_.accept(text);
}

}  // namespace lantern::grammar
