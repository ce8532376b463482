#include "chat/tool_call_format.h"

#include "chat/jinja_budget.h"
#include "chat/jinja_value.h"

namespace lantern {

namespace {

using Json = nlohmann::ordered_json;

ToolCallSyntax hermes(ToolCallFormat f) {
  ToolCallSyntax s;
  s.format = f;
  s.list_separator = "\n";
  s.call_open = "<tool_call>\n";
  s.call_close = "\n</tool_call>";
  s.marker_tokens = {"<tool_call>", "</tool_call>"};  // Qwen's vocabulary has both
  s.openers = {"<tool_call>"};
  s.block_close = "</tool_call>";
  return s;
}

ToolCallSyntax llama3() {
  ToolCallSyntax s;
  s.format = ToolCallFormat::Llama3;
  s.list_separator = "\n";
  s.arguments_key = "parameters";
  s.parallel = false;  // the template raises "This model only supports single tool-calls at once!"
  s.marker_tokens = {"<|python_tag|>"};
  s.openers = {"<|python_tag|>"};
  s.bare_json_at_start = true;
  return s;
}

ToolCallSyntax mistral() {
  ToolCallSyntax s;
  s.format = ToolCallFormat::Mistral;
  s.list_open = "[TOOL_CALLS][";
  s.list_separator = ", ";
  s.list_close = "]";
  s.marker_tokens = {"[TOOL_CALLS]"};
  s.openers = {"[TOOL_CALLS]"};
  s.array_block = true;
  s.id_length = 9;
  return s;
}

ToolCallSyntax phi4_mini() {
  ToolCallSyntax s;
  s.format = ToolCallFormat::Phi4Mini;
  s.list_open = "<|tool_call|>[";
  s.list_separator = ", ";
  s.list_close = "]<|/tool_call|>";
  s.marker_tokens = {"<|tool_call|>", "<|/tool_call|>"};
  s.openers = {"<|tool_call|>"};
  s.array_block = true;
  s.block_close = "<|/tool_call|>";
  return s;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

const char* tool_call_format_name(ToolCallFormat f) {
  switch (f) {
    case ToolCallFormat::Hermes: return "hermes";
    case ToolCallFormat::Llama3: return "llama3";
    case ToolCallFormat::Mistral: return "mistral";
    case ToolCallFormat::Phi4Mini: return "phi4-mini";
    case ToolCallFormat::Prompted: return "prompted";
  }
  return "prompted";
}

const ToolCallSyntax& tool_call_syntax(ToolCallFormat f) {
  static const ToolCallSyntax kHermes = hermes(ToolCallFormat::Hermes);
  static const ToolCallSyntax kPrompted = hermes(ToolCallFormat::Prompted);
  static const ToolCallSyntax kLlama3 = llama3();
  static const ToolCallSyntax kMistral = mistral();
  static const ToolCallSyntax kPhi4 = phi4_mini();
  switch (f) {
    case ToolCallFormat::Hermes: return kHermes;
    case ToolCallFormat::Llama3: return kLlama3;
    case ToolCallFormat::Mistral: return kMistral;
    case ToolCallFormat::Phi4Mini: return kPhi4;
    case ToolCallFormat::Prompted: return kPrompted;
  }
  return kPrompted;
}

ToolCallFormat detect_tool_call_format(std::string_view src, const std::function<bool(std::string_view)>& has_token) {
  // Most specific first: Mistral and Phi-4 templates mention no <tool_call>,
  // but a Hermes template may mention other families' markers in prose.
  if (contains(src, "[TOOL_CALLS]")) return ToolCallFormat::Mistral;
  // Phi-4-mini's template shows only <|tool|> (tools in the system message);
  // the call token is in its vocabulary.
  if (contains(src, "<|tool_call|>") || (contains(src, "<|tool|>") && has_token && has_token("<|tool_call|>")))
    return ToolCallFormat::Phi4Mini;
  if (contains(src, "<tool_call>")) return ToolCallFormat::Hermes;
  if (contains(src, "<|start_header_id|>") && (contains(src, "ipython") || contains(src, "<|python_tag|>")))
    return ToolCallFormat::Llama3;
  return ToolCallFormat::Prompted;
}

std::string format_tool_calls(const ToolCallSyntax& s, const std::vector<ToolCall>& calls) {
  std::string out = s.list_open;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (i > 0) out += s.list_separator;
    std::string args = calls[i].arguments;
    const Json parsed = Json::parse(args, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
      // Python's spacing, unless that would change the value (numbers past
      // a double, nesting too deep for the template engine): then as written.
      try {
        std::string spaced = tool_json_text(parsed);
        if (Json::parse(spaced, nullptr, false) == parsed) args = std::move(spaced);
      } catch (...) {
      }
    }
    out += s.call_open + "{" + tool_json_text(s.name_key) + ": " + tool_json_text(calls[i].name) + ", " +
           tool_json_text(s.arguments_key) + ": " + args + "}" + s.call_close;
  }
  return out + s.list_close;
}

std::string tool_json_text(const Json& j) {
  jinja::Budget budget;
  return jinja::to_json_text(jinja::from_json(j), budget);
}

std::string tool_call_id(const ToolCallSyntax& s, std::string_view random) {
  if (s.id_length > 0) return std::string(random.substr(0, s.id_length));
  return "call_" + std::string(random);
}

std::string tool_prompt_instruction(const ToolCallSyntax& s, const Json& tools, bool parallel) {
  std::string text =
      "# Tools\n\nYou can call functions to help with the user's request. The functions are described by these "
      "JSON Schemas:\n<tools>";
  if (tools.is_array()) {
    for (const Json& t : tools) {
      text += '\n';
      text += tool_json_text(t);
    }
  }
  text += "\n</tools>\n\nTo call a function, reply with its name and arguments in this form:\n";
  text += s.list_open + s.call_open + "{\"" + s.name_key + "\": <function name>, \"" + s.arguments_key +
          "\": <arguments as a JSON object>}" + s.call_close + s.list_close + "\n";
  if (!parallel) text += "Call at most one function per reply.";
  else if (s.array_block) text += "To call several functions at once, put them all in the list, separated by commas.";
  else text += "To call several functions at once, write one such block for each call.";
  text += "\nFunction results come back within " + s.response_open.substr(0, s.response_open.find('\n')) +
          " tags. When no function is needed, reply normally.";
  return text;
}

}  // namespace lantern
