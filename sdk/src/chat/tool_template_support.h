// What a chat template does with tools, assistant tool calls and tool
// results, and how a conversation is rewritten so that the model still sees
// all of them when its template does not.
//
// The support is found by rendering small probe conversations with the
// model's own template (no fallback) and looking for marker strings in the
// text, rather than by reading the template source: a template that
// mentions tool_calls may still drop them (Llama 3.1 refuses two calls in
// one message), one that never mentions tools may show a system message's
// "tools" field (Phi-4-mini), and a template that raises on a role (Gemma's
// strict user/model alternation) is found out the same way.
//
// Where the template falls short (adapt_tool_conversation):
//  - tools: a template that shows a system message's "tools" field gets the
//    functions there as a JSON list (Phi-4-mini); otherwise
//    tool_prompt_instruction() is appended to the system message (made if
//    there is none), or, when the template drops system messages (Phi-3),
//    put in front of the first user message.
//  - assistant tool_calls: written into the content in the syntax the model
//    is asked to use (format_tool_calls), after any text, on a new line.
//  - tool results: user messages "<tool_response>\n...\n</tool_response>",
//    consecutive results joined in one message (so user/assistant turns
//    still alternate).
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_message.h"
#include "chat/tool_call_format.h"

namespace lantern {

class ChatTemplate;

struct ToolTemplateSupport {
  bool tools = false;            // shows the `tools` variable
  bool tools_in_system = false;  // shows a system message's "tools" field (a JSON string)
  bool system_role = false;      // shows a system message's content
  bool tool_calls = false;       // shows an assistant message's tool_calls (one call)
  bool parallel_calls = false;   // ... and several in one message
  bool tool_responses = false;   // shows a "tool" message's content
};

// Renders up to six probe conversations; templates that raise count as "no".
ToolTemplateSupport probe_tool_template_support(const ChatTemplate& tmpl);

// Rewrites messages and tools (null when none) in place as described above.
// tools comes back null when it went into the messages. parallel: whether
// the instruction may invite several calls per reply.
void adapt_tool_conversation(const ToolTemplateSupport& support, const ToolCallSyntax& syntax,
                             std::vector<ChatMessage>& messages, nlohmann::ordered_json& tools, bool parallel);

}  // namespace lantern
