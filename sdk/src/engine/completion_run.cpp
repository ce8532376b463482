#include "engine/completion_run.h"

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "api/completion_request.h"
#include "api/completion_response.h"
#include "engine/chat_prompt.h"
#include "engine/engine.h"
#include "engine/tool_call_grammar.h"
#include "engine/tool_call_plan.h"

namespace lantern {

using json = nlohmann::ordered_json;

namespace {
// A seed for call ids from the response id: ids differ between responses
// and repeat when a test pins the response id generator.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

CompletionRun::CompletionRun(Engine& engine, Kind kind, api::ResponseMeta meta)
    : engine_(engine), kind_(kind), meta_(std::move(meta)) {}

api::ApiResult<std::unique_ptr<CompletionRun>> CompletionRun::start(Engine& engine, Kind kind, const json& body,
                                                                    api::IdGenerator& ids) {
  api::RequestLimits limits;
  limits.vocab_size = engine.config().n_vocab;
  const std::string model_name = engine.config().name;
  std::unique_ptr<CompletionRun> run;
  if (kind == Kind::Chat) {
    auto req = api::parse_chat_completion_request(body, limits);
    if (!req) return req.error();
    const auto& r = req.value();
    run.reset(new CompletionRun(engine, kind, api::new_response_meta("chatcmpl-", r.model.empty() ? model_name : r.model, ids, api::unix_time_now())));
    const Tokenizer& tk = engine.tokenizer();
    const ToolCallPlan plan =
        plan_tool_calls(engine.chat_template(), [&tk](std::string_view t) { return tk.find_token(t) >= 0; }, r);
    ChatRenderOptions ro;
    if (!plan.tools.is_null()) ro.tools = plan.tools;
    // Message content is text: only the template's own text yields special tokens.
    ChatPrompt p = build_chat_prompt(engine.chat_template(), engine.tokenizer(), r.messages, ro, r.parse_special_in_content,
                                     plan.adapter());
    run->prompt_ = std::move(p.tokens);
    run->template_warning_ = std::move(p.rendered.warning);
    if (plan.parse_output) {
      run->tool_syntax_ = plan.syntax;
      run->max_tool_calls_ = plan.max_calls;
      run->call_ids_ = api::IdGenerator(fnv1a(run->meta_.id));
      // Generation shows control tokens as "": a call opener that is one
      // ("[TOOL_CALLS]", "<|python_tag|>") is given to the parser as text.
      for (const std::string& m : plan.syntax->marker_tokens) {
        const int32_t id = tk.find_token(m);
        if (id >= 0 && tk.token_to_piece(id, false).empty()) run->marker_tokens_[id] = m;
      }
    }
    run->sampling_ = r.sampling;
    // tool_choice "required" or a named function: a grammar of the call.
    try {
      if (auto tg = tool_call_grammar(plan)) {
        if (!run->sampling_.grammar.empty()) {
          return api::ApiError::invalid_value("tool_choice", "a forced tool call cannot be combined with a response_format or grammar that constrains the output.");
        }
        run->sampling_.grammar = std::move(tg->gbnf);
        for (const std::string& m : tg->marker_texts) {
          const int32_t id = tk.find_token(m);
          if (id >= 0 && tk.token_to_piece(id, false).empty()) run->sampling_.grammar_tokens.push_back(id);
        }
      }
    } catch (const grammar::GrammarError& e) {
      return api::ApiError::invalid_value("tools", e.what());
    }
    run->stop_ = r.stop;
    run->n_ = r.n;
    run->stream_ = r.stream;
    run->include_usage_ = r.include_usage;
    run->want_logprobs_ = r.logprobs;
    run->return_token_ids_ = r.return_token_ids;
  } else {
    auto req = api::parse_completion_request(body, limits);
    if (!req) return req.error();
    const auto& r = req.value();
    run.reset(new CompletionRun(engine, kind, api::new_response_meta("cmpl-", r.model.empty() ? model_name : r.model, ids, api::unix_time_now())));
    // A raw prompt is the caller's own text, written in the model's format:
    // special-token texts in it ("<|im_start|>") are those tokens, as
    // llama-server and vLLM tokenize /v1/completions prompts. A caller that
    // pastes someone else's text into it must escape that text (or use
    // chat.completions, whose message content never yields special tokens).
    run->prompt_ = r.prompt_is_tokens ? r.prompt_tokens
                                      : engine.tokenizer().encode(r.prompt, true, /*parse_special=*/true);
    run->sampling_ = r.sampling;
    run->stop_ = r.stop;
    run->n_ = r.n;
    run->stream_ = r.stream;
    run->include_usage_ = r.include_usage;
    run->want_logprobs_ = r.sampling.logprobs >= 0;
    run->return_token_ids_ = r.return_token_ids;
  }
  // OpenAI's rule: the prompt and the completion must fit the context.
  const int64_t n_ctx = engine.n_ctx(), n_prompt = static_cast<int64_t>(run->prompt_.size());
  if (run->prompt_.empty()) return api::ApiError::invalid_value(kind == Kind::Chat ? "messages" : "prompt", "the prompt has no tokens");
  if (n_prompt >= n_ctx || (run->stop_.max_tokens && n_prompt + *run->stop_.max_tokens > n_ctx))
    return api::ApiError::context_length_exceeded(n_ctx, n_prompt, run->stop_.max_tokens.value_or(0));
  run->choice_tokens_.resize(run->n_);
  run->choice_text_.resize(run->n_);
  run->choice_finish_.resize(run->n_, api::FinishReason::Stop);
  run->choice_logprobs_.resize(run->n_);
  run->choice_parsed_.resize(run->n_);
  run->begin_choice();
  return run;
}

void CompletionRun::begin_choice() {
  SamplingParams sp = sampling_;
  // Choices of one request differ: each draws from its own seed.
  if (sp.seed && choice_ > 0) sp.seed = *sp.seed + static_cast<uint64_t>(choice_);
  else if (!sp.seed && choice_ > 0) sp.seed = 0x5EED5EEDull + static_cast<uint64_t>(choice_);
  gen_ = std::make_unique<Generation>(engine_, prompt_, sp, stop_);
  if (interrupted_) gen_->interrupt();
  if (tool_syntax_) {
    ToolCallParserOptions po;
    po.max_calls = max_tool_calls_;
    po.make_id = [this](size_t) { return tool_call_id(*tool_syntax_, call_ids_.next("")); };
    tool_parser_ = std::make_unique<ToolCallStreamParser>(*tool_syntax_, std::move(po));
  }
}

void CompletionRun::interrupt() {
  interrupted_ = true;
  if (gen_) gen_->interrupt();
}

json CompletionRun::usage_json() const {
  api::Usage u;
  u.prompt_tokens = static_cast<int64_t>(prompt_.size());
  u.completion_tokens = completion_tokens_;
  json j = u.to_json();
  j["extra"] = {{"prefill_tokens_per_s", stats_.prefill_tok_s()},
                {"decode_tokens_per_s", stats_.decode_tok_s()},
                {"time_to_first_token_s", stats_.ttft_ms / 1000.0},
                {"cached_prompt_tokens", stats_.cached_tokens},
                {"grammar_forced_tokens", stats_.forced_tokens},
                {"backend", engine_.backend().name()}};
  return j;
}

void CompletionRun::tool_events(const std::vector<ToolCallEvent>& events, std::vector<api::TokenLogprobInfo>* lps,
                                Step& out) {
  apply_tool_call_events(events, choice_parsed_[choice_]);
  if (!stream_) return;
  for (json& c : api::chat_chunks_for_tool_events(meta_, choice_, events, lps, include_usage_))
    out.chunks.push_back(std::move(c));
}

void CompletionRun::end_choice(Step& out) {
  const int32_t i = choice_;
  choice_finish_[i] = gen_->finish_reason().value_or(api::FinishReason::Stop);
  if (tool_parser_) {
    tool_events(tool_parser_->finish(), nullptr, out);
    tool_parser_.reset();
    // OpenAI ends a reply that called functions with "tool_calls".
    if (!choice_parsed_[i].calls.empty() && choice_finish_[i] == api::FinishReason::Stop)
      choice_finish_[i] = api::FinishReason::ToolCalls;
  }
  choice_tokens_[i] = gen_->tokens();
  completion_tokens_ += static_cast<int64_t>(gen_->tokens().size());
  if (i == 0) stats_ = gen_->stats();
  if (stream_) {
    if (kind_ == Kind::Chat) out.chunks.push_back(api::chat_chunk_finish(meta_, i, choice_finish_[i], include_usage_));
    else out.chunks.push_back(api::completion_chunk(meta_, i, "", json(nullptr), choice_finish_[i], include_usage_));
    if (return_token_ids_) {
      out.chunks.back()["prompt_token_ids"] = prompt_;
      out.chunks.back()["choices"][0]["token_ids"] = choice_tokens_[i];
    }
  }
  gen_.reset();
  if (++choice_ < n_) {
    begin_choice();
    return;
  }
  done_ = true;
  if (stream_) {
    if (include_usage_) {
      json usage = kind_ == Kind::Chat ? api::chat_chunk_usage(meta_, api::Usage{}) : api::completion_chunk_usage(meta_, api::Usage{});
      usage["usage"] = usage_json();
      out.chunks.push_back(std::move(usage));
    }
    return;
  }
  if (kind_ == Kind::Chat) {
    std::vector<api::ChatChoice> choices;
    for (int32_t c = 0; c < n_; ++c) {
      api::ChatChoice ch{c, choice_text_[c], choice_finish_[c], std::nullopt, {}};
      if (want_logprobs_) ch.logprobs = choice_logprobs_[c];
      if (tool_syntax_) {
        ch.content = choice_parsed_[c].content;
        ch.tool_calls = choice_parsed_[c].calls;
      }
      choices.push_back(std::move(ch));
    }
    response_ = api::chat_completion_json(meta_, choices, api::Usage{});
  } else {
    std::vector<api::CompletionChoice> choices;
    for (int32_t c = 0; c < n_; ++c) {
      api::CompletionChoice ch{c, choice_text_[c], choice_finish_[c], std::nullopt};
      if (want_logprobs_) ch.logprobs = choice_logprobs_[c];
      choices.push_back(std::move(ch));
    }
    response_ = api::completion_json(meta_, choices, api::Usage{});
  }
  response_["usage"] = usage_json();
  if (return_token_ids_) {
    response_["prompt_token_ids"] = prompt_;
    for (int32_t c = 0; c < n_; ++c) response_["choices"][c]["token_ids"] = choice_tokens_[c];
  }
}

CompletionRun::Step CompletionRun::step() {
  Step out;
  if (done_) return out;
  if (stream_ && !sent_role_ && kind_ == Kind::Chat) {
    out.chunks.push_back(api::chat_chunk_role(meta_, choice_, include_usage_));
    sent_role_ = true;
  }
  const StepResult r = gen_->step();
  out.waiting = r.waiting;
  out.prefill = r.prefill;
  const int32_t i = choice_;
  std::vector<api::TokenLogprobInfo> lps;
  if (r.token && want_logprobs_ && r.token->token >= 0) {
    const Tokenizer& tk = engine_.tokenizer();
    api::TokenLogprobInfo info{tk.token_to_piece(r.token->token, true), r.token->logprob, {}};
    for (const auto& t : r.token->top) info.top.push_back({tk.token_to_piece(t.token, true), t.logprob});
    lps.push_back(info);
    choice_logprobs_[i].push_back(info);
  }
  if (tool_parser_) {
    std::string text = r.text;
    if (r.token) {
      if (auto m = marker_tokens_.find(r.token->token); m != marker_tokens_.end()) text += m->second;
    }
    choice_text_[i] += text;
    tool_events(tool_parser_->push(text), want_logprobs_ && !lps.empty() ? &lps : nullptr, out);
  } else if (!r.text.empty() || !lps.empty()) {
    choice_text_[i] += r.text;
    if (stream_) {
      if (kind_ == Kind::Chat) out.chunks.push_back(api::chat_chunk_content(meta_, i, r.text, want_logprobs_ ? &lps : nullptr, include_usage_));
      else out.chunks.push_back(api::completion_chunk(meta_, i, r.text, want_logprobs_ ? api::completion_logprobs_json(lps) : json(nullptr),
                                                      std::nullopt, include_usage_));
    }
  }
  if (gen_->done()) end_choice(out);
  return out;
}

}  // namespace lantern
