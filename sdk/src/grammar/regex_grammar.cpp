#include "grammar/regex_grammar.h"

#include <algorithm>

namespace lantern::grammar {

// ---- CodePointSet --------------------------------------------------------

namespace {

constexpr uint32_t kSurrogateLo = 0xD800, kSurrogateHi = 0xDFFF;

}  // namespace

CodePointSet CodePointSet::of(uint32_t lo, uint32_t hi) {
  CodePointSet s;
  s.add(lo, hi);
  return s;
}

CodePointSet CodePointSet::all() {
  CodePointSet s;
  s.add(0, kMax);
  return s;
}

void CodePointSet::add(uint32_t lo, uint32_t hi) {
  if (lo > hi) return;
  hi = std::min(hi, kMax);
  // Surrogates are not characters: split around them.
  if (lo <= kSurrogateHi && hi >= kSurrogateLo) {
    if (lo < kSurrogateLo) add(lo, kSurrogateLo - 1);
    if (hi > kSurrogateHi) add(kSurrogateHi + 1, hi);
    return;
  }
  std::vector<Range> out;
  out.reserve(ranges_.size() + 1);
  size_t i = 0;
  while (i < ranges_.size() && ranges_[i].second + 1 < lo) out.push_back(ranges_[i++]);
  // Merge everything that overlaps or touches [lo, hi].
  while (i < ranges_.size() && ranges_[i].first <= hi + 1) {
    lo = std::min(lo, ranges_[i].first);
    hi = std::max(hi, ranges_[i].second);
    ++i;
  }
  out.emplace_back(lo, hi);
  while (i < ranges_.size()) out.push_back(ranges_[i++]);
  ranges_ = std::move(out);
}

void CodePointSet::add(const CodePointSet& o) {
  for (const auto& r : o.ranges_) add(r.first, r.second);
}

CodePointSet CodePointSet::complement() const {
  CodePointSet s;
  uint32_t next = 0;
  for (const auto& r : ranges_) {
    if (r.first > next) s.add(next, r.first - 1);
    next = r.second + 1;
  }
  if (next <= kMax) s.add(next, kMax);
  return s;
}

CodePointSet CodePointSet::intersect(const CodePointSet& o) const {
  CodePointSet s;
  size_t i = 0, j = 0;
  while (i < ranges_.size() && j < o.ranges_.size()) {
    uint32_t lo = std::max(ranges_[i].first, o.ranges_[j].first);
    uint32_t hi = std::min(ranges_[i].second, o.ranges_[j].second);
    if (lo <= hi) s.add(lo, hi);
    if (ranges_[i].second < o.ranges_[j].second) {
      ++i;
    } else {
      ++j;
    }
  }
  return s;
}

CodePointSet CodePointSet::minus(const CodePointSet& o) const { return intersect(o.complement()); }

bool CodePointSet::contains(uint32_t c) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), c,
                             [](uint32_t v, const Range& r) { return v < r.first; });
  return it != ranges_.begin() && std::prev(it)->second >= c;
}

// ---- UTF-8 ---------------------------------------------------------------

bool decode_utf8(std::string_view s, std::vector<uint32_t>& out) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t b = static_cast<uint8_t>(s[i]);
    uint32_t c;
    int n;
    if (b < 0x80) {
      c = b;
      n = 0;
    } else if ((b & 0xE0) == 0xC0) {
      c = b & 0x1F;
      n = 1;
    } else if ((b & 0xF0) == 0xE0) {
      c = b & 0x0F;
      n = 2;
    } else if ((b & 0xF8) == 0xF0) {
      c = b & 0x07;
      n = 3;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      uint8_t cb = static_cast<uint8_t>(s[i + k]);
      if ((cb & 0xC0) != 0x80) return false;
      c = (c << 6) | (cb & 0x3F);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (c < kMin[n] || c > CodePointSet::kMax || (c >= kSurrogateLo && c <= kSurrogateHi)) return false;
    out.push_back(c);
    i += n + 1;
  }
  return true;
}

// ---- the parser ----------------------------------------------------------

