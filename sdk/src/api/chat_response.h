// The response objects of /v1/chat/completions in OpenAI's shapes:
//   chat.completion                         (stream: false)
//   chat.completion.chunk, in this order     (stream: true):
//     role chunk     delta {"role": "assistant", "content": ""}
//     content chunks delta {"content": "..."}, with logprobs when asked
//     finish chunk   delta {}, finish_reason "stop" | "length"
//     usage chunk    choices [], usage {...}  (stream_options.include_usage)
// With include_usage every other chunk carries "usage": null, as OpenAI does.
// Text is made valid UTF-8 here, so dumping never throws.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/response_common.h"

namespace lantern::api {

struct ChatChoice {
  int32_t index = 0;
  std::string content;
  FinishReason finish_reason = FinishReason::Stop;
  std::optional<std::vector<TokenLogprobInfo>> logprobs;  // when the request asked for them
};

nlohmann::ordered_json chat_completion_json(const ResponseMeta& meta, const std::vector<ChatChoice>& choices,
                                            const Usage& usage);

// {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}, ...], "refusal": null}
nlohmann::ordered_json chat_logprobs_json(const std::vector<TokenLogprobInfo>& tokens);

nlohmann::ordered_json chat_chunk_role(const ResponseMeta& meta, int32_t index, bool include_usage);
nlohmann::ordered_json chat_chunk_content(const ResponseMeta& meta, int32_t index, std::string_view text,
                                          const std::vector<TokenLogprobInfo>* logprobs, bool include_usage);
nlohmann::ordered_json chat_chunk_finish(const ResponseMeta& meta, int32_t index, FinishReason reason,
                                         bool include_usage);
nlohmann::ordered_json chat_chunk_usage(const ResponseMeta& meta, const Usage& usage);

}  // namespace lantern::api
