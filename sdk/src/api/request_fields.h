// Typed, range-checked reads of request fields for the request parsers. Each
// failure throws ApiException with OpenAI's error shape naming the parameter
// path. A field that is absent or null reads as "not given" (nullopt), as in
// the OpenAI API.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "sampling/sampling_params.h"

namespace lantern::api::fields {

using Json = nlohmann::ordered_json;

// "a string", "an integer", "a number", "a boolean", "an object", "an array", "null".
std::string type_name(const Json& j);
[[noreturn]] void fail(ApiError e);

// The member `key` of object `obj`, or nullptr when absent or null.
const Json* find(const Json& obj, const char* key);

std::optional<std::string> get_string(const Json& obj, const char* key, const std::string& param);
std::optional<bool> get_bool(const Json& obj, const char* key, const std::string& param);
// Whole numbers only (5 and 5.0 pass, 5.5 does not); inclusive bounds.
std::optional<int64_t> get_integer(const Json& obj, const char* key, const std::string& param, int64_t lo, int64_t hi);
// Finite numbers; lo/hi inclusive unless the *_open flag is set.
std::optional<double> get_number(const Json& obj, const char* key, const std::string& param, double lo, double hi,
                                 bool lo_open = false, bool hi_open = false);
const Json* get_object(const Json& obj, const char* key, const std::string& param);
const Json* get_array(const Json& obj, const char* key, const std::string& param);

// The sampling and stop fields shared by chat and text completions:
// temperature, top_p, top_k, min_p, frequency_penalty, presence_penalty,
// repetition_penalty, logit_bias, seed, stop, max_tokens,
// max_completion_tokens (chat only), ignore_eos. vocab_size > 0 bounds the
// logit_bias token ids.
struct SamplingFieldLimits {
  int64_t max_tokens_cap;
  int32_t vocab_size;
  size_t max_logit_bias;
  bool allow_max_completion_tokens;
};
void read_sampling_fields(const Json& body, const SamplingFieldLimits& limits, SamplingParams& sampling,
                          StopParams& stop);

}  // namespace lantern::api::fields
