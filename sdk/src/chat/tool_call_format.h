// How a model family writes function calls, as data: the parser
// (tool_call_parser.h), the template adapter (tool_template_support.h) and
// the grammar that forces a call (tool_choice required / named) all read the
// same ToolCallSyntax, so a format is described once.
//
// One assistant message's calls are written as
//
//   list_open  call_open CALL call_close  list_separator  call_open CALL call_close ...  list_close
//
// where CALL is one JSON object {"<name_key>": "<function name>",
// "<arguments_key>": {<arguments>}} with the name first. The formats the
// real templates use:
//
//   Hermes    <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>       Qwen2.5, Qwen3, Hermes 2/3
//             (one block per call, blocks separated by "\n")
//   Llama3    {"name": "f", "parameters": {...}}                                 Llama 3.1 / 3.2 / 3.3
//             (the whole reply; <|python_tag|> may come first; one call)
//   Mistral   [TOOL_CALLS][{"name": "f", "arguments": {...}}, {...}]              Mistral v0.3, Nemo
//   Phi4Mini  <|tool_call|>[{"name": "f", "arguments": {...}}]<|/tool_call|>     Phi-4-mini
//   Prompted  Hermes' syntax, for templates that know no tools: Lantern puts
//             the instruction (tool_prompt_instruction) in the system prompt.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern {

enum class ToolCallFormat { Hermes, Llama3, Mistral, Phi4Mini, Prompted };

const char* tool_call_format_name(ToolCallFormat f);  // "hermes", "llama3", "mistral", "phi4-mini", "prompted"

struct ToolCallSyntax {
  ToolCallFormat format = ToolCallFormat::Prompted;

  // What a forced call writes (see the picture above). Calls are written
  // with these exact texts; the parser also accepts any JSON whitespace
  // around and inside them (call_open "<tool_call>\n" matches "<tool_call>").
  std::string list_open;
  std::string list_separator;
  std::string list_close;
  std::string call_open;
  std::string call_close;
  std::string name_key = "name";
  std::string arguments_key = "arguments";  // "parameters" for Llama 3
  // Several calls in one message, as the model was trained (the Llama 3.1
  // template refuses more than one).
  bool parallel = true;

  // Texts in the list above that are one token of the model's vocabulary,
  // often a control token ("[TOOL_CALLS]", "<|tool_call|>", "<|python_tag|>"):
  // a grammar must allow that token (its text only shows with
  // render_special), and the run feeds its text to the parser.
  std::vector<std::string> marker_tokens;

  // Parsing only. Texts that open a block of calls in the output (the first
  // non-space text of list_open or call_open, plus <|python_tag|> for Llama 3).
  std::vector<std::string> openers;
  // The block is a JSON array after the opener ("[" ... "]"); a lone object
  // is accepted too.
  bool array_block = false;
  // Text that ends a block after its last call ("</tool_call>",
  // "<|/tool_call|>"); empty when the block ends with its JSON.
  std::string block_close;
  // Llama 3: a reply that starts with "{" (after spaces) may be a call with
  // no opener; calls may follow one another, separated by spaces or ";".
  bool bare_json_at_start = false;

  // How tool results are shown to a template that has no tool role
  // (tool_template_support.h), and to the model in the Prompted format.
  std::string response_open = "<tool_response>\n";
  std::string response_close = "\n</tool_response>";

  // Tool call ids the template accepts: Mistral's checks for exactly 9
  // letters and digits; the others take OpenAI's "call_" + 24 characters.
  size_t id_length = 0;  // 0: "call_..." ids
};

const ToolCallSyntax& tool_call_syntax(ToolCallFormat f);

// The format a model writes, from its chat template text (the template
// itself, even one Lantern failed to parse) and its vocabulary (has_token:
// is this exact text one token). Prompted when no native format is
// recognised. ChatFamily (chat_family.h) cannot tell: Qwen2.5, Qwen3 and a
// ChatML model without tools are all ChatML.
//   "[TOOL_CALLS]" in the template                              Mistral
//   "<|tool_call|>" in it, or "<|tool|>" and a <|tool_call|> token  Phi4Mini
//   "<tool_call>" in it                                         Hermes
//   "<|start_header_id|>" with "ipython" or "<|python_tag|>"    Llama3
ToolCallFormat detect_tool_call_format(std::string_view template_source,
                                       const std::function<bool(std::string_view)>& has_token = {});

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text; as the model wrote it (OpenAI: may not be valid JSON)
  bool operator==(const ToolCall&) const = default;
};

// The calls in the syntax's exact form, as a model trained on it writes
// them (and as tool_choice "required" will make it). An arguments text that
// is valid JSON is written compactly-normalised with ", " and ": " as
// Python's json.dumps does; any other text as it is.
std::string format_tool_calls(const ToolCallSyntax& syntax, const std::vector<ToolCall>& calls);

// JSON as templates' tojson (Python's json.dumps) writes it: ", " and ": ".
std::string tool_json_text(const nlohmann::ordered_json& j);

// A call id in the syntax's style from `random` (letters and digits, at
// least 24 of them): "call_" + random, or its first id_length characters.
std::string tool_call_id(const ToolCallSyntax& syntax, std::string_view random);

// The system-prompt text that teaches a model with no tool-aware template
// to call functions (the Prompted format, or a native syntax whose template
// ignores `tools`). tools: OpenAI tool objects. parallel: may it call
// several functions in one reply.
std::string tool_prompt_instruction(const ToolCallSyntax& syntax, const nlohmann::ordered_json& tools, bool parallel);

}  // namespace lantern
