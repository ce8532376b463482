// Cache validators: ETag and Last-Modified values the server sends, and the
// conditional request headers that compare against them (If-None-Match,
// If-Modified-Since, If-Range; RFC 9110 §8.8, §13). Pure logic, header-only.
#pragma once
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace lantern::rig {

// Strong ETag from size and modification time: changes when the file does.
inline std::string make_etag(uint64_t size, int64_t mtime_ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime_ns));
  return buf;
}

namespace validators_detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline std::string_view strip_weak(std::string_view tag) {
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

}  // namespace validators_detail

// If-None-Match uses the weak comparison: W/"x" matches "x"; "*" matches any.
inline bool if_none_match_matches(std::string_view header, std::string_view etag) {
  using namespace validators_detail;
  header = trim(header);
  if (header == "*") return true;
  std::string_view mine = strip_weak(etag);
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = trim(header.substr(0, comma));
    if (!tag.empty() && strip_weak(tag) == mine) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
inline std::string format_http_date(int64_t unix_seconds) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// Parses IMF-fixdate only (what we send and browsers echo back); nullopt
// for anything else, which makes the condition be ignored.
inline std::optional<int64_t> parse_http_date(std::string_view s) {
  static const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  s = validators_detail::trim(s);
  if (s.size() != 29 || s[3] != ',' || s.substr(25) != " GMT") return std::nullopt;
  auto num = [&](size_t pos, size_t len, int& out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
  };
  std::tm tm{};
  int day, year, hour, min, sec;
  if (!num(5, 2, day) || !num(12, 4, year) || !num(17, 2, hour) || !num(20, 2, min) ||
      !num(23, 2, sec))
    return std::nullopt;
  if (s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':')
    return std::nullopt;
  std::string_view mon = s.substr(8, 3);
  int month = -1;
  for (int m = 0; m < 12; ++m) {
    if (std::string_view(kMonths + 3 * m, 3) == mon) month = m;
  }
  if (month < 0 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
  tm.tm_mday = day;
  tm.tm_mon = month;
  tm.tm_year = year - 1900;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm));
}

// If-Modified-Since: true when the file is not newer than the given date.
inline bool not_modified_since(std::string_view header, int64_t mtime_seconds) {
  std::optional<int64_t> since = parse_http_date(header);
  return since && mtime_seconds <= *since;
}

// If-Range: the range applies only if the validator still names this file.
// An entity-tag must match strongly (no W/); a date must equal Last-Modified.
inline bool if_range_allows(std::string_view header, std::string_view etag,
                            std::string_view last_modified) {
  header = validators_detail::trim(header);
  if (!header.empty() && (header.front() == '"' || header.substr(0, 2) == "W/"))
    return header == etag;
  return header == last_modified;
}

}  // namespace lantern::rig
