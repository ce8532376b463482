// tool_choice "required" or a named function, enforced: a grammar of the
// model's own call syntax (ToolCallPlan::syntax, written exactly as
// format_tool_calls writes it) around calls of the allowed functions, each
// call's arguments under that function's `parameters` schema
// (grammar/json_schema_grammar.h). So a forced call always parses and its
// arguments always validate.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/tool_call_plan.h"

namespace lantern {

struct ToolCallGrammar {
  std::string gbnf;
  std::vector<std::string> marker_texts;  // syntax markers the grammar writes (maybe control tokens)
};

// Most calls one forced reply may hold (parallel_tool_calls): a model that
// keeps calling still has to end.
inline constexpr int kMaxForcedCalls = 16;

// nullopt when the plan forces no call (auto, none). Throws
// grammar::GrammarError naming the tool whose parameters cannot be used.
std::optional<ToolCallGrammar> tool_call_grammar(const ToolCallPlan& plan);

}  // namespace lantern
