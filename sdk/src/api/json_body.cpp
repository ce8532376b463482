#include "api/json_body.h"

#include <vector>

namespace lantern::api {

namespace {

struct TextShape {
  int max_depth = 0;
  size_t max_members = 0;  // members of the largest object
};

// Bracket nesting and object sizes of JSON text, ignoring brackets inside
// strings; a member is a ':' directly inside an object.
TextShape text_shape(std::string_view s) {
  TextShape shape;
  std::vector<std::pair<bool, size_t>> open;  // (is object, members so far)
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      open.push_back({c == '{', 0});
      shape.max_depth = std::max(shape.max_depth, static_cast<int>(open.size()));
    } else if (c == ']' || c == '}') {
      if (!open.empty()) open.pop_back();
    } else if (c == ':' && !open.empty() && open.back().first) {
      shape.max_members = std::max(shape.max_members, ++open.back().second);
    }
  }
  return shape;
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
  const TextShape shape = text_shape(body);
  if (shape.max_depth > limits.max_depth) {
    return ApiError::invalid_json("nesting deeper than " + std::to_string(limits.max_depth) + " levels");
  }
  if (shape.max_members > limits.max_object_members) {
    return ApiError::invalid_json("an object with more than " + std::to_string(limits.max_object_members) +
                                  " members");
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
