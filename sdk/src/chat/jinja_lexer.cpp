#include "chat/jinja_lexer.h"

#include <algorithm>

#include "chat/jinja_error.h"
#include "chat/jinja_strings.h"

namespace lantern::jinja {

namespace {

bool is_space(char c) { return is_py_space(static_cast<unsigned char>(c)); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::string normalize_newlines(std::string_view src) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out.push_back(src[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();  // keep_trailing_newline=False
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string src) : s_(std::move(src)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < s_.size(); ++i) {
      if (s_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::vector<Token> run() {
    size_t pos = 0;
    while (pos < s_.size()) {
      size_t p = find_tag(pos);
      std::string text = s_.substr(pos, (p == std::string::npos ? s_.size() : p) - pos);
      if (p == std::string::npos) {
        emit_text(std::move(text), pos);
        break;
      }
      char kind = s_[p + 1];  // '{', '%' or '#'
      char ctl = p + 2 < s_.size() ? s_[p + 2] : '\0';
      bool line_starting = pos == 0 || s_[pos - 1] == '\n';
      if (ctl == '-') {
        text = py_strip(text, nullptr, false, true);
      } else if (ctl != '+' && kind != '{') {
        size_t l_pos = text.rfind('\n');
        l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
        if (l_pos > 0 || line_starting) {
          bool blank = l_pos < text.size() &&
                       std::all_of(text.begin() + static_cast<long>(l_pos), text.end(), is_space);
          if (blank) text.resize(l_pos);
        }
      }
      emit_text(std::move(text), pos);
      size_t body = p + 2 + ((ctl == '-' || ctl == '+') ? 1 : 0);
      if (kind == '#') {
        pos = lex_comment(p, body);
      } else {
        pos = lex_tag(p, body, kind == '{');
      }
    }
    out_.push_back(Token{TokenType::Eof, "", line_of(s_.size()), col_of(s_.size())});
    return std::move(out_);
  }

 private:
  int line_of(size_t off) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    return static_cast<int>(it - line_starts_.begin());
  }
  int col_of(size_t off) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    return static_cast<int>(off - *(it - 1)) + 1;
  }
  [[noreturn]] void fail(const std::string& msg, size_t off) const {
    throw JinjaError(ErrorKind::Syntax, msg, line_of(off), col_of(off));
  }
  void push(TokenType t, std::string text, size_t off) {
    out_.push_back(Token{t, std::move(text), line_of(off), col_of(off)});
  }
  void emit_text(std::string text, size_t off) {
    if (!text.empty()) push(TokenType::Text, std::move(text), off);
  }

  size_t find_tag(size_t from) const {
    for (size_t i = s_.find('{', from); i != std::string::npos; i = s_.find('{', i + 1)) {
      if (i + 1 < s_.size() && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) return i;
    }
    return std::string::npos;
  }

  // After a tag's closing delimiter at `after`: "-" strips all following
  // whitespace; trim_blocks drops one newline after block and comment tags.
  size_t after_tag(size_t after, bool minus, bool plus, bool trim_newline) const {
    if (minus) {
      while (after < s_.size() && is_space(s_[after])) ++after;
    } else if (trim_newline && !plus && after < s_.size() && s_[after] == '\n') {
      ++after;
    }
    return after;
  }

  size_t lex_comment(size_t start, size_t body) {
    size_t e = s_.find("#}", body);
    if (e == std::string::npos) fail("unclosed comment (missing '#}')", start);
    bool minus = e > body && s_[e - 1] == '-';
    return after_tag(e + 2, minus, false, true);
  }

  size_t lex_tag(size_t start, size_t pos, bool is_var) {
    push(is_var ? TokenType::VarBegin : TokenType::BlockBegin, "", start);
    size_t first_token = out_.size();
    int depth = 0;
    while (true) {
      while (pos < s_.size() && is_space(s_[pos])) ++pos;
      if (pos >= s_.size()) fail(is_var ? "unclosed '{{' (missing '}}')" : "unclosed '{%' (missing '%}')", start);
      char c = s_[pos];
      if (depth == 0) {
        const char* close = is_var ? "}}" : "%}";
        bool ctl = (c == '-' || c == '+') && s_.compare(pos + 1, 2, close) == 0;
        if (ctl || s_.compare(pos, 2, close) == 0) {
          push(is_var ? TokenType::VarEnd : TokenType::BlockEnd, "", pos);
          size_t after = pos + (ctl ? 3 : 2);
          if (!is_var && is_raw_begin(first_token)) return lex_raw(start, after, ctl && c == '-');
          return after_tag(after, ctl && c == '-', ctl && c == '+', !is_var);
        }
      }
      if (is_name_start(c)) {
        size_t e = pos;
        while (e < s_.size() && is_name_char(s_[e])) ++e;
        push(TokenType::Name, s_.substr(pos, e - pos), pos);
        pos = e;
      } else if (is_digit(c)) {
        pos = lex_number(pos);
      } else if (c == '\'' || c == '"') {
        pos = lex_string(pos);
      } else {
        pos = lex_op(pos, depth);
      }
    }
  }

  bool is_raw_begin(size_t first_token) const {
    return out_.size() == first_token + 2 && out_[first_token].type == TokenType::Name &&
           out_[first_token].text == "raw";
  }

  // {% raw %}...{% endraw %}: the body is text, whitespace control applies to
  // the endraw tag. The raw/endraw tags themselves produce no tokens.
  size_t lex_raw(size_t start, size_t after, bool minus) {
    out_.resize(out_.size() - 3);  // drop BlockBegin, Name(raw), BlockEnd
    size_t body_start = after_tag(after, minus, false, false);
    for (size_t i = s_.find("{%", body_start); i != std::string::npos; i = s_.find("{%", i + 1)) {
      size_t k = i + 2;
      char ctl = k < s_.size() ? s_[k] : '\0';
      if (ctl == '-' || ctl == '+') ++k;
      while (k < s_.size() && is_space(s_[k])) ++k;
      if (s_.compare(k, 6, "endraw") != 0) continue;
      k += 6;
      while (k < s_.size() && is_space(s_[k])) ++k;
      char ectl = k < s_.size() ? s_[k] : '\0';
      if (ectl == '-' || ectl == '+') ++k;
      if (s_.compare(k, 2, "%}") != 0) continue;
      std::string text = s_.substr(body_start, i - body_start);
      if (ctl == '-') text = py_strip(text, nullptr, false, true);
      emit_text(std::move(text), body_start);
      return after_tag(k + 2, ectl == '-', ectl == '+', true);
    }
    fail("unclosed '{% raw %}' (missing '{% endraw %}')", start);
  }

  size_t lex_number(size_t pos) {
    size_t start = pos;
    auto digits = [&](size_t p) {
      while (p < s_.size() && (is_digit(s_[p]) || (s_[p] == '_' && p + 1 < s_.size() && is_digit(s_[p + 1])))) ++p;
      return p;
    };
    pos = digits(pos);
    bool is_float = false;
    if (pos + 1 < s_.size() && s_[pos] == '.' && is_digit(s_[pos + 1])) {
      is_float = true;
      pos = digits(pos + 1);
    }
    if (pos < s_.size() && (s_[pos] == 'e' || s_[pos] == 'E')) {
      size_t q = pos + 1;
      if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
      if (q < s_.size() && is_digit(s_[q])) {
        is_float = true;
        pos = digits(q);
      }
    }
    std::string text;
    for (size_t i = start; i < pos; ++i) {
      if (s_[i] != '_') text.push_back(s_[i]);
    }
    push(is_float ? TokenType::Float : TokenType::Int, std::move(text), start);
    return pos;
  }

  size_t lex_string(size_t pos) {
    char q = s_[pos];
    size_t i = pos + 1;
    while (i < s_.size() && s_[i] != q) {
      if (s_[i] == '\\') ++i;
      ++i;
    }
    if (i >= s_.size()) fail("unterminated string literal", pos);
    push(TokenType::String, decode_py_escapes(std::string_view(s_).substr(pos + 1, i - pos - 1)), pos);
    return i + 1;
  }

  size_t lex_op(size_t pos, int& depth) {
    static const char* const kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : kTwo) {
      if (s_.compare(pos, 2, op) == 0) {
        push(TokenType::Op, op, pos);
        return pos + 2;
      }
    }
    char c = s_[pos];
    static const std::string kOne = "+-*/%~[](){}=.:|,;<>";
    if (kOne.find(c) == std::string::npos) {
      std::string shown = (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
                              ? "byte " + std::to_string(static_cast<unsigned char>(c))
                              : std::string("'") + c + "'";
      fail("unexpected " + shown + " in tag", pos);
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    push(TokenType::Op, std::string(1, c), pos);
    return pos + 1;
  }

  std::string s_;
  std::vector<size_t> line_starts_;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  return Lexer(normalize_newlines(source)).run();
}

}  // namespace lantern::jinja
