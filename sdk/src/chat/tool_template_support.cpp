#include "chat/tool_template_support.h"

#include "chat/chat_template.h"

namespace lantern {

namespace {

using Json = nlohmann::ordered_json;

// Marker strings no real template or conversation contains.
constexpr const char* kToolName = "lantern_probe_tool";
constexpr const char* kCallName = "lantern_probe_call";
constexpr const char* kArgName = "lantern_probe_arg";
constexpr const char* kSystemText = "lantern-probe-system";
constexpr const char* kResultText = "lantern-probe-result";
constexpr const char* kCallId = "lantern01";  // 9 letters and digits: Mistral's templates check

Json probe_tools() {
  return Json::array({{{"type", "function"},
                       {"function",
                        {{"name", kToolName},
                         {"description", "A probe."},
                         {"parameters",
                          {{"type", "object"},
                           {"properties", {{kArgName, {{"type", "string"}}}}},
                           {"required", Json::array({kArgName})}}}}}}});
}

Json probe_call(const std::string& name, const std::string& id) {
  return {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", {{kArgName, "v"}}}}}};
}

ChatMessage msg(std::string role, std::string content, Json extra = nullptr) {
  return ChatMessage{std::move(role), std::move(content), std::move(extra)};
}

// The text of a render, or "" when the template raised (or has no model template).
std::string try_render(const ChatTemplate& t, const std::vector<ChatMessage>& messages, const Json& tools) {
  ChatRenderOptions opts;
  opts.tools = tools;
  opts.now_unix = 0;
  try {
    return t.render_strict(messages, true, opts);
  } catch (...) {
    return "";
  }
}

bool has(const std::string& text, const char* marker) { return text.find(marker) != std::string::npos; }

// An assistant message's tool_calls as ToolCalls (arguments as JSON text).
std::vector<ToolCall> calls_of(const Json& tool_calls) {
  std::vector<ToolCall> out;
  for (const Json& c : tool_calls) {
    ToolCall tc;
    tc.id = c.value("id", "");
    const Json fn = c.value("function", Json::object());
    tc.name = fn.value("name", "");
    const auto args = fn.find("arguments");
    if (args == fn.end() || args->is_null()) tc.arguments = "{}";
    else if (args->is_string()) tc.arguments = args->get<std::string>();
    else tc.arguments = args->dump();
    out.push_back(std::move(tc));
  }
  return out;
}

}  // namespace

ToolTemplateSupport probe_tool_template_support(const ChatTemplate& t) {
  ToolTemplateSupport s;
  if (!t.has_model_template()) return s;  // the built-ins know no tools
  const ChatMessage user = msg("user", "Hi");
  const Json tools = probe_tools();

  s.tools = has(try_render(t, {user}, tools), kToolName);
  if (!s.tools) {
    Json fns = Json::array({tools[0]["function"]});
    s.tools_in_system = has(try_render(t, {msg("system", "", {{"tools", fns.dump()}}), user}, nullptr), kToolName);
  }
  s.system_role = has(try_render(t, {msg("system", kSystemText), user}, nullptr), kSystemText);

  const Json with_tools = s.tools ? tools : Json(nullptr);
  const std::string one = try_render(
      t, {user, msg("assistant", "", {{"tool_calls", Json::array({probe_call(kCallName, kCallId)})}})}, with_tools);
  s.tool_calls = has(one, kCallName) && has(one, kArgName);
  if (s.tool_calls) {
    const std::string two =
        try_render(t,
                   {user, msg("assistant", "",
                              {{"tool_calls", Json::array({probe_call("lantern_probe_call_a", "lantern02"),
                                                           probe_call("lantern_probe_call_b", "lantern03")})}})},
                   with_tools);
    s.parallel_calls = has(two, "lantern_probe_call_a") && has(two, "lantern_probe_call_b");
  }
  // The call before the result as this template can show it.
  ChatMessage call = s.tool_calls
                         ? msg("assistant", "", {{"tool_calls", Json::array({probe_call(kCallName, kCallId)})}})
                         : msg("assistant", "I will call it.");
  s.tool_responses = has(try_render(t, {user, call, msg("tool", kResultText, {{"tool_call_id", kCallId}, {"name", kCallName}})},
                                    with_tools),
                         kResultText);
  return s;
}

void adapt_tool_conversation(const ToolTemplateSupport& support, const ToolCallSyntax& syntax,
                             std::vector<ChatMessage>& messages, Json& tools, bool parallel) {
  std::vector<ChatMessage> out;
  out.reserve(messages.size() + 1);
  for (ChatMessage& m : messages) {
    if (m.role == "assistant" && m.extra.is_object() && m.extra.contains("tool_calls")) {
      const Json& calls = m.extra["tool_calls"];
      const bool shown = support.tool_calls && (calls.size() <= 1 || support.parallel_calls);
      if (!shown) {
        const std::string text = format_tool_calls(syntax, calls_of(calls));
        m.content = m.content.empty() ? text : m.content + "\n" + text;
        m.extra.erase("tool_calls");
      }
    } else if (m.role == "tool" && !support.tool_responses) {
      const std::string text = syntax.response_open + m.content + syntax.response_close;
      if (!out.empty() && out.back().role == "user" && out.back().extra.is_object() &&
          out.back().extra.value("lantern_tool_results", false)) {
        out.back().content += "\n" + text;
        continue;
      }
      // Marked so the next result joins it; the mark is removed below.
      m = ChatMessage{"user", text, Json{{"lantern_tool_results", true}}};
    }
    out.push_back(std::move(m));
  }
  for (ChatMessage& m : out) {
    if (m.extra.is_object() && m.extra.contains("lantern_tool_results")) m.extra = nullptr;
  }

  if (tools.is_array() && !tools.empty() && !support.tools) {
    if (support.tools_in_system) {
      Json fns = Json::array();
      for (const Json& t : tools) fns.push_back(t.value("function", Json::object()));
      if (out.empty() || out.front().role != "system") out.insert(out.begin(), ChatMessage{"system", "", nullptr});
      if (!out.front().extra.is_object()) out.front().extra = Json::object();
      out.front().extra["tools"] = tool_json_text(fns);
    } else {
      const std::string instruction = tool_prompt_instruction(syntax, tools, parallel);
      if (support.system_role) {
        if (!out.empty() && out.front().role == "system") {
          out.front().content = out.front().content.empty() ? instruction : out.front().content + "\n\n" + instruction;
        } else {
          out.insert(out.begin(), ChatMessage{"system", instruction, nullptr});
        }
      } else {
        auto first_user = out.begin();
        while (first_user != out.end() && first_user->role != "user") ++first_user;
        if (first_user == out.end()) out.insert(out.begin(), ChatMessage{"user", instruction, nullptr});
        else first_user->content = instruction + "\n\n" + first_user->content;
      }
    }
    tools = nullptr;
  }
  messages = std::move(out);
}

}  // namespace lantern
