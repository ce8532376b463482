// JSON from outside the rig (the browser's CDP messages, events a page
// reports, a peer benchmark's output lines) is parsed with a nesting limit.
// nlohmann's parser and destructor do not recurse, but dump(), comparisons
// and the rig's own walks do, so a value nested 100K deep (a CDP reply whose
// error.data is, say) would overflow the stack later, far from the parse.
// Containers deeper than the limit are dropped while parsing (the parser
// callback, which does not recurse either) and the result says so, so the
// caller can fail with a clear error. Header-only: the CDP fuzz target
// compiles the files it tests without the rest of the driver.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace lantern::rig {

// Far deeper than anything the rig or Chromium sends (CDP's own values are a
// few levels deep), far shallower than what the stack can recurse through.
inline constexpr int kMaxJsonDepth = 256;

struct BoundedJson {
  nlohmann::json value;   // is_discarded() when the text is not JSON
  bool too_deep = false;  // containers past max_depth levels were dropped from value
};

inline BoundedJson parse_bounded_json(std::string_view text, int max_depth = kMaxJsonDepth) {
  using json = nlohmann::json;
  BoundedJson out;
  // depth is the number of containers around the one starting: 0 for the
  // top-level value, so containers at depth >= max_depth are the ones past
  // max_depth levels of nesting.
  json::parser_callback_t keep = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) && depth >= max_depth) {
      out.too_deep = true;
      return false;
    }
    return true;
  };
  out.value = json::parse(text.begin(), text.end(), keep, /*allow_exceptions=*/false);
  return out;
}

}  // namespace lantern::rig
