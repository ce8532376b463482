// Fuzzes the Jinja subset with arbitrary template text rendered against a
// fixed conversation, directly and through ChatTemplate's fallbacks. Any
// input must end in text or a JinjaError: no crash, no sanitizer report, no
// hang (the step/depth/size limits are set low so each input stays fast).
// Seeds: fixtures/fuzz/chat_template/ (real chat templates).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/jinja_error.h"
#include "chat/jinja_template.h"

namespace {

const nlohmann::ordered_json& context() {
  static const nlohmann::ordered_json ctx = nlohmann::ordered_json::parse(R"({
    "messages": [
      {"role": "system", "content": "You are a helpful assistant"},
      {"role": "user", "content": "Hello"},
      {"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
      {"role": "tool", "tool_call_id": "call12345", "content": "{\"t\": 21}"},
      {"role": "user", "content": "Grüße 🌍"}
    ],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
    "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>"})");
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string source(reinterpret_cast<const char*>(data), size);
  lantern::jinja::RenderOptions opts;
  opts.limits.max_steps = 200000;
  opts.limits.max_output_bytes = 1 << 20;
  opts.now_unix = 0;
  try {
    lantern::jinja::Template t(source);
    std::string out = t.render(context(), opts);
    (void)out;
  } catch (const lantern::jinja::JinjaError&) {
  }
  // Never throws: falls back to the built-in ChatML template or plain text.
  lantern::ChatTemplate chat(source, "<s>", "</s>", lantern::ChatFamily::ChatML);
  lantern::ChatRenderOptions chat_opts;
  chat_opts.limits = opts.limits;
  chat_opts.now_unix = 0;
  chat_opts.tools = context()["tools"];
  std::vector<lantern::ChatMessage> msgs = {{"system", "S", nullptr}, {"user", "U", nullptr}};
  lantern::ChatRenderResult r = chat.render_detailed(msgs, true, chat_opts);
  if (r.text.empty() && r.source != lantern::ChatTemplateSource::Model &&
      r.source != lantern::ChatTemplateSource::ModelSystemMerged) {
    __builtin_trap();  // the fallbacks always produce text for this conversation
  }
  return 0;
}
