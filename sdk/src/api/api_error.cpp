#include "api/api_error.h"

namespace lantern::api {

nlohmann::ordered_json ApiError::to_json() const {
  nlohmann::ordered_json e;
  e["message"] = message;
  e["type"] = type;
  e["param"] = param ? nlohmann::ordered_json(*param) : nlohmann::ordered_json(nullptr);
  e["code"] = code ? nlohmann::ordered_json(*code) : nlohmann::ordered_json(nullptr);
  return nlohmann::ordered_json{{"error", std::move(e)}};
}

namespace {
ApiError make(std::string message, std::optional<std::string> param, std::string code, int status = 400) {
  ApiError e;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  e.http_status = status;
  return e;
}
}  // namespace

ApiError ApiError::invalid_json(const std::string& detail) {
  return make("We could not parse the JSON body of your request. (" + detail + ")", std::nullopt, "invalid_json");
}

ApiError ApiError::invalid_type(const std::string& param, const std::string& expected, const std::string& got) {
  return make("Invalid type for '" + param + "': expected " + expected + ", but got " + got + " instead.", param,
              "invalid_type");
}

ApiError ApiError::invalid_value(const std::string& param, const std::string& message) {
  return make("Invalid '" + param + "': " + message, param, "invalid_value");
}

ApiError ApiError::missing_parameter(const std::string& param) {
  return make("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
}

ApiError ApiError::unsupported_parameter(const std::string& param, const std::string& message) {
  return make("Unsupported parameter: '" + param + "': " + message, param, "unsupported_parameter");
}

ApiError ApiError::unknown_role(const std::string& param, const std::string& role) {
  return make("Invalid value for '" + param + "': '" + role +
                  "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.",
              param, "unknown_role");
}

ApiError ApiError::empty_messages() {
  return make("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
              "instead.",
              std::string("messages"), "empty_messages");
}

ApiError ApiError::context_length_exceeded(int64_t n_ctx, int64_t prompt_tokens, int64_t max_tokens) {
  std::string msg = "This model's maximum context length is " + std::to_string(n_ctx) +
                    " tokens. However, you requested " + std::to_string(prompt_tokens + max_tokens) + " tokens (" +
                    std::to_string(prompt_tokens) + " in the messages, " + std::to_string(max_tokens) +
                    " in the completion). Please reduce the length of the messages or completion.";
  return make(msg, std::string("messages"), "context_length_exceeded");
}

ApiError ApiError::request_too_large(const std::string& detail) {
  return make("The request is too large: " + detail, std::nullopt, "request_too_large", 413);
}

ApiError ApiError::server_error(const std::string& message) {
  ApiError e = make(message, std::nullopt, "internal_error", 500);
  e.type = "server_error";
  return e;
}

}  // namespace lantern::api
