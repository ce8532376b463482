// Pieces every OpenAI response object shares: the id/created/model header,
// usage, finish reasons, per-token logprobs, and id generation. Ids and
// timestamps come from the caller (ResponseMeta), so tests can pin them.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::api {

enum class FinishReason {
  Stop,    // end of sequence token or a stop string
  Length,  // max_tokens or the context window reached
  Abort,   // interrupted by the caller (WebLLM's "abort"; OpenAI has no equivalent)
  ToolCalls,  // the reply ended (as Stop would) after calling functions
};
const char* finish_reason_name(FinishReason r);

struct ResponseMeta {
  std::string id;       // "chatcmpl-..." or "cmpl-..."
  int64_t created = 0;  // unix seconds
  std::string model;
  std::string system_fingerprint;  // written only when non-empty
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  nlohmann::ordered_json to_json() const;  // with total_tokens
};

struct TopLogprob {
  std::string token;  // raw token bytes (may be part of a UTF-8 character)
  float logprob;
};
struct TokenLogprobInfo {
  std::string token;
  float logprob;
  std::vector<TopLogprob> top;  // most likely first
};

// Deterministic for a given seed; the default constructor seeds from the OS.
class IdGenerator {
 public:
  IdGenerator();
  explicit IdGenerator(uint64_t seed) : state_(seed) {}
  // prefix + 24 characters of [A-Za-z0-9], e.g. "chatcmpl-Xa81..."
  std::string next(std::string_view prefix);

 private:
  uint64_t state_;
};

int64_t unix_time_now();
ResponseMeta new_response_meta(std::string_view prefix, std::string model, IdGenerator& ids, int64_t created);

// Text as it can go into JSON: invalid UTF-8 sequences become U+FFFD.
std::string valid_utf8(std::string_view s);
// A float logprob as a JSON-friendly double: shortest decimal form; -inf and
// NaN (a banned token) become -9999.0 as in OpenAI's responses.
double json_logprob(float lp);
// {"token", "logprob", "bytes"} for one token.
nlohmann::ordered_json token_logprob_json(std::string_view token, float logprob);

}  // namespace lantern::api
