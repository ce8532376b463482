// The error object of the OpenAI API, and the result type every request
// parser returns. to_json() gives exactly OpenAI's shape:
//   {"error": {"message": "...", "type": "invalid_request_error",
//              "param": "messages[2].role", "code": "invalid_value"}}
// (param and code are null when they do not apply).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace lantern::api {

struct ApiError {
  std::string message;
  std::string type = "invalid_request_error";  // or "server_error"
  std::optional<std::string> param;
  std::optional<std::string> code;
  int http_status = 400;

  nlohmann::ordered_json to_json() const;

  // Factories with OpenAI's wording. `param` is the JSON path of the field
  // ("temperature", "messages[2].content[0].text").
  static ApiError invalid_json(const std::string& detail);
  static ApiError invalid_type(const std::string& param, const std::string& expected, const std::string& got);
  static ApiError invalid_value(const std::string& param, const std::string& message);
  static ApiError missing_parameter(const std::string& param);
  static ApiError unsupported_parameter(const std::string& param, const std::string& message);
  static ApiError unknown_role(const std::string& param, const std::string& role);
  static ApiError empty_messages();
  static ApiError context_length_exceeded(int64_t n_ctx, int64_t prompt_tokens, int64_t max_tokens);
  static ApiError request_too_large(const std::string& detail);
  static ApiError server_error(const std::string& message);
};

// Thrown inside the parsers and turned into an ApiResult at their boundary.
class ApiException : public std::runtime_error {
 public:
  explicit ApiException(ApiError e) : std::runtime_error(e.message), error_(std::move(e)) {}
  const ApiError& error() const { return error_; }

 private:
  ApiError error_;
};

// Either a value or the error to send back.
template <class T>
class ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}
  ApiResult(ApiError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace lantern::api