namespace {

CodePointSet digit_set() { return CodePointSet::of('0', '9'); }

CodePointSet word_set() {
  CodePointSet s = CodePointSet::of('0', '9');
  s.add('A', 'Z');
  s.add('a', 'z');
  s.add('_', '_');
  return s;
}

// ECMA-262 WhiteSpace and LineTerminator.
CodePointSet space_set() {
  CodePointSet s = CodePointSet::of('\t', '\r');
  s.add(' ', ' ');
  s.add(0xA0, 0xA0);
  s.add(0x1680, 0x1680);
  s.add(0x2000, 0x200A);
  s.add(0x2028, 0x2029);
  s.add(0x202F, 0x202F);
  s.add(0x205F, 0x205F);
  s.add(0x3000, 0x3000);
  s.add(0xFEFF, 0xFEFF);
  return s;
}

CodePointSet dot_set() {
  CodePointSet s = CodePointSet::all();
  CodePointSet lt = CodePointSet::of('\n', '\n');
  lt.add('\r', '\r');
  lt.add(0x2028, 0x2029);
  return s.minus(lt);
}

bool is_hex(uint32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
uint32_t hex_val(uint32_t c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

class RegexParser {
 public:
  RegexParser(std::vector<uint32_t> cps, const GrammarLimits& limits) : s_(std::move(cps)), limits_(limits) {}

  Regex parse() {
    Regex re;
    for (;;) {
      RegexBranch b;
      if (peek() == '^') {
        b.anchored_start = true;
        ++i_;
      }
      b.body = alternative(true, &b.anchored_end, 0);
      re.branches.push_back(std::move(b));
      if (at_end()) break;
      if (peek() == '|') {
        ++i_;
        continue;
      }
      fail("unmatched ')'");
    }
    return re;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  uint32_t peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : 0xFFFFFFFF; }

  [[noreturn]] void fail(const std::string& what) const {
    throw GrammarError("unsupported pattern: " + what + " at offset " + std::to_string(i_));
  }

  RegexNode disjunction(int depth) {
    RegexNode alt;
    alt.kind = RegexNode::Alt;
    for (;;) {
      alt.kids.push_back(alternative(false, nullptr, depth));
      if (peek() != '|') break;
      ++i_;
    }
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }

  // Terms up to '|', ')' or the end. At the top level a final '$' anchors.
  RegexNode alternative(bool top, bool* anchored_end, int depth) {
    RegexNode seq;
    seq.kind = RegexNode::Seq;
    while (!at_end() && peek() != '|' && peek() != ')') {
      uint32_t c = peek();
      if (c == '$') {
        ++i_;
        if (top && (at_end() || peek() == '|')) {
          *anchored_end = true;
          break;
        }
        --i_;
        fail("'$' only at the end of the pattern");
      }
      if (c == '^') fail("'^' only at the start of the pattern");
      RegexNode atom_node = atom(depth);
      quantify(atom_node);
      seq.kids.push_back(std::move(atom_node));
    }
    if (top && peek() == ')') fail("unmatched ')'");
    if (seq.kids.size() == 1) return std::move(seq.kids[0]);
    return seq;
  }

  static RegexNode chars(CodePointSet set) {
    RegexNode n;
    n.kind = RegexNode::Chars;
    n.chars = std::move(set);
    return n;
  }

  RegexNode atom(int depth) {
    uint32_t c = peek();
    switch (c) {
      case '.':
        ++i_;
        return chars(dot_set());
      case '(': {
        if (depth + 1 > limits_.max_nesting) fail("groups nested deeper than " + std::to_string(limits_.max_nesting));
        ++i_;
        if (peek() == '?') {
          if (peek(1) == ':') {
            i_ += 2;
          } else if (peek(1) == '<' && peek(2) != '=' && peek(2) != '!') {
            // A named group matches like a plain one.
            i_ += 2;
            while (!at_end() && peek() != '>') ++i_;
            if (at_end()) fail("unterminated group name");
            ++i_;
          } else if (peek(1) == '=' || peek(1) == '!' || (peek(1) == '<' && (peek(2) == '=' || peek(2) == '!'))) {
            fail("lookaround '(?" + std::string(1, static_cast<char>(peek(1))) + "'");
          } else {
            fail("group modifier '(?'");
          }
        }
        RegexNode inner = disjunction(depth + 1);
        if (peek() != ')') fail("missing ')'");
        ++i_;
        return inner;
      }
      case '[':
        return chars(char_class());
      case '\\':
        return chars(escape(false));
      case '*':
      case '+':
      case '?':
        fail("nothing to repeat before '" + std::string(1, static_cast<char>(c)) + "'");
      case '{': {
        size_t save = i_;
        uint32_t m, n;
        bool unb;
        if (braces(m, n, unb)) {
          i_ = save;
          fail("nothing to repeat before '{'");
        }
        i_ = save + 1;  // a '{' that starts no quantifier is itself (Annex B)
        return chars(CodePointSet::of(c, c));
      }
      default:
        ++i_;
        return chars(CodePointSet::of(c, c));
    }
  }

  // {m}, {m,}, {m,n}; false (position unchanged) when the text is no quantifier.
  bool braces(uint32_t& m, uint32_t& n, bool& unbounded) {
    size_t save = i_;
    if (peek() != '{') return false;
    ++i_;
    auto number = [&](uint32_t& out) {
      if (!is_digit(peek())) return false;
      uint64_t v = 0;
      while (is_digit(peek())) {
        v = v * 10 + (peek() - '0');
        if (v > limits_.max_repeat) {
          fail("repetition count over the limit of " + std::to_string(limits_.max_repeat));
        }
        ++i_;
      }
      out = static_cast<uint32_t>(v);
      return true;
    };
    unbounded = false;
    if (!number(m)) {
      i_ = save;
      return false;
    }
    if (peek() == '}') {
      n = m;
      ++i_;
      return true;
    }
    if (peek() != ',') {
      i_ = save;
      return false;
    }
    ++i_;
    if (peek() == '}') {
      unbounded = true;
      n = m;
      ++i_;
      return true;
    }
    if (!number(n) || peek() != '}') {
      i_ = save;
      return false;
    }
    ++i_;
    if (n < m) fail("repetition {" + std::to_string(m) + "," + std::to_string(n) + "} out of order");
    return true;
  }

  void quantify(RegexNode& node) {
    uint32_t m = 0, n = 0;
    bool unb = false;
    uint32_t c = peek();
    if (c == '*') {
      unb = true;
      ++i_;
    } else if (c == '+') {
      m = 1;
      unb = true;
      ++i_;
    } else if (c == '?') {
      n = 1;
      ++i_;
    } else if (c == '{') {
      if (!braces(m, n, unb)) return;
    } else {
      return;
    }
    if (peek() == '?') ++i_;  // lazy: same language
    if (peek() == '*' || peek() == '+' || peek() == '?' || (peek() == '{' && braces_ahead())) {
      fail("a quantifier after a quantifier");
    }
    RegexNode r;
    r.kind = RegexNode::Repeat;
    r.min = m;
    r.max = n;
    r.unbounded = unb;
    r.kids.push_back(std::move(node));
    node = std::move(r);
  }

  bool braces_ahead() {
    size_t save = i_;
    uint32_t m, n;
    bool unb;
    bool ok = braces(m, n, unb);
    i_ = save;
    return ok;
  }

  uint32_t hex_digits(int count) {
    uint32_t v = 0;
    for (int k = 0; k < count; ++k) {
      if (!is_hex(peek())) fail("bad hex escape");
      v = v * 16 + hex_val(peek());
      ++i_;
    }
    return v;
  }

  // After '\u': HHHH (a surrogate pair written as two escapes is one code
  // point) or {H...}.
  uint32_t unicode_escape() {
    if (peek() == '{') {
      ++i_;
      uint32_t v = 0;
      int digits = 0;
      while (is_hex(peek())) {
        v = v * 16 + hex_val(peek());
        if (v > CodePointSet::kMax) fail("\\u{...} beyond U+10FFFF");
        ++i_;
        ++digits;
      }
      if (digits == 0 || peek() != '}') fail("bad \\u{...} escape");
      ++i_;
      if (v >= kSurrogateLo && v <= kSurrogateHi) fail("a lone surrogate escape");
      return v;
    }
    uint32_t v = hex_digits(4);
    if (v >= 0xD800 && v <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
      size_t save = i_;
      i_ += 2;
      if (is_hex(peek()) && is_hex(peek(1)) && is_hex(peek(2)) && is_hex(peek(3))) {
        uint32_t lo = hex_digits(4);
        if (lo >= 0xDC00 && lo <= 0xDFFF) return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      }
      i_ = save;
    }
    if (v >= kSurrogateLo && v <= kSurrogateHi) fail("a lone surrogate escape");
    return v;
  }

  // After a backslash (consumed here); returns the set it stands for.
  CodePointSet escape(bool in_class) {
    ++i_;
    if (at_end()) fail("a pattern ending in '\\'");
    uint32_t c = peek();
    ++i_;
    auto one = [](uint32_t v) { return CodePointSet::of(v, v); };
    switch (c) {
      case 'd': return digit_set();
      case 'D': return digit_set().complement();
      case 'w': return word_set();
      case 'W': return word_set().complement();
      case 's': return space_set();
      case 'S': return space_set().complement();
      case 't': return one('\t');
      case 'n': return one('\n');
      case 'r': return one('\r');
      case 'f': return one('\f');
      case 'v': return one('\v');
      case 'x': return one(hex_digits(2));
      case 'u': return one(unicode_escape());
      case '0':
        if (is_digit(peek())) fail("octal escape");
        return one(0);
      case 'b':
        if (in_class) return one('\b');
        --i_;
        fail("word boundary '\\b'");
      case 'B': --i_; fail("word boundary '\\B'");
      case 'c': --i_; fail("control escape '\\c'");
      case 'k': --i_; fail("backreference '\\k'");
      case 'p':
      case 'P': --i_; fail("Unicode property escape '\\" + std::string(1, static_cast<char>(c)) + "'");
      default: break;
    }
    if (c >= '1' && c <= '9') {
      --i_;
      fail("backreference '\\" + std::string(1, static_cast<char>(c)) + "'");
    }
    // Any other escaped ASCII punctuation or space stands for itself; an
    // escaped letter we do not know is an error in ECMA's `u` mode.
    if (c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))) {
      --i_;
      fail("unknown escape '\\" + std::string(1, static_cast<char>(c)) + "'");
    }
    return one(c);
  }

  CodePointSet char_class() {
    ++i_;  // '['
    bool negate = false;
    if (peek() == '^') {
      negate = true;
      ++i_;
    }
    CodePointSet set;
    // ECMA: "[]" is the empty class and "[^]" any character.
    while (!at_end() && peek() != ']') {
      bool lo_single = true;
      CodePointSet lo_set = class_atom(lo_single);
      if (peek() == '-' && peek(1) != ']' && peek(1) != 0xFFFFFFFF) {
        ++i_;
        bool hi_single = true;
        CodePointSet hi_set = class_atom(hi_single);
        if (!lo_single || !hi_single) fail("a class escape as a range end");
        uint32_t lo = lo_set.ranges()[0].first, hi = hi_set.ranges()[0].first;
        if (lo > hi) fail("range out of order in a class");
        set.add(lo, hi);
      } else {
        set.add(lo_set);
      }
    }
    if (at_end()) fail("missing ']'");
    ++i_;
    return negate ? set.complement() : set;
  }

  CodePointSet class_atom(bool& single) {
    if (peek() == '\\') {
      uint32_t e = peek(1);
      CodePointSet s = escape(true);
      single = !(e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S');
      return s;
    }
    uint32_t c = peek();
    ++i_;
    single = true;
    return CodePointSet::of(c, c);
  }

  std::vector<uint32_t> s_;
  GrammarLimits limits_;
  size_t i_ = 0;
};

}  // namespace

Regex parse_regex(std::string_view pattern, const GrammarLimits& limits) {
  std::vector<uint32_t> cps;
  if (!decode_utf8(pattern, cps)) throw GrammarError("unsupported pattern: not UTF-8");
  if (pattern.size() > limits.max_source_bytes) throw GrammarError("pattern longer than the source limit");
  return RegexParser(std::move(cps), limits).parse();
}

}  // namespace lantern::grammar
