#include "grammar/gbnf_parser.h"

#include <cstring>
#include <string>

#include "grammar/utf8_ranges.h"

namespace lantern::grammar {

namespace {

class Parser {
 public:
  Parser(std::string_view text, const GrammarLimits& limits) : s_(text), b_(limits) {}

  Grammar run() {
    if (s_.size() > b_.limits().max_source_bytes) {
      throw GrammarError("grammar is " + std::to_string(s_.size()) + " bytes, more than the limit of " +
                         std::to_string(b_.limits().max_source_bytes));
    }
    skip_space();
    if (at_end()) throw GrammarError("grammar is empty");
    while (!at_end()) {
      std::string name = parse_name("a rule name");
      skip_space();
      if (s_.compare(i_, 3, "::=") != 0) fail("expected '::=' after rule name '" + name + "'");
      i_ += 3;
      uint32_t r = b_.rule(name);
      if (name == "root") has_root_ = true;
      if (b_.defined(r)) fail("rule '" + name + "' is defined twice");
      parse_alternatives(r, 0);
      skip_space();
    }
    if (!has_root_) throw GrammarError("grammar has no 'root' rule");
    return std::move(b_).build(b_.rule("root"));
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  [[noreturn]] void fail(const std::string& what) const {
    size_t line = 1, col = 1;
    for (size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw GrammarError("grammar line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
  }

  static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  }

  void skip_space() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  std::string parse_name(const char* what) {
    size_t start = i_;
    // '.' alone is "any character"; a name may not start with it.
    while (!at_end() && name_char(peek()) && !(i_ == start && peek() == '.')) ++i_;
    if (i_ == start) fail(std::string("expected ") + what);
    return std::string(s_.substr(start, i_ - start));
  }

  // Whether a rule definition (`name ::=`) starts here: it ends the
  // previous rule, so rules need no separator but a newline or space.
  bool at_rule_start() const {
    size_t k = i_;
    while (k < s_.size() && name_char(s_[k])) ++k;
    if (k == i_) return false;
    while (k < s_.size() && (s_[k] == ' ' || s_[k] == '\t' || s_[k] == '\n' || s_[k] == '\r')) ++k;
    return s_.compare(k, 3, "::=") == 0;
  }

  void parse_alternatives(uint32_t rule, int depth) {
    if (depth > b_.limits().max_nesting) fail("groups nested deeper than " + std::to_string(b_.limits().max_nesting));
    for (;;) {
      std::vector<Element> seq = parse_sequence(depth);
      b_.add_alternative(rule, seq);
      skip_space();
      if (peek() != '|') break;
      ++i_;
    }
  }

  std::vector<Element> parse_sequence(int depth) {
    std::vector<Element> seq;
    for (;;) {
      skip_space();
      if (at_end() || peek() == '|' || peek() == ')' || at_rule_start()) return seq;
      size_t item_start = seq.size();
      char c = peek();
      if (c == '"') {
        ++i_;
        std::string bytes;
        while (peek() != '"') {
          if (at_end()) fail("unterminated string literal");
          if (peek() == '\n') fail("newline in a string literal");
          append_utf8(bytes, parse_char());
        }
        ++i_;
        for (unsigned char ch : bytes) {
          ByteSet one;
          one.set(ch);
          seq.push_back(b_.bytes(one));
        }
        if (bytes.empty()) continue;  // "" matches the empty string: nothing to repeat
        if (bytes.size() > 1 && is_repeat(peek_after_space())) {
          // A repetition applies to the whole literal.
          uint32_t lit = b_.fresh_rule("literal");
          b_.add_alternative(lit, std::vector<Element>(seq.begin() + item_start, seq.end()));
          seq.resize(item_start);
          seq.push_back(GrammarBuilder::ref(lit));
        }
      } else if (c == '[') {
        seq.push_back(parse_class());
      } else if (c == '.') {
        ++i_;
        seq.push_back(class_element({{0, kMaxCodePoint}}, false));
      } else if (c == '(') {
        ++i_;
        uint32_t group = b_.fresh_rule("group");
        parse_alternatives(group, depth + 1);
        skip_space();
        if (peek() != ')') fail("expected ')'");
        ++i_;
        seq.push_back(GrammarBuilder::ref(group));
      } else if (name_char(c)) {
        std::string name = parse_name("a rule name");
        seq.push_back(GrammarBuilder::ref(b_.rule(name)));
      } else {
        fail(std::string("unexpected character '") + c + "'");
      }
      parse_repeats(seq, item_start);
    }
  }

  char peek_after_space() {
    size_t save = i_;
    skip_space();
    char c = peek();
    i_ = save;
    return c;
  }
  static bool is_repeat(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

  void parse_repeats(std::vector<Element>& seq, size_t item_start) {
    for (;;) {
      size_t save = i_;
      skip_space();
      char c = peek();
      if (!is_repeat(c)) {
        i_ = save;
        return;
      }
      if (seq.size() != item_start + 1) fail("nothing to repeat");
      Element item = seq.back();
      seq.pop_back();
      ++i_;
      uint32_t lo = 0, hi = 0;
      bool unbounded = false;
      if (c == '*') {
        unbounded = true;
      } else if (c == '+') {
        lo = 1;
        unbounded = true;
      } else if (c == '?') {
        hi = 1;
      } else {
        skip_space();
        lo = parse_count();
        skip_space();
        if (peek() == ',') {
          ++i_;
          skip_space();
          if (peek() == '}') {
            unbounded = true;
          } else {
            hi = parse_count();
          }
        } else {
          hi = lo;
        }
        skip_space();
        if (peek() != '}') fail("expected '}'");
        ++i_;
        if (!unbounded && hi < lo) fail("repetition {m,n} with n < m");
      }
      append_repeat(seq, item, lo, hi, unbounded);
      // A further postfix applies to the repetition as a whole.
      if (seq.size() != item_start + 1) {
        uint32_t wrap = b_.fresh_rule("repeat");
        b_.add_alternative(wrap, std::vector<Element>(seq.begin() + item_start, seq.end()));
        seq.resize(item_start);
        seq.push_back(GrammarBuilder::ref(wrap));
      }
    }
  }

  uint32_t parse_count() {
    size_t start = i_;
    uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + static_cast<uint64_t>(peek() - '0');
      if (v > b_.limits().max_repeat) fail("repetition count above the limit of " + std::to_string(b_.limits().max_repeat));
      ++i_;
    }
    if (i_ == start) fail("expected a number");
    return static_cast<uint32_t>(v);
  }

  // x{lo,hi}: lo copies, then hi-lo nested optionals (x (x (x)?)?)? so that
  // every count has one parse; unbounded: lo copies then x*.
  void append_repeat(std::vector<Element>& seq, Element item, uint32_t lo, uint32_t hi, bool unbounded) {
    for (uint32_t k = 0; k < lo; ++k) push_checked(seq, item);
    if (unbounded) {
      uint32_t star = b_.fresh_rule("star");
      b_.add_alternative(star, {item, GrammarBuilder::ref(star)});
      b_.add_alternative(star, {});
      seq.push_back(GrammarBuilder::ref(star));
      return;
    }
    if (hi == lo) return;
    uint32_t inner = 0;
    bool have_inner = false;
    for (uint32_t k = lo; k < hi; ++k) {
      uint32_t opt = b_.fresh_rule("opt");
      if (have_inner) {
        b_.add_alternative(opt, {item, GrammarBuilder::ref(inner)});
      } else {
        b_.add_alternative(opt, {item});
      }
      b_.add_alternative(opt, {});
      inner = opt;
      have_inner = true;
    }
    seq.push_back(GrammarBuilder::ref(inner));
  }

  void push_checked(std::vector<Element>& seq, Element e) {
    if (seq.size() >= b_.limits().max_elements) fail("sequence longer than the element limit");
    seq.push_back(e);
  }

  uint32_t parse_hex(int digits) {
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      char c = peek();
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) fail("expected a hex digit");
      v = v * 16 + static_cast<uint32_t>(d);
      ++i_;
    }
    return v;
  }

