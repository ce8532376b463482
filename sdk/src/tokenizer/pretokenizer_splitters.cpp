#include "tokenizer/pretokenizer_splitters.h"

#include <limits>

namespace lantern::pretok {

using unicode::CodepointFlags;

namespace {

constexpr uint32_t kOutside = std::numeric_limits<uint32_t>::max();

// One piece [begin, end) of the text being scanned. Reads past its end give
// "no code point" (kOutside, empty flags), which is how the regexes' (?!\S)
// and the end of input are told apart from a following character.
class PieceScanner {
 public:
  PieceScanner(const Text& text, size_t begin, size_t end, Lengths& out)
      : text_(text), end_(end), last_cut_(begin), out_(out) {}

  uint32_t cpt(size_t pos) const { return pos < end_ ? text_.cpts[pos] : kOutside; }
  CodepointFlags flags(size_t pos) const { return pos < end_ ? text_.flags[pos] : CodepointFlags{}; }
  size_t end() const { return end_; }

  // Ends the current word at `pos` (nothing when empty).
  void cut(size_t pos) {
    if (pos > last_cut_) out_.push_back(pos - last_cut_);
    last_cut_ = pos;
  }

 private:
  const Text& text_;
  size_t end_;
  size_t last_cut_;
  Lengths& out_;
};

bool is_cr_or_lf(uint32_t c) { return c == '\r' || c == '\n'; }

uint32_t ascii_lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

// The length of a contraction ('s 't 'm 'd 're 've 'll) at pos, or 0.
size_t contraction_length(const PieceScanner& s, size_t pos, bool ignore_case) {
  if (s.cpt(pos) != '\'' || pos + 1 >= s.end()) return 0;
  const auto low = [&](uint32_t c) { return ignore_case ? ascii_lower(c) : c; };
  const uint32_t c1 = low(s.cpt(pos + 1));
  if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
  if (pos + 2 >= s.end()) return 0;
  const uint32_t c2 = low(s.cpt(pos + 2));
  if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
  return 0;
}

bool is_other(CodepointFlags f) {  // [^\s\p{L}\p{N}], and a real code point
  return !(f.is_whitespace() || f.is_letter() || f.is_number()) && f.any();
}

// Llama-3 style splitters differ in what makes a word: \p{L}, or [\p{L}\p{M}] (Qwen3.5).
struct WordClass {
  bool marks_are_letters;
  bool letter(CodepointFlags f) const { return f.is_letter() || (marks_are_letters && f.is_mark()); }
  bool other(CodepointFlags f) const { return is_other(f) && !letter(f); }
};

// Whitespace at pos: the run's length, and the end of its last \r or \n (0 if none).
struct WhitespaceRun {
  size_t length = 0;
  size_t end_of_last_newline = 0;
};
WhitespaceRun whitespace_run(const PieceScanner& s, size_t pos) {
  WhitespaceRun run;
  while (s.flags(pos + run.length).is_whitespace()) {
    if (is_cr_or_lf(s.cpt(pos + run.length))) run.end_of_last_newline = pos + run.length + 1;
    ++run.length;
  }
  return run;
}

// \s+(?!\S)|\s+ at pos (which is whitespace): all but the last of a run that a
// non-space follows, so that space joins the next word; else the whole run.
// Returns the new position.
size_t take_whitespace(const PieceScanner& s, size_t pos, size_t run_length) {
  if (run_length > 1 && s.cpt(pos + run_length) != kOutside) return pos + run_length - 1;
  if (run_length > 0) return pos + run_length;
  return pos + 1;  // nothing matched: the character stands alone
}

void split_gpt2_piece(PieceScanner& s, size_t pos) {
  while (pos < s.end()) {
    if (const size_t n = contraction_length(s, pos, /*ignore_case=*/false)) {
      pos += n;
      s.cut(pos);
      continue;
    }
    const uint32_t c = s.cpt(pos);
    // " ?X+" for X in \p{L}, \p{N}, [^\s\p{L}\p{N}]: an optional space, then a run.
    const CodepointFlags next = c == ' ' ? s.flags(pos + 1) : s.flags(pos);
    using Pred = bool (*)(CodepointFlags);
    Pred run_class = nullptr;
    if (next.is_letter()) {
      run_class = [](CodepointFlags f) { return f.is_letter(); };
    } else if (next.is_number()) {
      run_class = [](CodepointFlags f) { return f.is_number(); };
    } else if (is_other(next)) {
      run_class = is_other;
    }
    if (run_class) {
      if (c == ' ') ++pos;
      while (run_class(s.flags(pos))) ++pos;
      s.cut(pos);
      continue;
    }
    pos = take_whitespace(s, pos, whitespace_run(s, pos).length);
    s.cut(pos);
  }
}

void split_llama3_piece(PieceScanner& s, size_t pos, size_t max_digits, WordClass word) {
  while (pos < s.end()) {
    if (const size_t n = contraction_length(s, pos, /*ignore_case=*/true)) {
      pos += n;
      s.cut(pos);
      continue;
    }
    const uint32_t c = s.cpt(pos);
    const CodepointFlags f = s.flags(pos);
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!(is_cr_or_lf(c) || f.is_number()) && (word.letter(f) || word.letter(s.flags(pos + 1)))) {
      ++pos;
      while (word.letter(s.flags(pos))) ++pos;
      s.cut(pos);
      continue;
    }
    // \p{N}{1,max_digits}, repeated over the whole run of digits
    if (f.is_number()) {
      size_t group_start = pos;
      while (s.flags(pos).is_number()) {
        if (++pos - group_start >= max_digits) {
          s.cut(pos);
          group_start = pos;
        }
      }
      s.cut(pos);
      continue;
    }
    // " ?[^\s\p{L}\p{N}]+[\r\n]*"
    const CodepointFlags next = c == ' ' ? s.flags(pos + 1) : f;
    if (word.other(next) || (c == ' ' && !next.any())) {
      // (A lone trailing space also lands here and is taken alone, as the
      // whitespace rules would take it.)
      if (c == ' ') ++pos;
      while (word.other(s.flags(pos))) ++pos;
      while (is_cr_or_lf(s.cpt(pos))) ++pos;
      s.cut(pos);
      continue;
    }
    // \s*[\r\n]+ first, then \s+(?!\S)|\s+
    const WhitespaceRun run = whitespace_run(s, pos);
    pos = run.end_of_last_newline > 0 ? run.end_of_last_newline
                                      : take_whitespace(s, pos, run.length);
    s.cut(pos);
  }
}

bool in_class(CharClass cls, uint32_t c, CodepointFlags f) {
  switch (cls) {
    case CharClass::Punctuation:
    case CharClass::PunctuationBacktick:
      if (c < 0x80) {
        // ASCII \p{P} (all ASCII punctuation and symbols but $ + < = > ^ ` | ~)
        // plus the listed $ + < = > ^ ~ |: everything printable but ` ...
        const bool printable_non_alnum =
            c > 0x20 && c < 0x7F && !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') &&
            !(c >= 'a' && c <= 'z');
        return printable_non_alnum && (c != '`' || cls == CharClass::PunctuationBacktick);
      }
      return !f.is_whitespace() && f.category() == CodepointFlags::Punctuation;
    case CharClass::Number:
      if (c < 0x80) return c >= '0' && c <= '9';
      return !f.is_whitespace() && f.category() == CodepointFlags::Number;
    case CharClass::AsciiDigit:
      return c >= '0' && c <= '9';
  }
  return false;
}

}  // namespace

