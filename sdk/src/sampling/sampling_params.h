// What a request asks of token selection. Defaults are OpenAI's where OpenAI
// has the parameter (temperature 1, top_p 1) and "off" for the rest.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lantern {

struct SamplingParams {
  float temperature = 1.0f;        // 0 = greedy (argmax of the raw logits)
  int32_t top_k = 0;               // 0 = off
  float top_p = 1.0f;              // 1 = off
  float min_p = 0.0f;              // 0 = off
  float repetition_penalty = 1.0f; // llama.cpp style: divide positive logits, multiply negative
  float frequency_penalty = 0.0f;  // OpenAI: minus count * f
  float presence_penalty = 0.0f;   // OpenAI: minus p once a token appeared
  int32_t penalty_last_n = 64;     // window of previous tokens the penalties look at (-1 = all)
  std::map<int32_t, float> logit_bias;  // added to the raw logit; -100 bans
  std::optional<uint64_t> seed;    // same seed, same output
  int32_t logprobs = -1;           // -1 = no logprobs; else 0..20 top alternatives per token
  // GBNF the output must be a sentence of (response_format, grammar, forced
  // tool calls; grammar/gbnf_parser.h); empty: free text.
  std::string grammar;
  // Control tokens the grammar writes by their text (a forced tool call's
  // "[TOOL_CALLS]"): only these of the control tokens can match it.
  std::vector<int32_t> grammar_tokens;
};

struct StopParams {
  std::vector<std::string> stop;   // matched across token boundaries, never emitted
  std::optional<int32_t> max_tokens;
  bool ignore_eos = false;
};

}  // namespace lantern
