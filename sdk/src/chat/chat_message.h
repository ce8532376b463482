// One message of a conversation as the chat template sees it: role and text
// content, plus any other OpenAI fields (tool_calls, tool_call_id, name) that
// templates read as message attributes.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace lantern {

struct ChatMessage {
  std::string role;
  std::string content;
  // A JSON object of extra fields merged into the message the template sees,
  // or null. Order is kept (tool-call templates print arguments in order).
  nlohmann::ordered_json extra;
};

}  // namespace lantern
