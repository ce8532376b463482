// One OpenAI request (chat.completions or completions) run on an engine as a
// step machine: the JSON body is validated (an OpenAI-shaped error object
// otherwise), the chat template renders the messages, each of the n choices
// is generated in turn, and every step hands back the stream chunks it
// produced. Non-streamed requests get the whole response object at the end.
// This is what the browser worker and the CLI call; nothing here blocks.
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api_error.h"
#include "api/response_common.h"
#include "chat/tool_call_parser.h"
#include "engine/generation.h"

namespace lantern {

class Engine;

class CompletionRun {
 public:
  enum class Kind { Chat, Completion };

  // The run, or the error to answer with (bad JSON shape, context overflow...).
  static api::ApiResult<std::unique_ptr<CompletionRun>> start(Engine& engine, Kind kind,
                                                             const nlohmann::ordered_json& body,
                                                             api::IdGenerator& ids);

  struct Step {
    bool waiting = false;                        // the GPU is busy: step again when it may be done
    bool prefill = false;                        // prompt tokens were submitted
    std::vector<nlohmann::ordered_json> chunks;  // stream chunks, in order (stream: true)
  };
  Step step();
  bool done() const { return done_; }
  void interrupt();
  // The chat.completion / text_completion object (stream: false), once done.
  const nlohmann::ordered_json& response() const { return response_; }
  // Prompt tokens, every choice's tokens and timings, for tools and tests.
  const std::vector<int32_t>& prompt_tokens() const { return prompt_; }
  const std::vector<std::vector<int32_t>>& choice_tokens() const { return choice_tokens_; }
  const GenerationStats& stats() const { return stats_; }
  // What the chat template's render warned of (no template: a plain fallback), "" if nothing.
  const std::string& template_warning() const { return template_warning_; }
  nlohmann::ordered_json usage_json() const;  // OpenAI usage plus WebLLM-style "extra" timings

 private:
  CompletionRun(Engine& engine, Kind kind, api::ResponseMeta meta);
  void begin_choice();
  void end_choice(Step& out);
  // Chat text through the tool-call parser (when the request has tools):
  // stream chunks for its events; logprobs go on the first chunk.
  void tool_events(const std::vector<ToolCallEvent>& events, std::vector<api::TokenLogprobInfo>* lps, Step& out);

  Engine& engine_;
  Kind kind_;
  api::ResponseMeta meta_;
  std::vector<int32_t> prompt_;
  std::string template_warning_;
  SamplingParams sampling_;
  StopParams stop_;
  int32_t n_ = 1;
  bool stream_ = false, include_usage_ = false, want_logprobs_ = false, return_token_ids_ = false;
  int32_t choice_ = 0;
  std::unique_ptr<Generation> gen_;
  // Tool calls (chat requests with tools and tool_choice other than "none").
  const ToolCallSyntax* tool_syntax_ = nullptr;
  size_t max_tool_calls_ = SIZE_MAX;
  std::map<int32_t, std::string> marker_tokens_;  // control tokens of the call syntax -> their text
  api::IdGenerator call_ids_{0};
  std::unique_ptr<ToolCallStreamParser> tool_parser_;
  std::vector<ParsedToolCalls> choice_parsed_;
  bool sent_role_ = false, done_ = false, interrupted_ = false;
  // Per choice.
  std::vector<std::vector<int32_t>> choice_tokens_;
  std::vector<std::string> choice_text_;
  std::vector<api::FinishReason> choice_finish_;
  std::vector<std::vector<api::TokenLogprobInfo>> choice_logprobs_;
  int64_t completion_tokens_ = 0;
  GenerationStats stats_;  // of the first choice (timings), counts summed
  nlohmann::ordered_json response_;
};

}  // namespace lantern
