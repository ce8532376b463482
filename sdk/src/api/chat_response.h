// The response objects of /v1/chat/completions in OpenAI's shapes:
//   chat.completion                         (stream: false)
//   chat.completion.chunk, in this order     (stream: true):
//     role chunk     delta {"role": "assistant", "content": ""}
//     content chunks delta {"content": "..."}, with logprobs when asked
//     call chunks    delta {"tool_calls": [{"index", "id", "type": "function",
//                    "function": {"name", "arguments": ""}}]} when a call
//                    starts, then delta {"tool_calls": [{"index",
//                    "function": {"arguments": "..."}}]} for its arguments
//     finish chunk   delta {}, finish_reason "stop" | "length" | "tool_calls"
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
#include "chat/tool_call_format.h"
#include "chat/tool_call_parser.h"

namespace lantern::api {

struct ChatChoice {
  int32_t index = 0;
  std::string content;  // written as null when empty and there are tool calls (OpenAI's shape)
  FinishReason finish_reason = FinishReason::Stop;
  std::optional<std::vector<TokenLogprobInfo>> logprobs;  // when the request asked for them
  std::vector<ToolCall> tool_calls;  // message.tool_calls, left out when empty
};

// One piece of a streamed call: the start (id and name set, arguments
// usually empty) or more of its arguments (id and name empty).
struct ToolCallDelta {
  int32_t index = 0;
  std::string id, name;
  std::string arguments;
};

nlohmann::ordered_json chat_completion_json(const ResponseMeta& meta, const std::vector<ChatChoice>& choices,
                                            const Usage& usage);

// {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}, ...], "refusal": null}
nlohmann::ordered_json chat_logprobs_json(const std::vector<TokenLogprobInfo>& tokens);

nlohmann::ordered_json chat_chunk_role(const ResponseMeta& meta, int32_t index, bool include_usage);
nlohmann::ordered_json chat_chunk_content(const ResponseMeta& meta, int32_t index, std::string_view text,
                                          const std::vector<TokenLogprobInfo>* logprobs, bool include_usage);
nlohmann::ordered_json chat_chunk_tool_call(const ResponseMeta& meta, int32_t index, const ToolCallDelta& call,
                                            const std::vector<TokenLogprobInfo>* logprobs, bool include_usage);
// The chunks of a choice's tool-call parser events (chat/tool_call_parser.h),
// in order: content chunks and call chunks. The step's logprobs go on the
// first; with no events they get a content chunk of their own ("" content),
// so a token whose text is held back still reports them.
std::vector<nlohmann::ordered_json> chat_chunks_for_tool_events(const ResponseMeta& meta, int32_t index,
                                                                const std::vector<ToolCallEvent>& events,
                                                                const std::vector<TokenLogprobInfo>* logprobs,
                                                                bool include_usage);
nlohmann::ordered_json chat_chunk_finish(const ResponseMeta& meta, int32_t index, FinishReason reason,
                                         bool include_usage);
nlohmann::ordered_json chat_chunk_usage(const ResponseMeta& meta, const Usage& usage);

}  // namespace lantern::api
