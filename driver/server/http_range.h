// Parsing of the HTTP Range request header (RFC 9110 §14) for one resource of
// a known size. Pure logic, header-only, no libwebsockets: unit-tested and
// fuzzed on its own (tests/fuzz/http_range_fuzz.cpp).
//
// Decisions, all allowed by RFC 9110:
//  - a header that is not a valid `bytes=` ranges-specifier is ignored (200);
//    that covers garbage, other units, and `a-b` with b < a (§14.1.1 calls it
//    invalid);
//  - more than one range is ignored too: the server answers 200 with the full
//    body rather than multipart/byteranges (§14.2 lets a server ignore Range);
//  - a single valid range that is unsatisfiable (first byte at or past the
//    end, a zero-length suffix, any range of an empty file) gives 416;
//  - a last byte past the end is clamped to size-1; a suffix longer than the
//    file means the whole file (as a 206);
//  - numbers too large for 64 bits saturate, so they behave as "past the end".
#pragma once
#include <cstdint>
#include <string_view>

namespace lantern::rig {

enum class RangeKind {
  kNone,           // no usable Range: answer 200 with the whole body
  kSatisfiable,    // answer 206 with bytes [first, last]
  kUnsatisfiable,  // answer 416 with Content-Range: bytes */size
};

struct RangeResult {
  RangeKind kind = RangeKind::kNone;
  uint64_t first = 0;  // inclusive, valid when kSatisfiable
  uint64_t last = 0;   // inclusive, valid when kSatisfiable
  uint64_t length() const { return kind == RangeKind::kSatisfiable ? last - first + 1 : 0; }
};

namespace range_detail {

inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Decimal digits only (no sign, no spaces), saturating at UINT64_MAX.
inline bool parse_u64_saturating(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = static_cast<unsigned>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      v = UINT64_MAX;
    } else {
      v = v * 10 + d;
    }
  }
  out = v;
  return true;
}

inline bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace range_detail

// One range-spec as written: `a-b`, `a-` or `-n`.
struct RangeSpec {
  bool suffix = false;     // `-n`
  bool open_end = false;   // `a-`
  uint64_t first = 0;      // a
  uint64_t last = 0;       // b
  uint64_t suffix_len = 0; // n
};

inline bool parse_range_spec(std::string_view s, RangeSpec& spec) {
  using namespace range_detail;
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  std::string_view a = s.substr(0, dash), b = s.substr(dash + 1);
  spec = RangeSpec{};
  if (a.empty()) {
    spec.suffix = true;
    return parse_u64_saturating(b, spec.suffix_len);
  }
  if (!parse_u64_saturating(a, spec.first)) return false;
  if (b.empty()) {
    spec.open_end = true;
    return true;
  }
  if (!parse_u64_saturating(b, spec.last)) return false;
  return spec.last >= spec.first;  // b < a is an invalid range-spec
}

// `header` is the Range field value (e.g. "bytes=0-99"), `size` the full
// length of the selected representation.
inline RangeResult parse_range_header(std::string_view header, uint64_t size) {
  using namespace range_detail;
  RangeResult none;
  header = trim_ows(header);
  size_t eq = header.find('=');
  if (eq == std::string_view::npos) return none;
  if (!iequals_ascii(trim_ows(header.substr(0, eq)), "bytes")) return none;
  std::string_view set = header.substr(eq + 1);

  // range-set = 1#range-spec; list syntax allows empty elements and OWS.
  RangeSpec spec;
  int count = 0;
  while (true) {
    size_t comma = set.find(',');
    std::string_view elem = trim_ows(set.substr(0, comma));
    if (!elem.empty()) {
      RangeSpec s;
      if (!parse_range_spec(elem, s)) return none;
      if (++count == 1) spec = s;
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (count != 1) return none;  // no range, or several: serve the whole body

  RangeResult r;
  if (spec.suffix) {
    if (spec.suffix_len == 0 || size == 0) {
      r.kind = RangeKind::kUnsatisfiable;
      return r;
    }
    r.kind = RangeKind::kSatisfiable;
    r.first = spec.suffix_len >= size ? 0 : size - spec.suffix_len;
    r.last = size - 1;
    return r;
  }
  if (spec.first >= size) {
    r.kind = RangeKind::kUnsatisfiable;
    return r;
  }
  r.kind = RangeKind::kSatisfiable;
  r.first = spec.first;
  r.last = (spec.open_end || spec.last >= size) ? size - 1 : spec.last;
  return r;
}

}  // namespace lantern::rig
