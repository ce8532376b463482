// Where a byte string stands in a grammar: a graph-structured stack (every
// stack the grammar allows after these bytes, sharing their tails), stepped
// one byte at a time. Stacks are hash-consed, so the same grammar state is
// the same node ids, and the per-state work is proportional to the number
// of live stacks, not to the text so far.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "grammar/grammar.h"

namespace lantern::grammar {

// What one match may cost (docs/reliability.md): an ambiguous grammar can
// keep many stacks alive at once, a deep one makes long stacks.
struct MatcherLimits {
  size_t max_stacks = 4096;     // live stacks after one byte
  size_t max_nodes = 1u << 22;  // stack nodes kept over a whole match
};

// The stack nodes of one match. A node is a grammar position (an element of
// kind Bytes) and the node to continue with once that position's
// alternative ends.
class StackArena {
 public:
  static constexpr int32_t kRoot = -1;      // the start rule has ended
  static constexpr int32_t kSentinel = -2;  // "whatever the context is" (token mask precompute)
  struct Node {
    uint32_t pos;
    int32_t parent;
  };
  explicit StackArena(const MatcherLimits& limits) : limits_(limits) {}
  int32_t node(uint32_t pos, int32_t parent);  // hash-consed
  const Node& at(int32_t id) const { return nodes_[static_cast<size_t>(id)]; }
  size_t size() const { return nodes_.size(); }
  // Nodes made after a mark are forgotten by rollback (trial matches).
  size_t mark() const { return nodes_.size(); }
  void rollback(size_t mark);
  const MatcherLimits& limits() const { return limits_; }

 private:
  MatcherLimits limits_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, int32_t> index_;
};

// A set of stacks: the nodes at the top of each (sorted, unique), and
// whether some path has finished the start rule.
struct StackSet {
  std::vector<int32_t> tops;
  bool ended = false;       // the bytes so far are a whole sentence
  bool escaped = false;     // some path popped the sentinel (mask precompute)
  bool empty() const { return tops.empty() && !ended && !escaped; }
  bool operator==(const StackSet& o) const { return tops == o.tops && ended == o.ended && escaped == o.escaped; }
};

// Stepping stack sets through a grammar. Throws GrammarError when a limit
// of MatcherLimits is passed.
class GrammarStepper {
 public:
  GrammarStepper(const Grammar& g, StackArena& arena) : g_(g), arena_(arena) {}
  // The stacks at the start of `rule` with `parent` as continuation.
  StackSet start(uint32_t rule, int32_t parent = StackArena::kRoot);
  // The stacks of a single position (a node's own element onwards).
  StackSet from_node(int32_t node);
  // After one more byte; empty when the byte cannot follow.
  StackSet step(const StackSet& s, uint8_t byte);
  // The same into `out` (its storage reused: the token walks step millions
  // of times).
  void step(const StackSet& s, uint8_t byte, StackSet& out);
  // The bytes every stack accepts next (union of their top sets).
  ByteSet next_bytes(const StackSet& s) const;

 private:
  // Adds the tops reached from position `pos` (continuing with `parent`).
  void expand(uint32_t pos, int32_t parent, StackSet& out);
  void finish(StackSet& out);

  const Grammar& g_;
  StackArena& arena_;
  // expand() dedup within one step: closures are small, a flat list beats
  // a hash set there.
  std::vector<uint64_t> seen_;
  std::unordered_set<uint64_t> seen_many_;  // past kFlatSeen entries
  static constexpr size_t kFlatSeen = 64;
  bool first_visit(uint64_t key);
  void reset_seen();
  std::vector<std::pair<uint32_t, int32_t>> work_;
};

// Stack sets as small ids with their byte transitions remembered: walking a
// trie steps the same sets by the same bytes over and over (every character
// of a string leads back to the same set), so a walk costs a lookup per trie
// node instead of a closure. Valid while the arena keeps its nodes (one
// trie walk, or one mask computation before its rollback).
class MemoStepper {
 public:
  explicit MemoStepper(GrammarStepper& st) : st_(st) {}
  int intern(StackSet s);
  int step(int state, uint8_t byte);
  const StackSet& at(int state) const { return sets_[static_cast<size_t>(state)]; }

 private:
  GrammarStepper& st_;
  std::vector<StackSet> sets_;
  std::unordered_map<std::string, int> ids_;      // tops and flags -> id
  std::unordered_map<uint64_t, int> next_;        // id * 256 + byte -> id
};

// The user-facing matcher: accept bytes, ask whether the text may end here,
// and which bytes are forced (the only continuation) for jump-forward.
class GrammarMatcher {
 public:
  explicit GrammarMatcher(std::shared_ptr<const Grammar> g, const MatcherLimits& limits = {});
  // Appends the bytes if the grammar allows them (state unchanged otherwise).
  bool accept(std::string_view bytes) { return step_bytes(bytes, /*keep=*/true); }
  // Whether accept() would take them; the state stays as it is.
  bool can_accept(std::string_view bytes) { return step_bytes(bytes, /*keep=*/false); }
  bool can_end() const { return state_.ended; }
  // No more bytes can follow (every stack has ended).
  bool finished() const { return state_.tops.empty(); }
  // The longest byte string every continuation starts with (stops where the
  // text could also end).
  std::string forced_bytes(size_t max_bytes = 256);
  const StackSet& state() const { return state_; }
  const Grammar& grammar() const { return *g_; }
  StackArena& arena() { return arena_; }

 private:
  bool step_bytes(std::string_view bytes, bool keep);

  std::shared_ptr<const Grammar> g_;
  StackArena arena_;
  StackSet state_;
};

// Whether the whole text is a sentence of the grammar (tests, validation).
bool grammar_accepts(const Grammar& g, std::string_view text);

}  // namespace lantern::grammar
