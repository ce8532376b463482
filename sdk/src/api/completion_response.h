// The response objects of /v1/completions (object "text_completion", also for
// stream chunks, as OpenAI's legacy endpoint does). Logprobs use the legacy
// shape: {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}],
// "text_offset"} with offsets counted in characters from the completion start.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/response_common.h"

namespace lantern::api {

struct CompletionChoice {
  int32_t index = 0;
  std::string text;
  FinishReason finish_reason = FinishReason::Stop;
  std::optional<std::vector<TokenLogprobInfo>> logprobs;
};

nlohmann::ordered_json completion_json(const ResponseMeta& meta, const std::vector<CompletionChoice>& choices,
                                       const Usage& usage);
// first_offset: characters already streamed before these tokens.
nlohmann::ordered_json completion_logprobs_json(const std::vector<TokenLogprobInfo>& tokens, int64_t first_offset = 0);
// A stream chunk: finish is set on the last one.
nlohmann::ordered_json completion_chunk(const ResponseMeta& meta, int32_t index, std::string_view text,
                                        const nlohmann::ordered_json& logprobs, std::optional<FinishReason> finish,
                                        bool include_usage);
nlohmann::ordered_json completion_chunk_usage(const ResponseMeta& meta, const Usage& usage);

}  // namespace lantern::api
