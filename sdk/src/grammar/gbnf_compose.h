// Putting GBNF texts together: one grammar made of several converted ones
// (a forced tool call's syntax around each function's parameter schema)
// needs their rule names kept apart, and literal text written as GBNF.
#pragma once
#include <string>
#include <string_view>

namespace lantern::grammar {

// The grammar with every rule name (definitions and references) prefixed:
// "root ::= a\na ::= [a-z]" with "f0-" gives "f0-root ::= f0-a\nf0-a ::= [a-z]".
// Literals, classes and comments are left alone. Throws GrammarError on an
// unterminated literal or class.
std::string prefix_gbnf_rules(std::string_view gbnf, const std::string& prefix);
// A GBNF string literal matching exactly `text` (quotes included).
std::string gbnf_literal(std::string_view text);

}  // namespace lantern::grammar
