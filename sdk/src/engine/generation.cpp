#include "engine/generation.h"

#include <algorithm>
#include <limits>

#include "engine/engine.h"

namespace lantern {

namespace {
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
}  // namespace


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
  // Greedy with nothing that needs the logits on the host: choose on the device.
  if (!sp.grammar.empty()) grammar_ = std::make_unique<grammar::GrammarConstraint>(engine_.grammars().get(sp.grammar, sp.grammar_tokens));
  device_greedy_ = engine_.backend().supports_device_argmax() && !grammar_ && sp.temperature == 0.0f && sp.logit_bias.empty() &&
                   sp.logprobs < 0 && sp.repetition_penalty == 1.0f && sp.frequency_penalty == 0.0f &&
                   sp.presence_penalty == 0.0f;
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
  // Passes still in flight (run-ahead past the end) are dropped.
  for (const InFlight& f : in_flight_) engine_.backend().token_read_cancel(f.slot);
  in_flight_.clear();
  return res;
}

bool Generation::room_for_more(int64_t extra) const {
  // Another token may follow the `extra` ones already chosen or in flight.
  if (max_tokens_ && static_cast<int64_t>(out_tokens_.size()) + extra >= *max_tokens_) return false;
  return true;
}

bool Generation::take_token(const SampledToken& tok, StepResult& res) {
  if (out_tokens_.empty()) stats_.ttft_ms = ms(t_start_, Clock::now());
  res.token = tok;
  const Tokenizer& tk = engine_.tokenizer();
  if (tok.token < 0 || tok.token >= engine_.config().n_vocab)
    throw std::runtime_error("generation: the backend chose token " + std::to_string(tok.token) + ", outside the vocabulary");
  if (!ignore_eos_ && tk.is_eog(tok.token)) {
    res = finish(FinishReason::Stop, res);
    return true;
  }
  out_tokens_.push_back(tok.token);
  stats_.completion_tokens = static_cast<int32_t>(out_tokens_.size());
  sampler_.accept(tok.token);
  if (grammar_ && !grammar_->accept(tok.token))
    throw std::logic_error("generation: token " + std::to_string(tok.token) + " was taken though the grammar refuses it");
  const StopMatcher::Result sm = stop_.push(utf8_.push(tk.token_to_piece(tok.token)));
  res.text += sm.emit;  // jump-forward takes several tokens in one step
  text_ += sm.emit;
  std::optional<FinishReason> why;
  if (sm.stopped || (grammar_ && grammar_->finished())) why = FinishReason::Stop;
  else if (!room_for_more(0)) why = FinishReason::Length;
  else if (engine_.kv().size() >= engine_.n_ctx()) why = FinishReason::Length;
  if (!why) return false;
  res = finish(*why, res);
  return true;
}

StepResult Generation::step() {
  StepResult res;
  res.prompt_done = prompt_pos_;
  if (done()) {
    res.finish = finish_;
    return res;
  }
  if (interrupted_) return finish(FinishReason::Abort, res);
  // A mapped model file that shrank since the last step made the passes read
  // zeros in place of weights: fail before their results are used.
  engine_.check_source();
  if (device_greedy_ && !in_flight_.empty()) return step_device(res);

  if (pending_) {
    if (!engine_.model().logits_ready()) {
      res.waiting = true;
      return res;
    }
    pending_ = false;
    (pending_prefill_ ? stats_.prefill_ms : stats_.decode_ms) += ms(pending_since_, Clock::now());
  }
  if (prompt_pos_ < static_cast<int32_t>(prompt_.size())) return step_prompt(res);
  if (!room_for_more(0)) return finish(FinishReason::Length, res);
  return step_host(res);
}

// Submits the next slice of the prompt. The last slice also chooses the
// first token: its logits are read back (host sampling) or its argmax goes
// to a device slot (device greedy).
StepResult Generation::step_prompt(StepResult res) {
  const int32_t n_prompt = static_cast<int32_t>(prompt_.size());
  const int32_t n = std::min(n_prompt - prompt_pos_, engine_.model().max_batch());
  const bool last = prompt_pos_ + n == n_prompt;
  KvCache& kv = engine_.kv();
  if (last && device_greedy_ && room_for_more(0)) {
    const int32_t slot = next_slot();
    pending_since_ = Clock::now();
    engine_.model().submit(&prompt_[prompt_pos_], n, kv.size(), LlamaModel::Output::Argmax, slot);
    kv.append(&prompt_[prompt_pos_], n);
    in_flight_.push_back({slot, -1, pending_since_});
    next_pos_ = kv.size();
  } else if (last) {
    submit(&prompt_[prompt_pos_], n, /*prefill=*/true);
  } else {
    // Middle slices need no output; the last slice's readback waits for them.
    pending_since_ = Clock::now();
    engine_.model().submit(&prompt_[prompt_pos_], n, kv.size(), LlamaModel::Output::None);
    kv.append(&prompt_[prompt_pos_], n);
    pending_ = true;
    pending_prefill_ = true;
  }
  prompt_pos_ += n;
  res.prefill = true;
  res.prompt_done = prompt_pos_;
  return res;
}

