#include "engine/tool_call_plan.h"

#include "chat/chat_template.h"

namespace lantern {

ToolCallPlan plan_tool_calls(const ChatTemplate& tmpl, const std::function<bool(std::string_view)>& has_token,
                             const api::ChatCompletionRequest& request) {
  ToolCallPlan plan;
  plan.choice = request.tool_choice;
  const bool has_tools = request.tools.is_array() && !request.tools.empty();
  const bool none = request.tool_choice.mode == api::ToolChoice::Mode::None;
  plan.parse_output = has_tools && !none;
  if (!none) plan.tools = request.tools;

  bool tool_messages = false;
  for (const ChatMessage& m : request.messages) {
    tool_messages = tool_messages || m.role == "tool" || (m.extra.is_object() && m.extra.contains("tool_calls"));
  }
  if (!has_tools && !tool_messages) return plan;  // a plain chat: nothing to probe or rewrite

  plan.format = detect_tool_call_format(tmpl.model_template_source(), has_token);
  plan.syntax = &tool_call_syntax(plan.format);
  plan.support = probe_tool_template_support(tmpl);
  plan.probed = true;
  plan.parallel = request.parallel_tool_calls && plan.syntax->parallel;
  if (!request.parallel_tool_calls) plan.max_calls = 1;
  return plan;
}

ChatAdapter ToolCallPlan::adapter() const {
  if (!probed) return {};
  const ToolTemplateSupport s = support;
  const bool everything_shown = s.tools && s.tool_calls && s.parallel_calls && s.tool_responses;
  if (everything_shown) return {};
  const ToolCallSyntax* syn = syntax;
  const bool par = parallel;
  return [s, syn, par](std::vector<ChatMessage>& messages, nlohmann::ordered_json& tools) {
    adapt_tool_conversation(s, *syn, messages, tools, par);
  };
}

}  // namespace lantern
