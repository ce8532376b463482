// Builds the statement tree from tokens with jinja2's grammar and operator
// precedence (filters and tests bind tighter than arithmetic; ~ sits between
// + - and * /). Nesting is bounded so hostile input cannot exhaust the stack.
#pragma once
#include <string_view>

#include "chat/jinja_ast.h"

namespace lantern::jinja {

constexpr int kMaxParseDepth = 128;   // nested parentheses / blocks / unary operators
constexpr int kMaxExprHeight = 256;   // operand chains such as 1+1+1+...

// Tokenizes and parses a whole template. Throws JinjaError(Syntax) with the
// line and column of the offending token.
StmtList parse_template(std::string_view source);

}  // namespace lantern::jinja
