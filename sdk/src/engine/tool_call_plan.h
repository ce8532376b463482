// What a chat request's tools mean for one model: the call format it writes
// (from its template and vocabulary), how the conversation reaches its
// template (tool_template_support.h), and whether and how the output is
// parsed for calls (tool_call_parser.h).
//
// This is also where a grammar that forces calls gets everything it needs:
// the syntax (syntax->list_open / call_open / name_key / arguments_key /
// list_separator / call_close / list_close, marker_tokens), the choice
// (required, or one named function), whether several calls may follow one
// another (parallel), and the tools with their parameter schemas.
#pragma once
#include <cstddef>
#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/chat_request.h"
#include "chat/tool_call_format.h"
#include "chat/tool_template_support.h"
#include "engine/chat_prompt.h"

namespace lantern {

class ChatTemplate;

struct ToolCallPlan {
  // Output is parsed for calls: tools were given and tool_choice is not "none".
  bool parse_output = false;
  ToolCallFormat format = ToolCallFormat::Prompted;
  const ToolCallSyntax* syntax = &tool_call_syntax(ToolCallFormat::Prompted);
  bool probed = false;              // the request has tools or tool messages: support was probed
  ToolTemplateSupport support;
  api::ToolChoice choice;
  // Several calls in one reply: parallel_tool_calls and a format that has them.
  bool parallel = true;
  size_t max_calls = SIZE_MAX;      // the parser keeps this many calls (1 for parallel_tool_calls: false)
  nlohmann::ordered_json tools;     // for the template: the request's tools, null for "none"

  // Rewrites the conversation for the template (build_chat_prompt's hook);
  // empty when nothing needs it.
  ChatAdapter adapter() const;
};

// has_token: is this exact text one token of the model's vocabulary
// (Tokenizer::find_token(text) >= 0).
ToolCallPlan plan_tool_calls(const ChatTemplate& tmpl, const std::function<bool(std::string_view)>& has_token,
                             const api::ChatCompletionRequest& request);

}  // namespace lantern
