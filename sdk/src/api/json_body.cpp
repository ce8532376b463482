#include "api/json_body.h"

#include <vector>

namespace lantern::api {

namespace {

// Max bracket nesting of JSON text, ignoring brackets inside strings.
int text_depth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

template <class Json>
int depth_of(const Json& root) {
  int max_depth = 0;
  std::vector<std::pair<const Json*, int>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [j, d] = stack.back();
    stack.pop_back();
    if (!j->is_structured()) continue;
    max_depth = std::max(max_depth, d + 1);
    for (const auto& child : *j) stack.emplace_back(&child, d + 1);
  }
  return max_depth;
}

}  // namespace

int json_depth(const nlohmann::ordered_json& j) { return depth_of(j); }
int json_depth(const nlohmann::json& j) { return depth_of(j); }

ApiResult<nlohmann::ordered_json> parse_json_body(std::string_view body, const JsonBodyLimits& limits) {
  if (body.size() > limits.max_bytes) {
    return ApiError::request_too_large(std::to_string(body.size()) + " bytes (the limit is " +
                                       std::to_string(limits.max_bytes) + ")");
  }
  if (text_depth(body) > limits.max_depth) {
    return ApiError::invalid_json("nesting deeper than " + std::to_string(limits.max_depth) + " levels");
  }
  try {
    return nlohmann::ordered_json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::exception& e) {
    return ApiError::invalid_json(e.what());
  }
}

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string sse_event(const nlohmann::ordered_json& j) { return "data: " + dump_json(j) + "\n\n"; }
std::string sse_done() { return "data: [DONE]\n\n"; }

}  // namespace lantern::api
