// Bounds the request parsers enforce beyond OpenAI's own ranges, so a request
// cannot ask the engine for unbounded work or memory.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lantern::api {

struct RequestLimits {
  int32_t max_tokens_cap = 1 << 20;       // max_tokens / max_completion_tokens upper bound
  size_t max_messages = 4096;
  size_t max_content_bytes = 8u << 20;    // all message text (or the prompt) together
  size_t max_prompt_tokens = 1u << 20;    // a prompt given as token ids
  int32_t vocab_size = 0;                 // > 0: token ids (logit_bias, prompt) must be below it
  size_t max_logit_bias = 1024;
  int32_t max_n = 16;
};

}  // namespace lantern::api