Lengths split_gpt2(const Text& text, const Lengths& pieces) {
  Lengths out;
  out.reserve(pieces.size() * 2);
  size_t begin = 0;
  for (const size_t len : pieces) {
    PieceScanner s(text, begin, begin + len, out);
    split_gpt2_piece(s, begin);
    begin += len;
  }
  return out;
}

Lengths split_llama3(const Text& text, const Lengths& pieces, size_t max_digits,
                     bool marks_are_letters) {
  Lengths out;
  out.reserve(pieces.size() * 2);
  size_t begin = 0;
  for (const size_t len : pieces) {
    PieceScanner s(text, begin, begin + len, out);
    split_llama3_piece(s, begin, max_digits == 0 ? 1 : max_digits, WordClass{marks_are_letters});
    begin += len;
  }
  return out;
}

Lengths isolate(const Text& text, const Lengths& pieces, CharClass cls, size_t min_run,
                size_t max_run) {
  Lengths out;
  out.reserve(pieces.size());
  size_t begin = 0;
  for (const size_t len : pieces) {
    const size_t end = begin + len;
    PieceScanner s(text, begin, end, out);
    size_t pos = begin;
    while (pos < end) {
      size_t run = 0;
      while (pos + run < end && run < max_run && in_class(cls, text.cpts[pos + run], text.flags[pos + run])) {
        ++run;
      }
      if (run >= min_run && run > 0) {
        s.cut(pos);  // the gap before the match, if any
        pos += run;
        s.cut(pos);
      } else {
        ++pos;  // part of a gap
      }
    }
    s.cut(end);
    begin = end;
  }
  return out;
}

}  // namespace lantern::pretok
