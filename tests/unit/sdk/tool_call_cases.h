// Model outputs in each tool-call format, with the content and calls they
// must give: shared by the parse and the streaming tests.
#pragma once
#include <string>
#include <vector>

#include "chat/tool_call_format.h"

namespace lantern::test {

struct ToolCallCase {
  const char* label;
  ToolCallFormat format;
  std::string text;
  std::string content;
  std::vector<std::pair<std::string, std::string>> calls;  // name, arguments text
};

inline const std::vector<ToolCallCase>& tool_call_cases() {
  using F = ToolCallFormat;
  static const std::vector<ToolCallCase> k = {
      // Hermes (Qwen2.5, Qwen3): one block per call.
      {"hermes one call", F::Hermes,
       "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>", "",
       {{"get_weather", "{\"city\": \"Paris\", \"days\": 2}"}}},
      {"hermes parallel calls", F::Hermes,
       "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", "
       "\"arguments\": {}}\n</tool_call>",
       "",
       {{"a", "{\"x\": 1}"}, {"b", "{}"}}},
      {"hermes text before the call", F::Hermes,
       "Let me check that.\n\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"q\": \"x\"}}\n</tool_call>",
       "Let me check that.",
       {{"f", "{\"q\": \"x\"}"}}},
      {"hermes nested JSON and unicode", F::Hermes,
       "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"caf\xC3\xA9 \xE2\x98\x95 \\\"quoted\\\" \\u00e9 "
       "</tool_call>\", \"filters\": {\"tags\": [\"a\", {\"b\": [1, -2.5e3, null, true, false]}], \"n\": 0}}}\n"
       "</tool_call>",
       "",
       {{"search",
         "{\"q\": \"caf\xC3\xA9 \xE2\x98\x95 \\\"quoted\\\" \\u00e9 </tool_call>\", \"filters\": {\"tags\": [\"a\", "
         "{\"b\": [1, -2.5e3, null, true, false]}], \"n\": 0}}"}}},
      {"hermes arguments before the name", F::Hermes,
       "<tool_call>{\"arguments\": {\"x\": [1, 2]}, \"name\": \"f\"}</tool_call>", "", {{"f", "{\"x\": [1, 2]}"}}},
      {"hermes call without arguments", F::Hermes, "<tool_call>\n{\"name\": \"now\"}\n</tool_call>", "",
       {{"now", "{}"}}},
      {"hermes type and parameters keys", F::Hermes,
       "<tool_call>{\"type\": \"function\", \"name\": \"f\", \"parameters\": {\"a\": 1}}</tool_call>", "",
       {{"f", "{\"a\": 1}"}}},
      {"hermes text after the call", F::Hermes,
       "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>\n\nDone.", "Done.", {{"f", "{}"}}},
      {"hermes closing tag missing between calls", F::Hermes,
       "<tool_call>{\"name\": \"a\", \"arguments\": {}}\n<tool_call>{\"name\": \"b\", \"arguments\": {}}</tool_call>",
       "",
       {{"a", "{}"}, {"b", "{}"}}},
      {"hermes closing tag missing at the end", F::Hermes, "<tool_call>{\"name\": \"a\", \"arguments\": {\"k\": 1}}",
       "", {{"a", "{\"k\": 1}"}}},
      {"hermes an opener prefix in prose", F::Hermes, "Use <tools> and <tool_> wisely  ",
       "Use <tools> and <tool_> wisely  ", {}},
      {"hermes malformed: not JSON", F::Hermes, "<tool_call>\nnot json\n</tool_call>",
       "<tool_call>\nnot json\n</tool_call>", {}},
      {"hermes malformed: name not a string", F::Hermes, "Hi <tool_call>{\"name\": 42, \"arguments\": {}}</tool_call>",
       "Hi <tool_call>{\"name\": 42, \"arguments\": {}}</tool_call>", {}},
      {"hermes malformed: another JSON object", F::Hermes, "<tool_call>{\"answer\": 1}</tool_call>",
       "<tool_call>{\"answer\": 1}</tool_call>", {}},
      {"hermes malformed: arguments not an object", F::Hermes,
       "<tool_call>{\"name\": \"f\", \"arguments\": \"{}\"}</tool_call>",
       "<tool_call>{\"name\": \"f\", \"arguments\": \"{}\"}</tool_call>", {}},
      {"hermes malformed: no name", F::Hermes, "<tool_call>{\"arguments\": {}}</tool_call>",
       "<tool_call>{\"arguments\": {}}</tool_call>", {}},
      {"hermes malformed: ends before the arguments", F::Hermes, "Ok <tool_call>{\"name\": \"f\", \"argu",
       "Ok <tool_call>{\"name\": \"f\", \"argu", {}},
      {"hermes malformed opener then a good call", F::Hermes,
       "<tool_call><tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>", "<tool_call>", {{"f", "{}"}}},
      {"hermes committed call cut short", F::Hermes, "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": \"x",
       "", {{"f", "{\"a\": \"x"}}},
      {"hermes committed call breaks", F::Hermes,
       "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1 oops}}</tool_call> after", "after",
       {{"f", "{\"a\": 1 "}}},
      {"prompted is hermes", F::Prompted, "ok\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>", "ok",
       {{"f", "{}"}}},

      // Llama 3.1 / 3.2: the whole reply is the JSON, or it follows <|python_tag|>.
      {"llama3 bare call", F::Llama3, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", "",
       {{"get_weather", "{\"city\": \"Paris\"}"}}},
      {"llama3 after spaces", F::Llama3, "\n\n {\"name\": \"f\", \"parameters\": {}}", "", {{"f", "{}"}}},
      {"llama3 python_tag", F::Llama3, "<|python_tag|>{\"name\": \"f\", \"parameters\": {\"a\": [\"\xE2\x82\xAC\"]}}",
       "", {{"f", "{\"a\": [\"\xE2\x82\xAC\"]}"}}},
      {"llama3 text before python_tag", F::Llama3, "Sure.<|python_tag|>{\"name\": \"f\", \"parameters\": {}}",
       "Sure.", {{"f", "{}"}}},
      {"llama3 two calls", F::Llama3,
       "{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": [1]}}", "",
       {{"a", "{}"}, {"b", "{\"x\": [1]}"}}},
      {"llama3 type key first", F::Llama3, "{\"type\": \"function\", \"name\": \"f\", \"parameters\": {\"a\": 1}}", "",
       {{"f", "{\"a\": 1}"}}},
      {"llama3 a JSON answer is content", F::Llama3, "{\"answer\": 42}", "{\"answer\": 42}", {}},
      {"llama3 JSON after text is content", F::Llama3, "The call is {\"name\": \"f\", \"parameters\": {}}",
       "The call is {\"name\": \"f\", \"parameters\": {}}", {}},
      {"llama3 text after the call", F::Llama3, "{\"name\": \"f\", \"parameters\": {}}\nDone", "Done", {{"f", "{}"}}},

