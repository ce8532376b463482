// The regular-expression subset that JSON Schema's `pattern` may use, parsed
// into a tree over code-point sets (json_schema_grammar.cpp turns it into
// grammar rules for a JSON string's contents).
//
// Supported: literal characters, escapes (\t \n \r \f \v \0 \xHH \uHHHH, an
// escaped punctuation character, \d \D \w \W \s \S), classes [...] and [^...]
// with ranges and those escapes, `.`, groups ( ), (?: ) and (?<name> ), `|`,
// the quantifiers * + ? {m} {m,} {m,n} (a lazy `?` after them changes nothing
// here), and `^` / `$` only at the very start / end of a top-level
// alternative. Anything else (backreferences, lookaround, \b, \p{..},
// anchors elsewhere, flags) is refused by name. Semantics are ECMA-262 with
// the `u` flag (a character is a code point, as ajv and Python read
// patterns): `.` is any code point but \n \r U+2028 U+2029, \s is ECMA's
// white space, \d and \w are ASCII.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/grammar.h"

namespace lantern::grammar {

// Unicode scalar values (U+0000..U+10FFFF, surrogates never members) as
// sorted, disjoint, non-adjacent closed ranges.
class CodePointSet {
 public:
  using Range = std::pair<uint32_t, uint32_t>;
  static constexpr uint32_t kMax = 0x10FFFF;

  CodePointSet() = default;
  static CodePointSet of(uint32_t lo, uint32_t hi);
  static CodePointSet all();
  void add(uint32_t lo, uint32_t hi);
  void add(const CodePointSet& o);
  CodePointSet complement() const;
  CodePointSet minus(const CodePointSet& o) const;
  CodePointSet intersect(const CodePointSet& o) const;
  bool contains(uint32_t c) const;
  bool empty() const { return ranges_.empty(); }
  bool operator==(const CodePointSet& o) const { return ranges_ == o.ranges_; }
  const std::vector<Range>& ranges() const { return ranges_; }

 private:
  std::vector<Range> ranges_;
};

struct RegexNode {
  enum Kind : uint8_t { Chars, Seq, Alt, Repeat };
  Kind kind = Seq;              // an empty Seq matches the empty string
  CodePointSet chars;           // Chars: one code point from the set
  std::vector<RegexNode> kids;  // Seq, Alt; Repeat has one
  uint32_t min = 0, max = 0;    // Repeat
  bool unbounded = false;       // Repeat: no upper bound
};

// A pattern is its top-level alternatives; each may be anchored at either
// end (otherwise it matches anywhere in the string, as JSON Schema says).
struct RegexBranch {
  RegexNode body;
  bool anchored_start = false;
  bool anchored_end = false;
};

struct Regex {
  std::vector<RegexBranch> branches;
};

// Throws GrammarError naming the construct and its offset. Groups may nest
// limits.max_nesting deep; counts of {m,n} may reach limits.max_repeat.
Regex parse_regex(std::string_view pattern, const GrammarLimits& limits = {});

// Decodes UTF-8; false on a malformed sequence.
bool decode_utf8(std::string_view s, std::vector<uint32_t>& out);

}  // namespace lantern::grammar
