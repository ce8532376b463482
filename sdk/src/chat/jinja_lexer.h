// Splits template text into text runs and the tokens inside {{ }} and {% %},
// applying jinja2's whitespace rules as Hugging Face configures them for chat
// templates: trim_blocks (drop the newline after a block or comment tag),
// lstrip_blocks (drop indentation before a block or comment tag), "-" on either
// side of a tag strips all whitespace on that side, "+" keeps it. Comments and
// {% raw %} blocks are resolved here. Like jinja2, \r\n and \r become \n and
// one trailing newline of the template is dropped.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::jinja {

enum class TokenType {
  Text,        // template data between tags (already whitespace-processed)
  VarBegin,    // {{
  VarEnd,      // }}
  BlockBegin,  // {%
  BlockEnd,    // %}
  Name,
  String,      // text holds the decoded value
  Int,         // text holds the digits (underscores removed)
  Float,
  Op,          // operator or punctuation, text holds it
  Eof,
};

struct Token {
  TokenType type;
  std::string text;
  int line;
  int col;
};

// Throws JinjaError(Syntax) with line/column on an unclosed tag, comment or
// string, or a character that cannot start a token.
std::vector<Token> tokenize(std::string_view source);

}  // namespace lantern::jinja