      // Mistral: [TOOL_CALLS] and a JSON list.
      {"mistral two calls", F::Mistral,
       "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {\"x\": 1}}, {\"name\": \"b\", \"arguments\": {}}]", "",
       {{"a", "{\"x\": 1}"}, {"b", "{}"}}},
      {"mistral ids after the arguments", F::Mistral,
       "[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"x\": 1}, \"id\": \"abc123def\"}]", "",
       {{"a", "{\"x\": 1}"}}},
      {"mistral text before", F::Mistral, "I'll check. [TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}]",
       "I'll check.", {{"a", "{}"}}},
      {"mistral lone object", F::Mistral, "[TOOL_CALLS]{\"name\": \"a\", \"arguments\": {}}", "", {{"a", "{}"}}},
      {"mistral malformed", F::Mistral, "[TOOL_CALLS]oops", "[TOOL_CALLS]oops", {}},
      {"mistral bad second item", F::Mistral, "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}, 7]", ", 7]",
       {{"a", "{}"}}},

      // Phi-4-mini: <|tool_call|>[...]<|/tool_call|>.
      {"phi4 one call", F::Phi4Mini, "<|tool_call|>[{\"name\": \"a\", \"arguments\": {\"q\": \"x\"}}]<|/tool_call|>", "",
       {{"a", "{\"q\": \"x\"}"}}},
      {"phi4 parallel and text after", F::Phi4Mini,
       "<|tool_call|>[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {\"k\": null}}]"
       "<|/tool_call|> ok",
       "ok", {{"a", "{}"}, {"b", "{\"k\": null}"}}},
      {"phi4 without the closing token", F::Phi4Mini, "<|tool_call|>[{\"name\": \"a\", \"arguments\": {}}]", "",
       {{"a", "{}"}}},
  };
  return k;
}

}  // namespace lantern::test
