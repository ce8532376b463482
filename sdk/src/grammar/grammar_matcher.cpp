#include "grammar/grammar_matcher.h"

#include <algorithm>

namespace lantern::grammar {

namespace {

uint64_t node_key(uint32_t pos, int32_t parent) {
  return (static_cast<uint64_t>(pos) << 32) | static_cast<uint32_t>(parent);
}

}  // namespace

int32_t StackArena::node(uint32_t pos, int32_t parent) {
  const uint64_t key = node_key(pos, parent);
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  if (nodes_.size() >= limits_.max_nodes) {
    throw GrammarError("grammar match needs more than " + std::to_string(limits_.max_nodes) + " stack nodes");
  }
  const auto id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back(Node{pos, parent});
  index_.emplace(key, id);
  return id;
}

void StackArena::rollback(size_t mark) {
  while (nodes_.size() > mark) {
    index_.erase(node_key(nodes_.back().pos, nodes_.back().parent));
    nodes_.pop_back();
  }
}

// The work list of expand(): (position, continuation) pairs. A position at
// an End element continues with its parent; a Rule element pushes its
// alternatives with "the rest of this alternative" as their continuation.
// The rest is a node only when something is left: at End it is the parent
// itself, so right recursion (x*) keeps stacks flat.
void GrammarStepper::expand(uint32_t pos0, int32_t parent0, StackSet& out) {
  auto& work = work_;
  work.assign(1, {pos0, parent0});
  while (!work.empty()) {
    auto [pos, parent] = work.back();
    work.pop_back();
    if (!first_visit(node_key(pos, parent))) continue;
    const Element& e = g_.elements[pos];
    if (e.kind == Element::Bytes) {
      out.tops.push_back(arena_.node(pos, parent));
    } else if (e.kind == Element::End) {
      if (parent == StackArena::kRoot) {
        out.ended = true;
      } else if (parent == StackArena::kSentinel) {
        out.escaped = true;
      } else {
        const StackArena::Node& p = arena_.at(parent);
        work.push_back({p.pos, p.parent});
      }
    } else {
      int32_t cont = parent;
      if (g_.elements[pos + 1].kind != Element::End) cont = arena_.node(pos + 1, parent);
      for (uint32_t alt : g_.alternatives[e.value]) work.push_back({alt, cont});
    }
  }
}

void GrammarStepper::reset_seen() {
  seen_.clear();
  if (!seen_many_.empty()) seen_many_.clear();
}

bool GrammarStepper::first_visit(uint64_t key) {
  if (seen_.size() < kFlatSeen) {
    if (std::find(seen_.begin(), seen_.end(), key) != seen_.end()) return false;
    seen_.push_back(key);
    if (seen_.size() == kFlatSeen) seen_many_.insert(seen_.begin(), seen_.end());
    return true;
  }
  return seen_many_.insert(key).second;
}

void GrammarStepper::finish(StackSet& out) {
  reset_seen();
  std::sort(out.tops.begin(), out.tops.end());
  out.tops.erase(std::unique(out.tops.begin(), out.tops.end()), out.tops.end());
  if (out.tops.size() > arena_.limits().max_stacks) {
    throw GrammarError("grammar is too ambiguous: more than " + std::to_string(arena_.limits().max_stacks) +
                       " parses are alive at once");
  }
}

StackSet GrammarStepper::start(uint32_t rule, int32_t parent) {
  StackSet out;
  reset_seen();
  for (uint32_t alt : g_.alternatives[rule]) expand(alt, parent, out);
  finish(out);
  return out;
}

StackSet GrammarStepper::from_node(int32_t node) {
  StackSet out;
  out.tops.push_back(node);
  return out;
}

StackSet GrammarStepper::step(const StackSet& s, uint8_t byte) {
  StackSet out;
  step(s, byte, out);
  return out;
}

void GrammarStepper::step(const StackSet& s, uint8_t byte, StackSet& out) {
  out.tops.clear();
  out.ended = out.escaped = false;
  reset_seen();
  for (int32_t top : s.tops) {
    const StackArena::Node& n = arena_.at(top);
    if (!g_.byte_sets[g_.elements[n.pos].value][byte]) continue;
    const StackArena::Node copy = n;  // expand() may grow the arena
    expand(copy.pos + 1, copy.parent, out);
  }
  finish(out);
}

ByteSet GrammarStepper::next_bytes(const StackSet& s) const {
  ByteSet all;
  for (int32_t top : s.tops) all |= g_.byte_sets[g_.elements[arena_.at(top).pos].value];
  return all;
}

int MemoStepper::intern(StackSet s) {
  std::string key(reinterpret_cast<const char*>(s.tops.data()), s.tops.size() * sizeof(int32_t));
  key += static_cast<char>((s.ended ? 1 : 0) | (s.escaped ? 2 : 0));
  auto [it, fresh] = ids_.emplace(std::move(key), static_cast<int>(sets_.size()));
  if (fresh) sets_.push_back(std::move(s));
  return it->second;
}

int MemoStepper::step(int state, uint8_t byte) {
  const uint64_t key = static_cast<uint64_t>(state) * 256 + byte;
  if (auto it = next_.find(key); it != next_.end()) return it->second;
  const int id = intern(st_.step(sets_[static_cast<size_t>(state)], byte));
  next_.emplace(key, id);
  return id;
}

GrammarMatcher::GrammarMatcher(std::shared_ptr<const Grammar> g, const MatcherLimits& limits)
    : g_(std::move(g)), arena_(limits) {
  GrammarStepper st(*g_, arena_);
  state_ = st.start(g_->root);
}

bool GrammarMatcher::step_bytes(std::string_view bytes, bool keep) {
  GrammarStepper st(*g_, arena_);
  const size_t mark = arena_.mark();
  StackSet s = state_;
  bool ok = true;
  for (char c : bytes) {
    s = st.step(s, static_cast<uint8_t>(c));
    if (s.tops.empty() && !s.ended) {
      ok = false;
      break;
    }
  }
  if (ok && keep) {
    state_ = std::move(s);
  } else {
    arena_.rollback(mark);
  }
  return ok;
}

std::string GrammarMatcher::forced_bytes(size_t max_bytes) {
  GrammarStepper st(*g_, arena_);
  const size_t mark = arena_.mark();
  std::string out;
  StackSet s = state_;
  while (out.size() < max_bytes && !s.ended && !s.tops.empty()) {
    ByteSet next = st.next_bytes(s);
    if (next.count() != 1) break;
    int b = 0;
    while (!next[b]) ++b;
    out += static_cast<char>(b);
    s = st.step(s, static_cast<uint8_t>(b));
  }
  arena_.rollback(mark);
  return out;
}

bool grammar_accepts(const Grammar& g, std::string_view text) {
  auto shared = std::shared_ptr<const Grammar>(&g, [](const Grammar*) {});
  GrammarMatcher m(shared);
  return m.accept(text) && m.can_end();
}

}  // namespace lantern::grammar