  // One code point of a literal or class, escapes decoded.
  uint32_t parse_char() {
    unsigned char c = static_cast<unsigned char>(peek());
    if (c == '\\') {
      ++i_;
      char e = peek();
      ++i_;
      switch (e) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case '0': return 0;
        case '\\': return '\\';
        case '"': return '"';
        case '\'': return '\'';
        case '[': return '[';
        case ']': return ']';
        case '-': return '-';
        case '^': return '^';
        case '/': return '/';
        case 'x': return parse_hex(2);
        case 'u': return check_cp(parse_hex(4));
        case 'U': return check_cp(parse_hex(8));
        default: --i_; fail(std::string("unknown escape '\\") + e + "'");
      }
    }
    // A UTF-8 character of the source.
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i_ + static_cast<size_t>(n) > s_.size()) fail("invalid UTF-8 in the grammar");
    uint32_t cp = n == 1 ? c : (c & (0x7F >> n));
    for (int k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s_[i_ + static_cast<size_t>(k)]);
      if ((cc & 0xC0) != 0x80) fail("invalid UTF-8 in the grammar");
      cp = (cp << 6) | (cc & 0x3F);
    }
    i_ += static_cast<size_t>(n);
    return check_cp(cp);
  }

  uint32_t check_cp(uint32_t cp) {
    if (cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) fail("code point is not a Unicode scalar value");
    return cp;
  }

  Element parse_class() {
    ++i_;  // '['
    bool negate = false;
    if (peek() == '^') {
      negate = true;
      ++i_;
    }
    std::vector<CodeRange> ranges;
    while (peek() != ']') {
      if (at_end()) fail("unterminated character class");
      uint32_t lo = parse_char(), hi = lo;
      if (peek() == '-' && peek(1) != ']' && i_ + 1 < s_.size()) {
        ++i_;
        hi = parse_char();
        if (hi < lo) fail("character range with its end before its start");
      }
      ranges.push_back({lo, hi});
    }
    ++i_;
    return class_element(std::move(ranges), negate);
  }

  // A class as one byte set when it is ASCII only, else a rule with one
  // alternative per UTF-8 byte-range sequence.
  Element class_element(std::vector<CodeRange> ranges, bool negate) {
    std::vector<CodeRange> norm = normalize_ranges(std::move(ranges), negate);
    ByteSet ascii;
    std::vector<ByteRangeSeq> multi;
    for (const CodeRange& r : norm) {
      for (ByteRangeSeq& seq : utf8_sequences(r)) {
        if (seq.size() == 1) {
          for (uint32_t b = seq[0].first; b <= seq[0].second; ++b) ascii.set(b);
        } else {
          multi.push_back(std::move(seq));
        }
      }
    }
    if (multi.empty()) return b_.bytes(ascii);
    uint32_t cls = b_.fresh_rule("class");
    if (ascii.any()) b_.add_alternative(cls, {b_.bytes(ascii)});
    for (const ByteRangeSeq& seq : multi) {
      std::vector<Element> alt;
      for (auto [lo, hi] : seq) {
        ByteSet set;
        for (uint32_t b = lo; b <= hi; ++b) set.set(b);
        alt.push_back(b_.bytes(set));
      }
      b_.add_alternative(cls, alt);
    }
    return GrammarBuilder::ref(cls);
  }

  std::string_view s_;
  size_t i_ = 0;
  GrammarBuilder b_;
  bool has_root_ = false;
};

}  // namespace

Grammar parse_gbnf(std::string_view text, const GrammarLimits& limits) { return Parser(text, limits).run(); }

}  // namespace lantern::grammar
