// llama.cpp's GBNF (also XGrammar's EBNF, which WebLLM takes): rules
// `name ::= alternatives`, "literals" with \n \t \r \" \\ \xHH \uHHHH
// \UHHHHHHHH escapes, [a-z] / [^...] code-point classes, `.` (any code
// point), ( ) groups, `|`, and the repetitions * + ? {m} {m,} {m,n}; `#`
// starts a comment. The start rule is `root`. Text is UTF-8.
#pragma once
#include <string_view>

#include "grammar/grammar.h"

namespace lantern::grammar {

// Throws GrammarError naming the line and column, or the rule.
Grammar parse_gbnf(std::string_view text, const GrammarLimits& limits = {});

}  // namespace lantern::grammar
