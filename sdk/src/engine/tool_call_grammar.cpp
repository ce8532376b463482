#include "engine/tool_call_grammar.h"

#include "grammar/gbnf_compose.h"
#include "grammar/json_schema_grammar.h"

namespace lantern {

using grammar::gbnf_literal;

std::optional<ToolCallGrammar> tool_call_grammar(const ToolCallPlan& plan) {
  using Mode = api::ToolChoice::Mode;
  if (plan.choice.mode != Mode::Required && plan.choice.mode != Mode::Function) return std::nullopt;
  if (!plan.tools.is_array() || plan.tools.empty()) return std::nullopt;
  const ToolCallSyntax& s = *plan.syntax;
  std::string rules, calls;
  int n = 0;
  for (size_t i = 0; i < plan.tools.size(); ++i) {
    const auto& fn = plan.tools[i].value("function", nlohmann::ordered_json::object());
    const std::string name = fn.value("name", std::string());
    if (plan.choice.mode == Mode::Function && name != plan.choice.function) continue;
    const auto params = fn.contains("parameters") && fn["parameters"].is_object() ? fn["parameters"]
                                                                                   : nlohmann::ordered_json{{"type", "object"}};
    std::string args;
    try {
      args = grammar::json_schema_to_gbnf(params);
    } catch (const grammar::GrammarError& e) {
      throw grammar::GrammarError("tools[" + std::to_string(i) + "].function.parameters: " + e.what());
    }
    const std::string prefix = "tool" + std::to_string(i) + "-";
    rules += grammar::prefix_gbnf_rules(args, prefix) + "\n";
    // {"name": "f", "arguments": ARGS}, spaced as the templates write it.
    // (Appended, not "{" + ...: GCC 12 warns falsely (-Wrestrict) on that.)
    std::string head = "{";
    head += tool_json_text(s.name_key) + ": " + tool_json_text(name) + ", " + tool_json_text(s.arguments_key) + ": ";
    calls += std::string(n++ ? " | " : "") + "(" + gbnf_literal(head) + " " + prefix + "root " + gbnf_literal("}") + ")";
  }
  if (n == 0) return std::nullopt;
  ToolCallGrammar out;
  std::string g = "root ::= " + gbnf_literal(s.list_open) + " call ";
  if (plan.parallel && plan.choice.mode == Mode::Required) {
    g += "(" + gbnf_literal(s.list_separator) + " call){0," + std::to_string(kMaxForcedCalls - 1) + "} ";
  }
  g += gbnf_literal(s.list_close) + "\n";
  g += "call ::= " + gbnf_literal(s.call_open) + " (" + calls + ") " + gbnf_literal(s.call_close) + "\n";
  out.gbnf = g + rules;
  for (const std::string& m : s.marker_tokens) {
    for (const std::string* part : {&s.list_open, &s.list_separator, &s.list_close, &s.call_open, &s.call_close}) {
      if (part->find(m) != std::string::npos) {
        out.marker_texts.push_back(m);
        break;
      }
    }
  }
  return out;
}

}  // namespace lantern
