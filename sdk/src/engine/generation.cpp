#include "engine/generation.h"

#include <algorithm>

#include "engine/engine.h"

namespace lantern {

namespace {
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
}  // namespace

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::Stop: return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::Interrupted: return "abort";
    default: return "";
  }
}

double GenerationStats::prefill_tok_s() const {
  const int32_t n = prompt_tokens - cached_tokens;
  return prefill_ms > 0 ? n / (prefill_ms / 1000.0) : 0.0;
}

double GenerationStats::decode_tok_s() const {
  // The first token comes from the prefill; later ones from one decode step each.
  return decode_ms > 0 && completion_tokens > 1 ? (completion_tokens - 1) / (decode_ms / 1000.0) : 0.0;
}

ContextOverflow::ContextOverflow(int32_t prompt, int32_t ctx)
    : std::runtime_error("the prompt has " + std::to_string(prompt) + " tokens but the context holds " +
                         std::to_string(ctx) + " (at least one more is needed to generate)"),
      prompt_tokens(prompt),
      n_ctx(ctx) {}

Generation::Generation(Engine& engine, std::vector<int32_t> prompt, const SamplingParams& sp, const StopParams& stop)
    : engine_(engine),
      prompt_(std::move(prompt)),
      sampler_(sp, engine.config().n_vocab),
      stop_(stop.stop),
      max_tokens_(stop.max_tokens),
      ignore_eos_(stop.ignore_eos),
      t_start_(Clock::now()) {
  if (prompt_.empty()) throw std::invalid_argument("generation: the prompt has no tokens");
  if (static_cast<int32_t>(prompt_.size()) >= engine_.n_ctx())
    throw ContextOverflow(static_cast<int32_t>(prompt_.size()), engine_.n_ctx());
  if (max_tokens_ && *max_tokens_ < 0) throw std::invalid_argument("generation: max_tokens must not be negative");
  const int32_t n_vocab = engine_.config().n_vocab;
  for (int32_t t : prompt_)
    if (t < 0 || t >= n_vocab) throw std::invalid_argument("generation: token id " + std::to_string(t) + " is outside the vocabulary");
  prompt_pos_ = engine_.kv().reuse_prefix(prompt_);
  stats_.prompt_tokens = static_cast<int32_t>(prompt_.size());
  stats_.cached_tokens = prompt_pos_;
  for (int32_t t : prompt_) sampler_.accept(t);
}

void Generation::interrupt() { interrupted_ = true; }

void Generation::submit(const int32_t* tokens, int32_t n, bool prefill) {
  KvCache& kv = engine_.kv();
  pending_since_ = Clock::now();  // a synchronous backend computes inside submit
  engine_.model().submit(tokens, n, kv.size());
  kv.append(tokens, n);
  pending_ = true;
  pending_prefill_ = prefill;
}

StepResult Generation::finish(FinishReason r, StepResult res) {
  finish_ = r;
  res.finish = r;
  if (r != FinishReason::Stop || !stop_.stopped()) {
    std::string tail = utf8_.flush();
    tail = stop_.push(tail).emit + stop_.flush();
    res.text += tail;
    text_ += tail;
  }
  return res;
}

StepResult Generation::step() {
  StepResult res;
  res.prompt_done = prompt_pos_;
  if (done()) {
    res.finish = finish_;
    return res;
  }
  if (interrupted_) return finish(FinishReason::Interrupted, res);

  if (pending_) {
    if (!engine_.model().logits_ready()) {
      res.waiting = true;
      return res;
    }
    pending_ = false;
    (pending_prefill_ ? stats_.prefill_ms : stats_.decode_ms) += ms(pending_since_, Clock::now());
  }

  // Prompt evaluation, a batch at a time.
  const int32_t n_prompt = static_cast<int32_t>(prompt_.size());
  if (prompt_pos_ < n_prompt) {
    const int32_t n = std::min(n_prompt - prompt_pos_, engine_.model().max_batch());
    submit(&prompt_[prompt_pos_], n, /*prefill=*/true);
    prompt_pos_ += n;
    res.prefill = true;
    res.prompt_done = prompt_pos_;
    return res;
  }

  if (max_tokens_ && static_cast<int32_t>(out_tokens_.size()) >= *max_tokens_) return finish(FinishReason::Length, res);

  // Sample from the logits of the last evaluated token.
  logits_.assign(engine_.model().logits(), engine_.model().logits() + engine_.config().n_vocab);
  SampledToken tok = sampler_.sample(logits_.data(), static_cast<int32_t>(logits_.size()));
  if (out_tokens_.empty()) stats_.ttft_ms = ms(t_start_, Clock::now());
  res.token = tok;
  const Tokenizer& tk = engine_.tokenizer();
  if (!ignore_eos_ && tk.is_eog(tok.token)) return finish(FinishReason::Stop, res);

  out_tokens_.push_back(tok.token);
  stats_.completion_tokens = static_cast<int32_t>(out_tokens_.size());
  sampler_.accept(tok.token);
  const StopMatcher::Result sm = stop_.push(utf8_.push(tk.token_to_piece(tok.token)));
  res.text = sm.emit;
  text_ += sm.emit;
  if (sm.stopped) return finish(FinishReason::Stop, res);
  if (max_tokens_ && static_cast<int32_t>(out_tokens_.size()) >= *max_tokens_) return finish(FinishReason::Length, res);
  if (engine_.kv().size() >= engine_.n_ctx()) return finish(FinishReason::Length, res);

  // Submit the new token so the next step can sample.
  submit(&tok.token, 1, /*prefill=*/false);
  return res;
}

}  // namespace lantern
