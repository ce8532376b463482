// Chooses the next token from a row of logits, as a request's SamplingParams
// say. The pipeline order follows llama.cpp's common sampler: logit bias,
// penalties, then greedy argmax (temperature 0) or top-k -> top-p -> min-p ->
// temperature -> draw. Logprobs describe the model's distribution after bias
// and penalties, before truncation and temperature (what OpenAI reports).
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "sampling/sampling_params.h"

namespace lantern {

struct TokenLogprob {
  int32_t token;
  float logprob;
};

struct SampledToken {
  int32_t token = -1;
  float logprob = 0.0f;                // of the chosen token (when logprobs were asked)
  std::vector<TokenLogprob> top;       // top_logprobs alternatives, most likely first
};

// Deterministic on every platform (the browser build must draw the same
// numbers as the native one): splitmix64-seeded xoshiro256**.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0x9E3779B97F4A7C15ull);
  uint64_t next();
  double uniform();  // [0, 1) with 53 random bits

 private:
  uint64_t s_[4];
};

class Sampler {
 public:
  // Throws std::invalid_argument for out-of-range parameters (the API layer
  // validates first; this is the engine's own guard).
  Sampler(const SamplingParams& params, int32_t n_vocab);

  // logits is modified in place (bias, penalties). History: every token of the
  // context so far, prompt included (penalties look at the last penalty_last_n).
  SampledToken sample(float* logits, int32_t n_vocab);
  void accept(int32_t token);  // a token joined the context
  void reset_history();
  const SamplingParams& params() const { return params_; }
  // The first stage of sample() alone: logit bias and penalties, in place.
  void apply_bias_and_penalties(float* logits, int32_t n_vocab) const;

 private:

  SamplingParams params_;
  int32_t n_vocab_;
  Rng rng_;
  std::deque<int32_t> window_;                 // last penalty_last_n tokens
  std::unordered_map<int32_t, int32_t> counts_; // counts over the window
  std::vector<int32_t> scratch_ids_;
  std::vector<float> scratch_p_;
};

}  // namespace lantern
