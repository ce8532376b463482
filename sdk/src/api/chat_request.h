// POST /v1/chat/completions: the request, validated. Every field is checked
// for JSON type and range and lands in SamplingParams / StopParams; any
// problem becomes an OpenAI-shaped ApiError naming the parameter, never an
// exception or a crash, whatever the JSON.
//
// Choices made where OpenAI leaves room:
//  - Unknown top-level keys are ignored (as OpenAI does for forward
//    compatibility); their names are listed in ignored_fields for logging.
//  - "model" is optional: the engine serves the model it has loaded.
//  - Content may be a string or an array of {"type": "text", "text": ...}
//    parts, joined with "\n" (as llama.cpp does); other part types are
//    refused as unsupported.
//  - "developer" is accepted as a synonym of "system".
//  - Assistant tool_calls and tools are passed to the chat template; a
//    function's "arguments" string that holds a JSON object is given to the
//    template as that object (the Hugging Face convention templates expect).
//    Tool calls in the output are parsed into message.tool_calls
//    (engine/tool_call_plan.h says how each model's format is found).
//  - tool_choice: "auto" (the default), "none", "required" or
//    {"type": "function", "function": {"name": ...}} naming one of tools.
//    "none" follows OpenAI's "the model will not call any function": the
//    tool definitions are left out of the prompt (a model cannot be tempted
//    by functions it never sees; earlier tool calls and results in the
//    conversation still render) and the output is not parsed for calls.
//    "required" and a named function must come with tools; they are read
//    here and enforced by a grammar of the call (engine/tool_call_grammar.h).
//  - parallel_tool_calls (default true): false keeps only the first call of
//    a reply and asks the model, where Lantern writes the instruction, for
//    one call at a time.
//  - response_format (json_object, json_schema, WebLLM's schema string and
//    grammar type) and a top-level GBNF `grammar` constrain the output
//    (api/output_format.h): they land in sampling.grammar.
//  - ignore_eos, top_k, min_p and repetition_penalty are accepted extensions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/request_limits.h"
#include "chat/chat_message.h"
#include "sampling/sampling_params.h"

namespace lantern::api {

struct ToolChoice {
  enum class Mode { Auto, None, Required, Function };
  Mode mode = Mode::Auto;
  std::string function;  // Mode::Function: the name, one of the request's tools
};

struct ChatCompletionRequest {
  std::string model;  // empty when not given
  std::vector<ChatMessage> messages;
  SamplingParams sampling;  // sampling.logprobs: -1, or top_logprobs when logprobs is true
  StopParams stop;
  int32_t n = 1;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool logprobs = false;
  int32_t top_logprobs = 0;
  // Keywords of a `strict: false` schema that are not enforced.
  std::vector<std::string> format_warnings;
  nlohmann::ordered_json tools;  // array, or null when none were given
  ToolChoice tool_choice;
  bool parallel_tool_calls = true;
  std::string user;
  // Lantern extension (vLLM's name): the response carries prompt_token_ids
  // and each choice its token_ids (streamed: on the choice's finish chunk).
  bool return_token_ids = false;
  // Lantern extension: message content is text, and special-token texts in
  // it ("<|im_end|>", "<|end|>") stay text; only the chat template's own
  // text yields control tokens (engine/chat_prompt.h). true tokenizes the
  // whole rendered prompt with special parsing, content included, as
  // before: only for callers whose messages are all their own.
  bool parse_special_in_content = false;
  std::vector<std::string> ignored_fields;
};

ApiResult<ChatCompletionRequest> parse_chat_completion_request(const nlohmann::ordered_json& body,
                                                               const RequestLimits& limits = {});
ApiResult<ChatCompletionRequest> parse_chat_completion_request(const nlohmann::json& body,
                                                               const RequestLimits& limits = {});
// From the raw HTTP body (parse_json_body first).
ApiResult<ChatCompletionRequest> parse_chat_completion_request(std::string_view body,
                                                               const RequestLimits& limits = {});

}  // namespace lantern::api
