// The three entry points every request parser offers, around its own
// parse(ordered_json, limits): exceptions become error objects (never a
// crash), plain json is depth-checked before it is copied, raw bodies are
// parsed with the body limits first.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/json_body.h"
#include "api/request_limits.h"

namespace lantern::api {

constexpr int kMaxRequestDepth = 64;

template <class Request, class Parse>
ApiResult<Request> parse_request(Parse&& parse, const nlohmann::ordered_json& body, const RequestLimits& limits) {
  try {
    return parse(body, limits);
  } catch (const ApiException& e) {
    return e.error();
  } catch (const std::exception& e) {
    return ApiError::server_error(std::string("unexpected error while reading the request: ") + e.what());
  }
}

template <class Request, class Parse>
ApiResult<Request> parse_request(Parse&& parse, const nlohmann::json& body, const RequestLimits& limits) {
  if (json_depth(body) > kMaxRequestDepth) {
    return ApiError::invalid_json("nesting deeper than " + std::to_string(kMaxRequestDepth) + " levels");
  }
  return parse_request<Request>(parse, nlohmann::ordered_json(body), limits);
}

template <class Request, class Parse>
ApiResult<Request> parse_request(Parse&& parse, std::string_view body, const RequestLimits& limits) {
  auto json = parse_json_body(body, JsonBodyLimits{32u << 20, kMaxRequestDepth});
  if (!json.ok()) return json.error();
  return parse_request<Request>(parse, json.value(), limits);
}

}  // namespace lantern::api