// Host sampling from the read-back logits of the last pass.
StepResult Generation::step_host(StepResult res) {
  logits_.assign(engine_.model().logits(), engine_.model().logits() + engine_.config().n_vocab);
  const int32_t n_vocab = static_cast<int32_t>(logits_.size());
  SampledToken tok = sampler_.sample(logits_.data(), n_vocab);
  if (grammar_ && !grammar_->allows(tok.token)) {
    // Refused: draw again among the tokens the grammar allows. Taking the
    // first draw whenever it fits keeps the distribution the model's own
    // restricted to those tokens, and skips the mask on most steps.
    if (grammar_->fill_mask(mask_) == 0)
      throw std::runtime_error("grammar: no token of the vocabulary can continue the output");
    logits_.assign(engine_.model().logits(), engine_.model().logits() + n_vocab);
    for (int32_t t = 0; t < n_vocab; ++t)
      if (t >= grammar_->compiled().trie().n_vocab() || !grammar::mask_has(mask_, t)) logits_[static_cast<size_t>(t)] = -std::numeric_limits<float>::infinity();
    tok = sampler_.sample(logits_.data(), n_vocab);
  }
  if (take_token(tok, res)) return res;
  std::vector<int32_t> feed{tok.token};
  if (grammar_ && sampler_.params().logprobs < 0) {
    // Jump-forward: bytes the grammar forces ({"name": ", closing brackets)
    // are taken as tokens without a decode step each, and go into the next
    // pass together with the sampled token.
    for (int32_t t : forced_tokens()) {
      SampledToken forced;
      forced.token = t;
      if (take_token(forced, res)) return res;
      feed.push_back(t);
      ++stats_.forced_tokens;
    }
  }
  submit(feed.data(), static_cast<int32_t>(feed.size()), /*prefill=*/false);  // the next step samples from its logits
  return res;
}

// The grammar's forced bytes as the tokenizer writes them, or nothing when
// its tokens would not spell exactly those bytes (a SentencePiece space
// prefix, say) or some token is not allowed.
std::vector<int32_t> Generation::forced_tokens() {
  const std::string forced = grammar_->forced_bytes();
  if (forced.empty()) return {};
  const Tokenizer& tk = engine_.tokenizer();
  std::vector<int32_t> ids = tk.encode(forced, /*add_special=*/false, /*parse_special=*/false);
  std::string spelled;
  for (int32_t id : ids) spelled += tk.token_to_piece(id);
  if (spelled != forced) return {};
  const int64_t room = max_tokens_ ? *max_tokens_ - static_cast<int64_t>(out_tokens_.size()) : INT64_MAX;
  const int64_t ctx_room = engine_.n_ctx() - engine_.kv().size() - 1;
  if (static_cast<int64_t>(ids.size()) > std::min(room, ctx_room)) return {};
  return ids;
}

// Device greedy: keep kRunAhead passes in flight, then take the oldest
// pass's token once it has been read back.
StepResult Generation::step_device(StepResult res) {
  LlamaModel& model = engine_.model();
  while (static_cast<int>(in_flight_.size()) < kRunAhead && room_for_more(static_cast<int64_t>(in_flight_.size())) &&
         next_pos_ < engine_.n_ctx()) {
    const int32_t slot = next_slot();
    model.submit_from_slot(in_flight_.back().slot, next_pos_, slot);
    in_flight_.push_back({slot, next_pos_, Clock::now()});
    ++next_pos_;
  }
  const InFlight oldest = in_flight_.front();
  const int32_t token = engine_.backend().token_read_poll(oldest.slot);
  if (token < 0) {
    res.waiting = true;
    return res;
  }
  in_flight_.pop_front();
  // Throughput with passes overlapping: prefill up to the first token, decode
  // from the first token to the last.
  const auto now = Clock::now();
  if (oldest.pos < 0) stats_.prefill_ms += ms(oldest.submitted, now);
  else stats_.decode_ms = ms(t_first_token_, now);
  if (oldest.pos < 0) t_first_token_ = now;
  SampledToken tok;
  tok.token = token;
  if (take_token(tok, res)) return res;
  if (in_flight_.empty()) {
    // Nothing ran ahead of this token (the context or max_tokens held the
    // passes back): feed it now.
    const int32_t slot = next_slot();
    model.submit_from_slot(oldest.slot, next_pos_, slot);
    in_flight_.push_back({slot, next_pos_, Clock::now()});
    ++next_pos_;
  }
  // A pass fed this token: its keys and values are (or will be) in the cache.
  engine_.kv().append(&token, 1);
  return res;
}

}  // namespace lantern
