// POST /v1/completions (raw prompt, no chat template): the request, validated
// into SamplingParams / StopParams like the chat request (chat_request.h
// lists the shared choices). Specific to this endpoint, as in OpenAI's legacy
// API: prompt is a string, a one-string array, or token ids; max_tokens
// defaults to 16; logprobs is an integer 0..5; echo, suffix and best_of > 1
// are refused as unsupported.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/request_limits.h"
#include "sampling/sampling_params.h"

namespace lantern::api {

struct CompletionRequest {
  std::string model;
  std::string prompt;                  // when given as text
  std::vector<int32_t> prompt_tokens;  // when given as token ids (then prompt is empty)
  bool prompt_is_tokens = false;
  SamplingParams sampling;  // sampling.logprobs: -1, or the requested 0..5
  StopParams stop;          // stop.max_tokens defaults to 16
  int32_t n = 1;
  bool stream = false;
  bool include_usage = false;
  std::string user;
  bool return_token_ids = false;  // as in chat_request.h
  // Keywords of a `strict: false` schema that are not enforced.
  std::vector<std::string> format_warnings;
  std::vector<std::string> ignored_fields;
};

ApiResult<CompletionRequest> parse_completion_request(const nlohmann::ordered_json& body,
                                                      const RequestLimits& limits = {});
ApiResult<CompletionRequest> parse_completion_request(const nlohmann::json& body, const RequestLimits& limits = {});
ApiResult<CompletionRequest> parse_completion_request(std::string_view body, const RequestLimits& limits = {});

}  // namespace lantern::api
