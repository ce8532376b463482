#include "api/chat_response.h"

namespace lantern::api {

namespace {

using Json = nlohmann::ordered_json;

Json header(const ResponseMeta& meta, const char* object) {
  Json j;
  j["id"] = meta.id;
  j["object"] = object;
  j["created"] = meta.created;
  j["model"] = valid_utf8(meta.model);
  if (!meta.system_fingerprint.empty()) j["system_fingerprint"] = valid_utf8(meta.system_fingerprint);
  return j;
}

Json chunk(const ResponseMeta& meta, int32_t index, Json delta, Json logprobs, Json finish, bool include_usage) {
  Json j = header(meta, "chat.completion.chunk");
  Json choice;
  choice["index"] = index;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = std::move(logprobs);
  choice["finish_reason"] = std::move(finish);
  j["choices"] = Json::array({std::move(choice)});
  if (include_usage) j["usage"] = nullptr;
  return j;
}

}  // namespace

Json chat_logprobs_json(const std::vector<TokenLogprobInfo>& tokens) {
  Json content = Json::array();
  for (const TokenLogprobInfo& t : tokens) {
    Json entry = token_logprob_json(t.token, t.logprob);
    Json top = Json::array();
    for (const TopLogprob& alt : t.top) top.push_back(token_logprob_json(alt.token, alt.logprob));
    entry["top_logprobs"] = std::move(top);
    content.push_back(std::move(entry));
  }
  return Json{{"content", std::move(content)}, {"refusal", nullptr}};
}

Json chat_completion_json(const ResponseMeta& meta, const std::vector<ChatChoice>& choices, const Usage& usage) {
  Json j = header(meta, "chat.completion");
  Json arr = Json::array();
  for (const ChatChoice& c : choices) {
    Json choice;
    choice["index"] = c.index;
    Json message{{"role", "assistant"},
                 {"content", c.content.empty() && !c.tool_calls.empty() ? Json(nullptr) : Json(valid_utf8(c.content))},
                 {"refusal", nullptr}};
    if (!c.tool_calls.empty()) {
      Json calls = Json::array();
      for (const ToolCall& t : c.tool_calls) {
        calls.push_back({{"id", valid_utf8(t.id)},
                         {"type", "function"},
                         {"function", {{"name", valid_utf8(t.name)}, {"arguments", valid_utf8(t.arguments)}}}});
      }
      message["tool_calls"] = std::move(calls);
    }
    choice["message"] = std::move(message);
    choice["logprobs"] = c.logprobs ? chat_logprobs_json(*c.logprobs) : Json(nullptr);
    choice["finish_reason"] = finish_reason_name(c.finish_reason);
    arr.push_back(std::move(choice));
  }
  j["choices"] = std::move(arr);
  j["usage"] = usage.to_json();
  return j;
}

Json chat_chunk_role(const ResponseMeta& meta, int32_t index, bool include_usage) {
  return chunk(meta, index, Json{{"role", "assistant"}, {"content", ""}}, nullptr, nullptr, include_usage);
}

Json chat_chunk_content(const ResponseMeta& meta, int32_t index, std::string_view text,
                        const std::vector<TokenLogprobInfo>* logprobs, bool include_usage) {
  return chunk(meta, index, Json{{"content", valid_utf8(text)}}, logprobs ? chat_logprobs_json(*logprobs) : Json(nullptr),
               nullptr, include_usage);
}

Json chat_chunk_tool_call(const ResponseMeta& meta, int32_t index, const ToolCallDelta& call,
                          const std::vector<TokenLogprobInfo>* logprobs, bool include_usage) {
  Json entry{{"index", call.index}};
  Json fn = Json::object();
  if (!call.id.empty()) {  // the first piece of a call names it, as OpenAI's do
    entry["id"] = valid_utf8(call.id);
    entry["type"] = "function";
    fn["name"] = valid_utf8(call.name);
  }
  fn["arguments"] = valid_utf8(call.arguments);
  entry["function"] = std::move(fn);
  return chunk(meta, index, Json{{"tool_calls", Json::array({std::move(entry)})}},
               logprobs ? chat_logprobs_json(*logprobs) : Json(nullptr), nullptr, include_usage);
}

std::vector<Json> chat_chunks_for_tool_events(const ResponseMeta& meta, int32_t index,
                                              const std::vector<ToolCallEvent>& events,
                                              const std::vector<TokenLogprobInfo>* logprobs, bool include_usage) {
  std::vector<Json> out;
  for (const ToolCallEvent& e : events) {
    if (e.kind == ToolCallEvent::Kind::Content) {
      out.push_back(chat_chunk_content(meta, index, e.text, logprobs, include_usage));
    } else {
      ToolCallDelta d;
      d.index = e.index;
      if (e.kind == ToolCallEvent::Kind::CallStart) {
        d.id = e.id;
        d.name = e.name;
      } else {
        d.arguments = e.text;
      }
      out.push_back(chat_chunk_tool_call(meta, index, d, logprobs, include_usage));
    }
    logprobs = nullptr;
  }
  if (logprobs) out.push_back(chat_chunk_content(meta, index, "", logprobs, include_usage));
  return out;
}

Json chat_chunk_finish(const ResponseMeta& meta, int32_t index, FinishReason reason, bool include_usage) {
  return chunk(meta, index, Json::object(), nullptr, finish_reason_name(reason), include_usage);
}

Json chat_chunk_usage(const ResponseMeta& meta, const Usage& usage) {
  Json j = header(meta, "chat.completion.chunk");
  j["choices"] = Json::array();
  j["usage"] = usage.to_json();
  return j;
}

}  // namespace lantern::api
