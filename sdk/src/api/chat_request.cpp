#include "api/chat_request.h"

#include <set>

#include "api/json_body.h"
#include "api/output_format.h"
#include "api/request_entry.h"
#include "api/request_fields.h"

namespace lantern::api {

namespace {

using Json = nlohmann::ordered_json;
using namespace fields;


const std::set<std::string>& chat_known_fields() {
  static const std::set<std::string> k = {
      "model", "messages", "temperature", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty",
      "repetition_penalty", "logit_bias", "seed", "stop", "max_tokens", "max_completion_tokens", "ignore_eos", "n",
      "stream", "stream_options", "logprobs", "top_logprobs", "response_format", "grammar", "tools", "tool_choice",
      "parallel_tool_calls", "user", "return_token_ids", "parse_special_in_content"};
  return k;
}

// A message's content as text: a string, or text parts joined with "\n".
std::string content_text(const Json& c, const std::string& param) {
  if (c.is_string()) return c.get<std::string>();
  if (!c.is_array()) fail(ApiError::invalid_type(param, "a string or an array of content parts", type_name(c)));
  std::string text;
  for (size_t j = 0; j < c.size(); ++j) {
    const Json& part = c[j];
    std::string pp = param + "[" + std::to_string(j) + "]";
    if (!part.is_object()) fail(ApiError::invalid_type(pp, "an object", type_name(part)));
    std::optional<std::string> type = get_string(part, "type", pp + ".type");
    if (!type) fail(ApiError::missing_parameter(pp + ".type"));
    if (*type != "text") {
      fail(ApiError::unsupported_parameter(pp + ".type", "only 'text' content parts are supported, got '" + *type +
                                                             "'."));
    }
    std::optional<std::string> t = get_string(part, "text", pp + ".text");
    if (!t) fail(ApiError::missing_parameter(pp + ".text"));
    if (j > 0) text += '\n';
    text += *t;
  }
  return text;
}

// Tool calls as templates expect them: arguments given as a JSON string
// holding an object become that object.
Json normalize_tool_calls(const Json& calls, const std::string& param) {
  if (!calls.is_array()) fail(ApiError::invalid_type(param, "an array", type_name(calls)));
  Json out = Json::array();
  for (size_t k = 0; k < calls.size(); ++k) {
    std::string cp = param + "[" + std::to_string(k) + "]";
    const Json& call = calls[k];
    if (!call.is_object()) fail(ApiError::invalid_type(cp, "an object", type_name(call)));
    get_string(call, "id", cp + ".id");
    if (auto type = get_string(call, "type", cp + ".type"); type && *type != "function") {
      fail(ApiError::invalid_value(cp + ".type", "expected 'function', got '" + *type + "'."));
    }
    const Json* fn = get_object(call, "function", cp + ".function");
    if (!fn) fail(ApiError::missing_parameter(cp + ".function"));
    if (!get_string(*fn, "name", cp + ".function.name")) fail(ApiError::missing_parameter(cp + ".function.name"));
    Json copy = call;
    const Json* args = find(*fn, "arguments");
    if (args && args->is_string()) {
      auto parsed = parse_json_body(args->get<std::string>());
      if (parsed.ok() && parsed.value().is_object()) copy["function"]["arguments"] = std::move(parsed.value());
    } else if (args && !args->is_object()) {
      fail(ApiError::invalid_type(cp + ".function.arguments", "a string", type_name(*args)));
    }
    out.push_back(std::move(copy));
  }
  return out;
}

ChatMessage parse_message(const Json& m, size_t i) {
  const std::string param = "messages[" + std::to_string(i) + "]";
  if (!m.is_object()) fail(ApiError::invalid_type(param, "an object", type_name(m)));
  std::optional<std::string> role = get_string(m, "role", param + ".role");
  if (!role) fail(ApiError::missing_parameter(param + ".role"));
  if (*role == "developer") role = "system";
  if (*role != "system" && *role != "user" && *role != "assistant" && *role != "tool") {
    fail(ApiError::unknown_role(param + ".role", *role));
  }
  ChatMessage msg;
  msg.role = *role;
  msg.extra = nullptr;
  bool has_tool_calls = false;
  if (msg.role == "assistant") {
    if (const Json* calls = find(m, "tool_calls"); calls && !calls->empty()) {
      msg.extra["tool_calls"] = normalize_tool_calls(*calls, param + ".tool_calls");
      has_tool_calls = true;
    }
  }
  auto it = m.find("content");
  if (it == m.end() || it->is_null()) {
    if (!has_tool_calls) {
      if (it == m.end()) fail(ApiError::missing_parameter(param + ".content"));
      fail(ApiError::invalid_type(param + ".content", "a string or an array of content parts", "null"));
    }
  } else {
    msg.content = content_text(*it, param + ".content");
  }
  if (msg.role == "tool") {
    std::optional<std::string> id = get_string(m, "tool_call_id", param + ".tool_call_id");
    if (!id) fail(ApiError::missing_parameter(param + ".tool_call_id"));
    msg.extra["tool_call_id"] = *id;
  }
  if (auto name = get_string(m, "name", param + ".name")) msg.extra["name"] = *name;
  return msg;
}

// "none" | "auto" | "required" | {"type": "function", "function": {"name": ...}}.
ToolChoice read_tool_choice(const Json& choice, const Json& tools) {
  ToolChoice tc;
  if (choice.is_string()) {
    const std::string c = choice.get<std::string>();
    if (c == "none") tc.mode = ToolChoice::Mode::None;
    else if (c == "auto") tc.mode = ToolChoice::Mode::Auto;
    else if (c == "required") tc.mode = ToolChoice::Mode::Required;
    else fail(ApiError::invalid_value("tool_choice", "expected 'none', 'auto' or 'required', got '" + c + "'."));
  } else if (choice.is_object()) {
    std::optional<std::string> type = get_string(choice, "type", "tool_choice.type");
    if (!type) fail(ApiError::missing_parameter("tool_choice.type"));
    if (*type != "function") {
      fail(ApiError::invalid_value("tool_choice.type", "expected 'function', got '" + *type + "'."));
    }
    const Json* fn = get_object(choice, "function", "tool_choice.function");
    if (!fn) fail(ApiError::missing_parameter("tool_choice.function"));
    std::optional<std::string> name = get_string(*fn, "name", "tool_choice.function.name");
    if (!name) fail(ApiError::missing_parameter("tool_choice.function.name"));
    tc.mode = ToolChoice::Mode::Function;
    tc.function = *name;
  } else {
    fail(ApiError::invalid_type("tool_choice", "a string or an object", type_name(choice)));
  }
  if (tc.mode == ToolChoice::Mode::Required || tc.mode == ToolChoice::Mode::Function) {
    // OpenAI's rule: a call can only be forced among the given tools.
    if (!tools.is_array()) {
      fail(ApiError::invalid_value("tool_choice", "'tool_choice' is only allowed when 'tools' are specified."));
    }
    if (tc.mode == ToolChoice::Mode::Function) {
      bool found = false;
      for (const Json& t : tools) found = found || t["function"]["name"] == tc.function;
      if (!found) {
        fail(ApiError::invalid_value("tool_choice.function.name",
                                     "no function named '" + tc.function + "' in 'tools'."));
      }
    }
  }
  return tc;
}

void read_tools(const Json& body, ChatCompletionRequest& req) {
  const Json* tools = get_array(body, "tools", "tools");
  if (tools) {
    for (size_t i = 0; i < tools->size(); ++i) {
      std::string tp = "tools[" + std::to_string(i) + "]";
      const Json& t = (*tools)[i];
      if (!t.is_object()) fail(ApiError::invalid_type(tp, "an object", type_name(t)));
      std::optional<std::string> type = get_string(t, "type", tp + ".type");
      if (!type) fail(ApiError::missing_parameter(tp + ".type"));
      if (*type != "function") {
        fail(ApiError::unsupported_parameter(tp + ".type", "only 'function' tools are supported, got '" + *type +
                                                                "'."));
      }
      const Json* fn = get_object(t, "function", tp + ".function");
      if (!fn) fail(ApiError::missing_parameter(tp + ".function"));
      if (!get_string(*fn, "name", tp + ".function.name")) fail(ApiError::missing_parameter(tp + ".function.name"));
      get_object(*fn, "parameters", tp + ".function.parameters");
    }
    if (!tools->empty()) req.tools = *tools;
  }
  if (const Json* choice = find(body, "tool_choice")) req.tool_choice = read_tool_choice(*choice, req.tools);
  req.parallel_tool_calls = get_bool(body, "parallel_tool_calls", "parallel_tool_calls").value_or(true);
}

ChatCompletionRequest parse_chat(const Json& body, const RequestLimits& limits) {
  if (!body.is_object()) fail(ApiError::invalid_type("body", "an object", type_name(body)));
  if (json_depth(body) > kMaxRequestDepth) {
    fail(ApiError::invalid_json("nesting deeper than " + std::to_string(kMaxRequestDepth) + " levels"));
  }
  ChatCompletionRequest req;
  req.model = get_string(body, "model", "model").value_or("");

  const Json* messages = get_array(body, "messages", "messages");
  if (!messages) fail(ApiError::missing_parameter("messages"));
  if (messages->empty()) fail(ApiError::empty_messages());
  if (messages->size() > limits.max_messages) {
    fail(ApiError::invalid_value("messages", "array too long. Expected an array with maximum length " +
                                                 std::to_string(limits.max_messages) + ", but got an array with length " +
                                                 std::to_string(messages->size()) + " instead."));
  }
  size_t total = 0;
  for (size_t i = 0; i < messages->size(); ++i) {
    req.messages.push_back(parse_message((*messages)[i], i));
    total += req.messages.back().content.size();
    if (total > limits.max_content_bytes) {
      fail(ApiError::request_too_large("the messages hold more than " + std::to_string(limits.max_content_bytes) +
                                       " bytes of text"));
    }
  }

  SamplingFieldLimits sl{limits.max_tokens_cap, limits.vocab_size, limits.max_logit_bias, true};
  read_sampling_fields(body, sl, req.sampling, req.stop);

  req.n = static_cast<int32_t>(get_integer(body, "n", "n", 1, limits.max_n).value_or(1));
  req.stream = get_bool(body, "stream", "stream").value_or(false);
  if (req.n > 1 && req.stream) fail(ApiError::invalid_value("n", "n > 1 is not supported together with stream."));
  if (const Json* so = get_object(body, "stream_options", "stream_options")) {
    if (!req.stream) fail(ApiError::invalid_value("stream_options", "only allowed when 'stream' is true."));
    req.include_usage = get_bool(*so, "include_usage", "stream_options.include_usage").value_or(false);
  }

  req.logprobs = get_bool(body, "logprobs", "logprobs").value_or(false);
  if (auto tl = get_integer(body, "top_logprobs", "top_logprobs", 0, 20)) {
    if (!req.logprobs) fail(ApiError::invalid_value("top_logprobs", "requires 'logprobs' to be true."));
    req.top_logprobs = static_cast<int32_t>(*tl);
  }
  req.sampling.logprobs = req.logprobs ? req.top_logprobs : -1;

  {
    OutputFormat format = read_output_format(body);
    req.sampling.grammar = std::move(format.grammar);
    req.format_warnings = std::move(format.warnings);
  }
  read_tools(body, req);
  req.user = get_string(body, "user", "user").value_or("");
  req.return_token_ids = get_bool(body, "return_token_ids", "return_token_ids").value_or(false);
  req.parse_special_in_content =
      get_bool(body, "parse_special_in_content", "parse_special_in_content").value_or(false);

  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!chat_known_fields().count(it.key())) req.ignored_fields.push_back(it.key());
  }
  return req;
}

}  // namespace

ApiResult<ChatCompletionRequest> parse_chat_completion_request(const nlohmann::ordered_json& body, const RequestLimits& limits) {
  return parse_request<ChatCompletionRequest>(parse_chat, body, limits);
}

ApiResult<ChatCompletionRequest> parse_chat_completion_request(const nlohmann::json& body, const RequestLimits& limits) {
  return parse_request<ChatCompletionRequest>(parse_chat, body, limits);
}

ApiResult<ChatCompletionRequest> parse_chat_completion_request(std::string_view body, const RequestLimits& limits) {
  return parse_request<ChatCompletionRequest>(parse_chat, body, limits);
}

}  // namespace lantern::api
