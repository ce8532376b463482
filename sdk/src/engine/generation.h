// One completion as a step machine: each step() either submits a slice of
// the prompt (so long prompts report progress and can be interrupted) or
// takes one token, returns the text it completes and submits that token.
// On an asynchronous backend (WebGPU) a step may return `waiting` until the
// GPU's answer arrives; nothing blocks. Stop strings, EOG tokens, max_tokens
// and the context limit end it.
//
// Two ways to choose tokens: on the host from read-back logits (any sampling
// parameters), or, for plain greedy decoding on a backend that can, on the
// device with run-ahead: the chosen token stays in a device slot that the
// next pass reads, and up to kRunAhead passes are in flight before the host
// has read the first token (a token round trip costs more than a small
// model's whole step). Passes past a stop are simply dropped: the KV cache
// bookkeeping only ever counts tokens the host has seen.
#pragma once
#include <chrono>
#include <deque>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/response_common.h"
#include "backend/backend.h"
#include "grammar/token_mask.h"
#include "sampling/sampler.h"
#include "sampling/sampling_params.h"
#include "sampling/stop_matcher.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

class Engine;

// Why a generation ended: the API's reasons (a generation itself ends with
// Stop, Length or Abort; a run that called tools reports ToolCalls).
using api::FinishReason;

struct StepResult {
  bool waiting = false;        // the backend is still computing: call step() again once it may be done
  bool prefill = false;        // this step submitted prompt tokens only
  int32_t prompt_done = 0;     // prompt tokens evaluated so far
  std::optional<SampledToken> token;  // the token sampled in this step (the last one, after jump-forward)
  std::string text;            // text safe to show now (may be empty)
  std::optional<FinishReason> finish;  // set on the step that ended the generation
};

struct GenerationStats {
  int32_t prompt_tokens = 0;
  int32_t cached_tokens = 0;     // prompt tokens reused from the KV cache
  int32_t completion_tokens = 0;
  int32_t forced_tokens = 0;     // of those, taken by grammar jump-forward (no decode step of their own)
  double prefill_ms = 0;         // evaluating the prompt
  double decode_ms = 0;          // evaluating generated tokens
  double ttft_ms = 0;            // start to first token
  double prefill_tok_s() const;
  double decode_tok_s() const;
};

// Thrown when a prompt does not fit the context.
class ContextOverflow : public std::runtime_error {
 public:
  ContextOverflow(int32_t prompt, int32_t n_ctx);
  int32_t prompt_tokens, n_ctx;
};

class Generation {
 public:
  Generation(Engine& engine, std::vector<int32_t> prompt, const SamplingParams& sp, const StopParams& stop);
  StepResult step();
  bool done() const { return finish_.has_value(); }
  void interrupt();  // the next step() ends the generation with Interrupted
  std::optional<FinishReason> finish_reason() const { return finish_; }
  const std::vector<int32_t>& prompt() const { return prompt_; }
  const std::vector<int32_t>& tokens() const { return out_tokens_; }
  const std::string& text() const { return text_; }
  const GenerationStats& stats() const { return stats_; }

 private:
  // Passes in flight on device greedy. Chromium notices finished GPU work
  // on a timer (1-2.3 ms after it ends, ../shared/GPU.md), so a token reaches
  // the host several steps of a small model late: with 3 in flight the GPU
  // of an H200 sat idle 40% of a Qwen2.5-0.5B step; 6 keep it busy.
  static constexpr int kRunAhead = 6;
  StepResult finish(FinishReason r, StepResult res);
  void submit(const int32_t* tokens, int32_t n, bool prefill);
  StepResult step_prompt(StepResult res);
  StepResult step_host(StepResult res);
  StepResult step_device(StepResult res);
  // Emits one chosen token; returns true when it ends the generation (the
  // finish reason is then in res).
  bool take_token(const SampledToken& tok, StepResult& res);
  std::vector<int32_t> forced_tokens();
  bool room_for_more(int64_t extra) const;
  int32_t next_slot() { return slot_counter_++ % Backend::kTokenSlots; }

  Engine& engine_;
  std::vector<int32_t> prompt_;
  Sampler sampler_;
  // The output grammar (SamplingParams::grammar): a sampled token it refuses
  // is drawn again from the tokens it allows.
  std::unique_ptr<grammar::GrammarConstraint> grammar_;
  grammar::TokenBitmask mask_;
  StopMatcher stop_;
  Utf8Stream utf8_;
  std::optional<int32_t> max_tokens_;
  bool ignore_eos_;
  int32_t prompt_pos_;          // next prompt token to evaluate
  bool pending_ = false;        // a submitted pass whose logits have not arrived
  bool pending_prefill_ = false;
  std::chrono::steady_clock::time_point pending_since_;
  std::vector<float> logits_;   // a copy: sampling modifies it
  // Device greedy decoding with run-ahead.
  bool device_greedy_ = false;
  struct InFlight {
    int32_t slot;   // where the pass writes its argmax
    int32_t pos;    // position of the token the pass fed (KV written there)
    std::chrono::steady_clock::time_point submitted;
  };
  std::deque<InFlight> in_flight_;
  int32_t next_pos_ = 0;        // position the next pass feeds
  std::chrono::steady_clock::time_point t_first_token_;
  int32_t slot_counter_ = 0;
  std::vector<int32_t> out_tokens_;
  std::string text_;
  std::optional<FinishReason> finish_;
  bool interrupted_ = false;
  GenerationStats stats_;
  std::chrono::steady_clock::time_point t_start_;
};

}  // namespace lantern
