// A context-free grammar over bytes, the one form every constraint compiles
// to (GBNF and EBNF text, JSON Schema, tool-call syntax). Each rule is a list
// of alternatives; an alternative is a sequence of elements, each matching
// one byte from a set or a whole rule. The source's code-point classes
// become UTF-8 byte sequences and its repetitions right-recursive helper
// rules, so the matcher (grammar_matcher.h) only ever steps one byte.
// Left recursion (direct, or through rules that can match nothing) is
// refused when the grammar is built: it would make the matcher loop.
#pragma once
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace lantern::grammar {

// A grammar, schema or regex that cannot be used; the message names the rule,
// keyword or position.
class GrammarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one grammar may cost to build (docs/reliability.md).
struct GrammarLimits {
  size_t max_source_bytes = 1u << 20;  // GBNF/EBNF text or schema JSON
  size_t max_rules = 1u << 16;         // after desugaring repetitions
  size_t max_elements = 1u << 21;      // elements of all alternatives together
  int max_nesting = 128;               // parentheses in GBNF, schema depth
  uint32_t max_repeat = 10000;         // the m and n of x{m,n}
};

struct Element {
  enum Kind : uint8_t { Bytes, Rule, End };
  Kind kind = End;
  uint32_t value = 0;  // Bytes: index into byte_sets; Rule: rule id
};

using ByteSet = std::bitset<256>;

struct Grammar {
  // All alternatives of all rules, each ended by an End element; a position
  // in the grammar is an index into this array.
  std::vector<Element> elements;
  // rule id -> start positions of its alternatives.
  std::vector<std::vector<uint32_t>> alternatives;
  std::vector<std::string> rule_names;
  std::vector<ByteSet> byte_sets;
  uint32_t root = 0;

  size_t rule_count() const { return alternatives.size(); }
};

// Builds a Grammar rule by rule; check() refuses undefined rules, left
// recursion and a root that matches no string.
class GrammarBuilder {
 public:
  explicit GrammarBuilder(const GrammarLimits& limits = {});
  // The id of a rule, declared on first mention (defined later or never).
  uint32_t rule(const std::string& name);
  // A fresh helper rule named after `base` (base_1, base_2, ...).
  uint32_t fresh_rule(const std::string& base);
  bool defined(uint32_t rule) const;
  // One alternative of a rule; an empty sequence matches the empty string.
  void add_alternative(uint32_t rule, const std::vector<Element>& seq);
  Element bytes(const ByteSet& set);  // interned
  static Element ref(uint32_t rule) { return Element{Element::Rule, rule}; }
  const GrammarLimits& limits() const { return limits_; }
  // Throws GrammarError. `root` is the start rule.
  Grammar build(uint32_t root) &&;

 private:
  GrammarLimits limits_;
  Grammar g_;
  std::vector<std::vector<std::vector<Element>>> pending_;  // rule -> alternatives
  std::vector<bool> defined_;
  std::unordered_map<std::string, uint32_t> names_;  // source rule names
  std::unordered_map<std::string, uint32_t> sets_;   // byte set bits -> index
  size_t element_count_ = 0;
};

}  // namespace lantern::grammar
