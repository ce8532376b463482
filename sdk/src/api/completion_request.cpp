#include "api/completion_request.h"

#include <limits>
#include <set>

#include "api/json_body.h"
#include "api/output_format.h"
#include "api/request_entry.h"
#include "api/request_fields.h"

namespace lantern::api {

namespace {

using Json = nlohmann::ordered_json;
using namespace fields;

constexpr int32_t kDefaultMaxTokens = 16;  // OpenAI's default for this endpoint

const std::set<std::string>& completion_known_fields() {
  static const std::set<std::string> k = {
      "model", "prompt", "temperature", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty",
      "repetition_penalty", "logit_bias", "seed", "stop", "max_tokens", "ignore_eos", "n", "stream",
      "stream_options", "logprobs", "echo", "suffix", "best_of", "user", "return_token_ids", "response_format",
      "grammar"};
  return k;
}

void read_token_ids(const Json& arr, const std::string& param, const RequestLimits& limits, CompletionRequest& req) {
  if (arr.size() > limits.max_prompt_tokens) {
    fail(ApiError::request_too_large("the prompt has more than " + std::to_string(limits.max_prompt_tokens) +
                                     " tokens"));
  }
  int64_t hi = limits.vocab_size > 0 ? limits.vocab_size - 1 : std::numeric_limits<int32_t>::max();
  for (size_t i = 0; i < arr.size(); ++i) {
    Json one = Json::object({{"t", arr[i]}});
    std::string p = param + "[" + std::to_string(i) + "]";
    if (arr[i].is_null()) fail(ApiError::invalid_type(p, "an integer", "null"));
    req.prompt_tokens.push_back(static_cast<int32_t>(*get_integer(one, "t", p, 0, hi)));
  }
  req.prompt_is_tokens = true;
}

void read_prompt(const Json& body, const RequestLimits& limits, CompletionRequest& req) {
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) fail(ApiError::missing_parameter("prompt"));
  const Json& p = *it;
  if (p.is_string()) {
    req.prompt = p.get<std::string>();
  } else if (p.is_array()) {
    if (p.empty()) fail(ApiError::invalid_value("prompt", "empty array. Expected a prompt."));
    if (p[0].is_string()) {
      if (p.size() > 1) {
        fail(ApiError::unsupported_parameter("prompt", "a batch of prompts is not supported; send one prompt."));
      }
      req.prompt = p[0].get<std::string>();
    } else if (p[0].is_number()) {
      read_token_ids(p, "prompt", limits, req);
    } else if (p[0].is_array()) {
      if (p.size() > 1) {
        fail(ApiError::unsupported_parameter("prompt", "a batch of prompts is not supported; send one prompt."));
      }
      read_token_ids(p[0], "prompt[0]", limits, req);
    } else {
      fail(ApiError::invalid_type("prompt[0]", "a string, an integer or an array of integers", type_name(p[0])));
    }
  } else {
    fail(ApiError::invalid_type("prompt", "a string or an array", type_name(p)));
  }
  if (req.prompt.size() > limits.max_content_bytes) {
    fail(ApiError::request_too_large("the prompt is longer than " + std::to_string(limits.max_content_bytes) +
                                     " bytes"));
  }
}

CompletionRequest parse_completion(const Json& body, const RequestLimits& limits) {
  if (!body.is_object()) fail(ApiError::invalid_type("body", "an object", type_name(body)));
  if (json_depth(body) > kMaxRequestDepth) {
    fail(ApiError::invalid_json("nesting deeper than " + std::to_string(kMaxRequestDepth) + " levels"));
  }
  CompletionRequest req;
  req.model = get_string(body, "model", "model").value_or("");
  read_prompt(body, limits, req);

  SamplingFieldLimits sl{limits.max_tokens_cap, limits.vocab_size, limits.max_logit_bias, false};
  req.stop.max_tokens = kDefaultMaxTokens;
  read_sampling_fields(body, sl, req.sampling, req.stop);
  {
    OutputFormat format = read_output_format(body);
    req.sampling.grammar = std::move(format.grammar);
    req.format_warnings = std::move(format.warnings);
  }

  req.n = static_cast<int32_t>(get_integer(body, "n", "n", 1, limits.max_n).value_or(1));
  req.stream = get_bool(body, "stream", "stream").value_or(false);
  if (req.n > 1 && req.stream) fail(ApiError::invalid_value("n", "n > 1 is not supported together with stream."));
  if (const Json* so = get_object(body, "stream_options", "stream_options")) {
    if (!req.stream) fail(ApiError::invalid_value("stream_options", "only allowed when 'stream' is true."));
    req.include_usage = get_bool(*so, "include_usage", "stream_options.include_usage").value_or(false);
  }
  if (auto lp = get_integer(body, "logprobs", "logprobs", 0, 5)) req.sampling.logprobs = static_cast<int32_t>(*lp);
  if (get_bool(body, "echo", "echo").value_or(false)) {
    fail(ApiError::unsupported_parameter("echo", "echoing the prompt is not supported."));
  }
  if (auto suffix = get_string(body, "suffix", "suffix"); suffix && !suffix->empty()) {
    fail(ApiError::unsupported_parameter("suffix", "insertion with a suffix is not supported."));
  }
  if (get_integer(body, "best_of", "best_of", 1, 20).value_or(1) > 1) {
    fail(ApiError::unsupported_parameter("best_of", "best_of > 1 is not supported."));
  }
  req.user = get_string(body, "user", "user").value_or("");
  req.return_token_ids = get_bool(body, "return_token_ids", "return_token_ids").value_or(false);
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!completion_known_fields().count(it.key())) req.ignored_fields.push_back(it.key());
  }
  return req;
}

}  // namespace

ApiResult<CompletionRequest> parse_completion_request(const nlohmann::ordered_json& body, const RequestLimits& limits) {
  return parse_request<CompletionRequest>(parse_completion, body, limits);
}

ApiResult<CompletionRequest> parse_completion_request(const nlohmann::json& body, const RequestLimits& limits) {
  return parse_request<CompletionRequest>(parse_completion, body, limits);
}

ApiResult<CompletionRequest> parse_completion_request(std::string_view body, const RequestLimits& limits) {
  return parse_request<CompletionRequest>(parse_completion, body, limits);
}

}  // namespace lantern::api
