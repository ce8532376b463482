// parse_tool_calls on model outputs in every format (tool_call_cases.h):
// content, names and arguments; ids; parallel_tool_calls false; and that a
// call written by format_tool_calls parses back to itself.
#include <gtest/gtest.h>

#include "chat/tool_call_parser.h"
#include "tool_call_cases.h"

using namespace lantern;

namespace {

std::vector<std::pair<std::string, std::string>> name_args(const ParsedToolCalls& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ToolCall& c : p.calls) out.emplace_back(c.name, c.arguments);
  return out;
}

}  // namespace

TEST(ToolCallParse, EveryCase) {
  for (const auto& c : test::tool_call_cases()) {
    SCOPED_TRACE(c.label);
    const ParsedToolCalls p = parse_tool_calls(tool_call_syntax(c.format), c.text);
    EXPECT_EQ(p.content, c.content);
    EXPECT_EQ(name_args(p), c.calls);
  }
}

TEST(ToolCallParse, IdsAreCountersInTheFormatsStyle) {
  const std::string two = "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"b\"}</tool_call>";
  const ParsedToolCalls p = parse_tool_calls(tool_call_syntax(ToolCallFormat::Hermes), two);
  ASSERT_EQ(p.calls.size(), 2u);
  EXPECT_EQ(p.calls[0].id, "call_0");
  EXPECT_EQ(p.calls[1].id, "call_1");
  // Mistral's template wants 9 letters and digits.
  const ParsedToolCalls m = parse_tool_calls(tool_call_syntax(ToolCallFormat::Mistral),
                                             "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {}}]");
  ASSERT_EQ(m.calls.size(), 2u);
  EXPECT_EQ(m.calls[0].id, "call00000");
  EXPECT_EQ(m.calls[1].id, "call00001");
  // A caller's ids.
  ToolCallParserOptions o;
  o.make_id = [](size_t n) { return "id-" + std::to_string(n * 10); };
  EXPECT_EQ(parse_tool_calls(tool_call_syntax(ToolCallFormat::Hermes), two, o).calls[1].id, "id-10");
  EXPECT_EQ(tool_call_id(tool_call_syntax(ToolCallFormat::Mistral), "AbCdEfGhIjKlMnOpQrStUvWx"), "AbCdEfGhI");
  EXPECT_EQ(tool_call_id(tool_call_syntax(ToolCallFormat::Hermes), "AbCdEfGhIjKlMnOpQrStUvWx"),
            "call_AbCdEfGhIjKlMnOpQrStUvWx");
}

TEST(ToolCallParse, MaxCallsDropsTheRestWithoutShowingThem) {
  ToolCallParserOptions o;
  o.max_calls = 1;
  const ParsedToolCalls p = parse_tool_calls(
      tool_call_syntax(ToolCallFormat::Hermes),
      "<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": 1}}</tool_call>\n<tool_call>{\"name\": \"b\", \"arguments\": "
      "{\"y\": 2}}</tool_call>",
      o);
  ASSERT_EQ(p.calls.size(), 1u);
  EXPECT_EQ(p.calls[0].name, "a");
  EXPECT_EQ(p.calls[0].arguments, "{\"x\": 1}");
  EXPECT_EQ(p.content, "");
}

TEST(ToolCallParse, FormattedCallsParseBack) {
  const std::vector<ToolCall> calls = {
      {"", "get_weather", "{\"city\":\"Z\xC3\xBCrich\",\"days\":[1,2],\"opts\":{\"unit\":\"C\"}}"},
      {"", "now", "{}"},
  };
  for (ToolCallFormat f : {ToolCallFormat::Hermes, ToolCallFormat::Llama3, ToolCallFormat::Mistral,
                           ToolCallFormat::Phi4Mini, ToolCallFormat::Prompted}) {
    SCOPED_TRACE(tool_call_format_name(f));
    const ToolCallSyntax& s = tool_call_syntax(f);
    const std::string text = format_tool_calls(s, calls);
    const ParsedToolCalls p = parse_tool_calls(s, text);
    EXPECT_EQ(p.content, "") << text;
    ASSERT_EQ(p.calls.size(), 2u) << text;
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(p.calls[i].name, calls[i].name);
      // Written as Python's json.dumps does; the same JSON.
      EXPECT_EQ(nlohmann::json::parse(p.calls[i].arguments), nlohmann::json::parse(calls[i].arguments));
    }
  }
  EXPECT_EQ(format_tool_calls(tool_call_syntax(ToolCallFormat::Hermes), {calls[0]}),
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z\xC3\xBCrich\", \"days\": [1, 2], "
            "\"opts\": {\"unit\": \"C\"}}}\n</tool_call>");
  EXPECT_EQ(format_tool_calls(tool_call_syntax(ToolCallFormat::Mistral), calls),
            "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z\xC3\xBCrich\", \"days\": [1, 2], "
            "\"opts\": {\"unit\": \"C\"}}}, {\"name\": \"now\", \"arguments\": {}}]");
  EXPECT_EQ(format_tool_calls(tool_call_syntax(ToolCallFormat::Llama3), {calls[1]}),
            "{\"name\": \"now\", \"parameters\": {}}");
  EXPECT_EQ(format_tool_calls(tool_call_syntax(ToolCallFormat::Phi4Mini), {calls[1]}),
            "<|tool_call|>[{\"name\": \"now\", \"arguments\": {}}]<|/tool_call|>");
}
