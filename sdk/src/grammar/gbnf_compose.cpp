#include "grammar/gbnf_compose.h"

#include <cstdio>

#include "grammar/grammar.h"

namespace lantern::grammar {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

}  // namespace

std::string prefix_gbnf_rules(std::string_view g, const std::string& prefix) {
  std::string out;
  out.reserve(g.size() + g.size() / 8);
  for (size_t i = 0; i < g.size();) {
    const char c = g[i];
    if (c == '"' || c == '[') {
      // A literal or class, escapes included, copied as it is.
      const char close = c == '"' ? '"' : ']';
      size_t j = i + 1;
      while (j < g.size() && g[j] != close) j += g[j] == '\\' ? 2 : 1;
      if (j >= g.size()) throw GrammarError("grammar: unterminated literal or class while composing");
      out.append(g.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '{') {
      // A repetition's counts: digits, not a rule name.
      while (i < g.size() && g[i] != '}') out += g[i++];
    } else if (c == '#') {
      while (i < g.size() && g[i] != '\n') out += g[i++];
    } else if (name_char(c) && c != '.') {
      size_t j = i;
      while (j < g.size() && name_char(g[j])) ++j;
      out += prefix;
      out.append(g.substr(i, j - i));
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::string gbnf_literal(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);  // UTF-8 passes through: the parser reads code points
    }
  }
  return out + "\"";
}

}  // namespace lantern::grammar
