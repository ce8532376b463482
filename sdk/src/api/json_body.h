// Request bodies in, response bodies out. Parsing never throws: malformed
// text, numbers out of double range, invalid UTF-8, bodies past the size
// limit, nesting past the depth limit and objects past the member limit
// (checked before nlohmann parses, so hostile input can neither recurse nor
// make the parse quadratic) all become an ApiError. Dumping never throws
// either: text that is not valid UTF-8 (a token cut mid-character) is written
// with U+FFFD.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/api_error.h"

namespace lantern::api {

struct JsonBodyLimits {
  size_t max_bytes = 32u << 20;
  int max_depth = 64;
  // nlohmann's ordered_json (bodies keep their key order: tool arguments,
  // schema properties) finds a key by a linear search, so parsing an object
  // costs the square of its size: 40,000 members took 5 s. Bodies with a
  // larger object are refused before parsing (4,096 members: ~90 ms).
  size_t max_object_members = 4096;
};

ApiResult<nlohmann::ordered_json> parse_json_body(std::string_view body, const JsonBodyLimits& limits = {});

// Deepest array/object nesting of a JSON value, computed without recursion.
int json_depth(const nlohmann::ordered_json& j);
int json_depth(const nlohmann::json& j);

std::string dump_json(const nlohmann::ordered_json& j);
// One server-sent event carrying `j`, and the stream terminator OpenAI sends.
std::string sse_event(const nlohmann::ordered_json& j);
std::string sse_done();

}  // namespace lantern::api
