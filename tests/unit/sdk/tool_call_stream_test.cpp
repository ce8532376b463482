// The streaming parser: every output of tool_call_cases.h split at every byte
// boundary (and fed a byte at a time) gives the same content and calls as
// the whole text at once; calls stream in OpenAI's order (id and name
// first, then arguments, incrementally); call syntax never shows as content.
#include <gtest/gtest.h>

#include "chat/tool_call_parser.h"
#include "tool_call_cases.h"

using namespace lantern;

namespace {

bool same(const ParsedToolCalls& a, const ParsedToolCalls& b) {
  return a.content == b.content && a.calls == b.calls;
}

// Events in a valid order: a call's start before its arguments, calls in
// index order, each started once.
void expect_ordered(const std::vector<ToolCallEvent>& events, const std::string& label) {
  int32_t started = 0;
  for (const ToolCallEvent& e : events) {
    if (e.kind == ToolCallEvent::Kind::CallStart) {
      EXPECT_EQ(e.index, started) << label;
      EXPECT_FALSE(e.id.empty()) << label;
      ++started;
    } else if (e.kind == ToolCallEvent::Kind::Arguments) {
      EXPECT_EQ(e.index, started - 1) << label << ": arguments of a call that has not started, or an earlier one";
    }
  }
}

}  // namespace

TEST(ToolCallStream, EverySplitGivesTheWholeTextsResult) {
  for (const auto& c : test::tool_call_cases()) {
    SCOPED_TRACE(c.label);
    const ToolCallSyntax& s = tool_call_syntax(c.format);
    const ParsedToolCalls whole = parse_tool_calls(s, c.text);
    for (size_t k = 0; k <= c.text.size(); ++k) {
      ToolCallStreamParser p(s);
      std::vector<ToolCallEvent> events = p.push(std::string_view(c.text).substr(0, k));
      for (auto& e : p.push(std::string_view(c.text).substr(k))) events.push_back(std::move(e));
      for (auto& e : p.finish()) events.push_back(std::move(e));
      ParsedToolCalls got;
      apply_tool_call_events(events, got);
      EXPECT_TRUE(same(got, whole)) << "split at " << k << ": content '" << got.content << "', "
                                    << got.calls.size() << " calls";
      expect_ordered(events, std::string(c.label) + " split at " + std::to_string(k));
    }
  }
}

TEST(ToolCallStream, ByteAtATime) {
  for (const auto& c : test::tool_call_cases()) {
    SCOPED_TRACE(c.label);
    const ToolCallSyntax& s = tool_call_syntax(c.format);
    ToolCallStreamParser p(s);
    std::vector<ToolCallEvent> events;
    for (char ch : c.text) {
      for (auto& e : p.push(std::string_view(&ch, 1))) events.push_back(std::move(e));
    }
    for (auto& e : p.finish()) events.push_back(std::move(e));
    ParsedToolCalls got;
    apply_tool_call_events(events, got);
    EXPECT_EQ(got.content, c.content);
    EXPECT_TRUE(same(got, parse_tool_calls(s, c.text)));
    expect_ordered(events, c.label);
    // Content shown as it streams never holds the opener of a call that was parsed.
    if (!c.calls.empty() && std::string(c.label).find("malformed") == std::string::npos) {
      for (const ToolCallEvent& e : events) {
        if (e.kind != ToolCallEvent::Kind::Content) continue;
        for (const std::string& o : s.openers) EXPECT_EQ(e.text.find(o), std::string::npos) << e.text;
      }
    }
  }
}

TEST(ToolCallStream, NameFirstThenArgumentsAsTheyCome) {
  const ToolCallSyntax& s = tool_call_syntax(ToolCallFormat::Hermes);
  ToolCallStreamParser p(s);
  EXPECT_TRUE(p.push("Checking.\n<tool_ca").size() == 1);  // "Checking." shown, the opener prefix held
  auto e = p.push("ll>\n{\"name\": \"get_weather\", \"arguments\": {\"ci");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kind, ToolCallEvent::Kind::CallStart);
  EXPECT_EQ(e[0].name, "get_weather");
  EXPECT_EQ(e[0].id, "call_0");
  EXPECT_EQ(e[1].kind, ToolCallEvent::Kind::Arguments);
  EXPECT_EQ(e[1].text, "{\"ci");
  e = p.push("ty\": \"Paris\"}}\n</tool");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].text, "ty\": \"Paris\"}");
  EXPECT_TRUE(p.push("_call>\n").empty());
  EXPECT_TRUE(p.finish().empty());
}

TEST(ToolCallStream, HeldTextIsReleasedWhenItIsNotACall) {
  ToolCallStreamParser p(tool_call_syntax(ToolCallFormat::Mistral));
  EXPECT_TRUE(p.push("a [TOOL_").size() == 1);  // "a"; " [TOOL_" held
  auto e = p.push("KIT]");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].text, " [TOOL_KIT]");
  e = p.push(" [TOOL");
  EXPECT_TRUE(e.empty());
  e = p.finish();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].text, " [TOOL");
}
