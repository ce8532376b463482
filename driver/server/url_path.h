// Validation of request paths before they touch the file system. Pure logic,
// header-only, no libwebsockets: unit-tested and fuzzed on its own.
//
// A path is accepted only as a list of plain segments; it is never joined to
// a directory as one string (std::filesystem's `root / "/etc"` would drop the
// root). Refused: anything not starting with '/', empty segments ("//"),
// "." and ".." segments, backslashes, NUL and other control bytes, and a '%'
// left after the one decoding step (a double-encoded request).
//
// Two entry points: check_request_target() takes the raw request-target as
// sent on the wire (decodes it once, refusing encoded '/', '\' and NUL);
// check_decoded_path() takes a path that the HTTP library already decoded
// (libwebsockets hands the callback a decoded URI).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::rig {

struct PathCheck {
  bool ok = false;
  std::string reason;                 // why it was refused (empty when ok)
  std::vector<std::string> segments;  // plain names, never "", "." or ".."
  bool trailing_slash = false;        // the path names a directory ("/a/")
  std::string normalized;             // "/" + segments joined by '/' (+ '/')
};

namespace url_path_detail {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline PathCheck refuse(std::string reason) {
  PathCheck c;
  c.reason = std::move(reason);
  return c;
}

}  // namespace url_path_detail

inline constexpr size_t kMaxUrlPathLength = 4096;

// Decodes %XX escapes once. nullopt when a '%' is not followed by two hex
// digits. '+' stays '+' (it means space only in form bodies, not in paths).
inline std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;  // needs two more characters
    int hi = url_path_detail::hex_value(s[i + 1]);
    int lo = url_path_detail::hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// `path` is already percent-decoded and has no query string.
inline PathCheck check_decoded_path(std::string_view path) {
  using url_path_detail::refuse;
  if (path.empty() || path.front() != '/') return refuse("path does not start with '/'");
  if (path.size() > kMaxUrlPathLength) return refuse("path too long");
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) return refuse("NUL byte in path");
    if (c < 0x20 || c == 0x7f) return refuse("control character in path");
    if (c == '\\') return refuse("backslash in path");
    if (c == '%') return refuse("'%' left after decoding (double-encoded path)");
  }
  PathCheck out;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    if (seg.empty()) return refuse("empty path segment ('//')");
    if (seg == "." || seg == "..") return refuse("'.' or '..' segment in path");
    out.segments.emplace_back(seg);
    if (last) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) out.trailing_slash = true;
  }
  if (out.segments.empty()) out.trailing_slash = true;  // "/" is the root directory
  out.ok = true;
  out.normalized.push_back('/');  // (not = "/": GCC 12 -Wrestrict false positive)
  for (size_t i = 0; i < out.segments.size(); ++i) {
    if (i) out.normalized += '/';
    out.normalized += out.segments[i];
  }
  if (out.trailing_slash && !out.segments.empty()) out.normalized += '/';
  return out;
}

// `target` is the request-target as sent (origin-form, maybe with a query).
inline PathCheck check_request_target(std::string_view target) {
  using url_path_detail::refuse;
  if (target.empty() || target.front() != '/') return refuse("not an origin-form path");
  size_t end = target.find_first_of("?#");
  std::string_view raw = target.substr(0, end);
  if (raw.size() > kMaxUrlPathLength) return refuse("path too long");
  for (size_t i = 0; i + 2 < raw.size(); ++i) {
    if (raw[i] != '%') continue;
    int hi = url_path_detail::hex_value(raw[i + 1]);
    int lo = url_path_detail::hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) continue;  // percent_decode refuses it below
    int v = hi * 16 + lo;
    if (v == '/') return refuse("encoded '/' (%2F) in path");
    if (v == '\\') return refuse("encoded backslash (%5C) in path");
    if (v == 0) return refuse("encoded NUL (%00) in path");
  }
  std::optional<std::string> decoded = percent_decode(raw);
  if (!decoded) return refuse("malformed percent escape in path");
  return check_decoded_path(*decoded);
}

}  // namespace lantern::rig
