// Fuzzes the OpenAI request parsers with arbitrary bytes as the HTTP body:
// JSON parse -> chat and completion request validation -> a response built
// from the result. Every input must end in a request or an ApiError that
// serialises; nothing may throw, crash or trip a sanitizer.
// Seeds: fixtures/fuzz/api_request/ (valid and invalid request bodies).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "api/completion_request.h"
#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  lantern::api::RequestLimits limits;
  limits.vocab_size = 32000;

  auto chat = lantern::api::parse_chat_completion_request(body, limits);
  if (chat.ok()) {
    const auto& req = chat.value();
    if (req.messages.empty() || req.n < 1 || req.n > limits.max_n) __builtin_trap();
    lantern::api::ResponseMeta meta{"chatcmpl-fuzz", 0, req.model, ""};
    lantern::api::ChatChoice choice;
    choice.content = req.messages.back().content;  // arbitrary text through the builder
    (void)lantern::api::dump_json(lantern::api::chat_completion_json(meta, {choice}, {}));
  } else {
    (void)lantern::api::dump_json(chat.error().to_json());
  }

  auto completion = lantern::api::parse_completion_request(body, limits);
  if (completion.ok()) {
    const auto& req = completion.value();
    for (int32_t t : req.prompt_tokens) {
      if (t < 0 || t >= limits.vocab_size) __builtin_trap();
    }
  } else {
    (void)lantern::api::dump_json(completion.error().to_json());
  }
  return 0;
}
