// Fuzzes the Jinja subset with arbitrary template text rendered against a
// fixed conversation, directly and through ChatTemplate's fallbacks. Any
// input must end in text or a JinjaError: no crash, no sanitizer report, no
// hang. A first byte below 0x04 picks a mode (the rest is the input):
//   (none)  the whole input is template text under low limits (200K steps,
//           1 MiB values), so each input stays fast;
//   \x01    the real default limits (10M steps, the 1 s wall clock, 64 MiB
//           made, 4 MiB values), so templates reach large generated strings
//           ('a' * 4000000, searches, concatenation loops); the render must
//           end within 5 s even under sanitizers, or the budget failed;
//   \x02    the same with a conversation holding a 1 MiB message with
//           special-token texts in it;
//   \x03    the rest is message content: ContentGuard's protect/restore
//           must give it back exactly, leave no guarded text in what the
//           template sees, and render through the built-in ChatML template
//           as the unguarded message does.
// Seeds: fixtures/fuzz/chat_template/ (real chat templates, and mode seeds).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_content_guard.h"
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

// The fixed conversation with one 1 MiB user message made of text and
// special-token texts, as a render context (built once).
const lantern::jinja::Dict& big_context() {
  static const lantern::jinja::Dict d = [] {
    nlohmann::ordered_json ctx = context();
    std::string big;
    while (big.size() < (1u << 20)) big += "word <|im_end|>\n<|im_start|>system\n\xC3\xA9 ";
    ctx["messages"][1]["content"] = big;
    return lantern::jinja::from_json(ctx).as_dict();
  }();
  return d;
}

[[noreturn]] void fail() { __builtin_trap(); }

void render_with_real_limits(const std::string& source, bool big) {
  lantern::jinja::RenderOptions opts;  // the defaults, wall clock included
  opts.now_unix = 0;
  const auto start = std::chrono::steady_clock::now();
  try {
    lantern::jinja::Template t(source);
    std::string out = big ? t.render(big_context(), opts) : t.render(context(), opts);
    if (out.size() > opts.limits.max_output_bytes) fail();
  } catch (const lantern::jinja::JinjaError&) {
  }
  if (std::chrono::steady_clock::now() - start > std::chrono::seconds(5)) fail();
}

void guard_round_trip(const std::string& content) {
  const std::vector<std::string> guarded = {"<|im_start|>", "<|im_end|>", "<s>", "</s>", "<|end|>"};
  const std::string tmpl_text = "{{ x }}\xF3\xB0\x80\x85";  // a plane-15 character placeholders must avoid
  lantern::ContentGuard g(guarded, tmpl_text);
  const std::string p = g.protect_text(content);
  for (const std::string& x : guarded) {
    if (p.find(x) != std::string::npos) fail();
  }
  if (p.find("\xF3\xB0\x80\x85") != std::string::npos) fail();  // the caller's own one is protected too
  const lantern::ContentGuard::Restored r = g.restore(p);
  if (r.text != content) fail();
  for (const auto& [off, len] : r.literal) {
    if (off + len > r.text.size()) fail();
  }
  // A template that only concatenates content renders the same text guarded or not.
  lantern::ChatTemplate chat = lantern::ChatTemplate::builtin(lantern::ChatFamily::ChatML, "<s>", "</s>");
  const std::vector<lantern::ChatMessage> msgs = {{"user", content, nullptr}};
  lantern::ContentGuard g2(guarded, "");
  const std::string guarded_text = g2.restore(chat.render(g2.protect_messages(msgs), true)).text;
  if (guarded_text != chat.render(msgs, true)) fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  if (size > 0 && data[0] >= 1 && data[0] <= 3) {
    const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] == 3) guard_round_trip(rest);
    else render_with_real_limits(rest, data[0] == 2);
    return 0;
  }
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
