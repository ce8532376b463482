// Fuzzes the tool-call parser with arbitrary model output in every format:
// the first byte picks the format and a parallel_tool_calls limit, the
// second seeds how the rest is cut into pushes. Streaming in those pieces
// must give exactly what the whole text gives, events must come in OpenAI's
// order (a call's start before its arguments, indexes counting up), and
// the calls, written back by format_tool_calls, must parse to themselves.
// Seeds: fixtures/fuzz/tool_call/ (the unit tests' outputs, one per format).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/tool_call_parser.h"

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

lantern::ParsedToolCalls streamed(const lantern::ToolCallSyntax& s, std::string_view text, uint32_t seed,
                                  const lantern::ToolCallParserOptions& o) {
  lantern::ToolCallStreamParser p(s, o);
  lantern::ParsedToolCalls out;
  int32_t started = 0;
  auto take = [&](const std::vector<lantern::ToolCallEvent>& events) {
    for (const auto& e : events) {
      if (e.kind == lantern::ToolCallEvent::Kind::CallStart) require(e.index == started++ && !e.id.empty());
      if (e.kind == lantern::ToolCallEvent::Kind::Arguments) require(e.index == started - 1);
    }
    lantern::apply_tool_call_events(events, out);
  };
  size_t at = 0;
  while (at < text.size()) {
    seed = seed * 1103515245u + 12345u;
    const size_t n = 1 + (seed >> 16) % 9;
    take(p.push(text.substr(at, n)));
    at += n;
  }
  take(p.finish());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  using lantern::ToolCallFormat;
  const ToolCallFormat formats[] = {ToolCallFormat::Hermes, ToolCallFormat::Llama3, ToolCallFormat::Mistral,
                                    ToolCallFormat::Phi4Mini, ToolCallFormat::Prompted};
  const lantern::ToolCallSyntax& s = lantern::tool_call_syntax(formats[data[0] % 5]);
  lantern::ToolCallParserOptions o;
  if (data[0] & 0x80) o.max_calls = 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  const lantern::ParsedToolCalls whole = lantern::parse_tool_calls(s, text, o);
  const lantern::ParsedToolCalls pieces = streamed(s, text, data[1], o);
  require(whole.content == pieces.content && whole.calls == pieces.calls);
  require(whole.calls.size() <= o.max_calls);

  // The calls with JSON arguments, written back in the format's own syntax,
  // parse to themselves and leave no content.
  std::vector<lantern::ToolCall> valid;
  for (const lantern::ToolCall& c : whole.calls) {
    if (nlohmann::json::accept(c.arguments)) valid.push_back(c);
  }
  if (valid.empty()) return 0;
  const lantern::ParsedToolCalls back = lantern::parse_tool_calls(s, lantern::format_tool_calls(s, valid));
  require(back.content.empty() && back.calls.size() == valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    require(back.calls[i].name == valid[i].name);
    require(nlohmann::json::parse(back.calls[i].arguments, nullptr, false) ==
            nlohmann::json::parse(valid[i].arguments, nullptr, false));
  }
  return 0;
}
