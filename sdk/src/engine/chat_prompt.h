// The prompt tokens of a chat request: the chat template renders the
// messages, then the text is tokenized so that only the template's own text
// yields control tokens. Message content (and every other string of the
// request: tool calls, names, tool schemas) stays text, so a user cannot
// close their turn and forge a system turn by writing "<|im_end|>" or
// "<|end|>\n<|system|>" (chat/chat_content_guard.h says how).
// parse_special_in_content restores the old behaviour (the whole rendered
// text tokenized with special parsing) for callers who want it.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_message.h"
#include "chat/chat_template.h"

namespace lantern {

class Tokenizer;

struct ChatPrompt {
  std::vector<int32_t> tokens;
  ChatRenderResult rendered;  // the text the tokens spell (special-token texts of the content restored)
  size_t guarded_texts = 0;   // special-token texts in the request kept as plain text
};

// Rewrites the conversation and the tools before rendering (tool calls and
// results for a template that cannot show them: chat/tool_template_support.h).
// It runs after the request's strings were protected, so text it adds itself
// (a "<|tool_call|>" around the caller's calls) may be control tokens while
// the caller's text inside stays text.
using ChatAdapter = std::function<void(std::vector<ChatMessage>& messages, nlohmann::ordered_json& tools)>;

ChatPrompt build_chat_prompt(const ChatTemplate& tmpl, const Tokenizer& tokenizer,
                             const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts,
                             bool parse_special_in_content = false, const ChatAdapter& adapt = {});

}  // namespace lantern
