#include "chat/jinja_strings.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace lantern::jinja {

// Length of the UTF-8 sequence starting at s[i], or 1 for an invalid byte.
size_t utf8_seq_len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n <= 1 || i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

std::vector<size_t> utf8_offsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += utf8_seq_len(s, i)) out.push_back(i);
  out.push_back(s.size());
  return out;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += utf8_seq_len(s, i)) ++n;
  return n;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

SliceRange slice_range(int64_t len, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step) {
  SliceRange r{0, 0, step};
  if (step == 0 || len <= 0) return r;
  auto clamp = [len](int64_t v, int64_t lo, int64_t hi) {
    if (v < 0) v = (v < -len) ? lo : v + len;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return v;
  };
  // Bounds are within [-1, len] and |step| >= 1, so nothing below overflows.
  if (step > 0) {
    int64_t b = start ? clamp(*start, 0, len) : 0;
    int64_t e = stop ? clamp(*stop, 0, len) : len;
    r.first = b;
    r.count = e > b ? (e - b - 1) / step + 1 : 0;
  } else {
    int64_t b = start ? clamp(*start, -1, len - 1) : len - 1;
    int64_t e = stop ? clamp(*stop, -1, len - 1) : -1;
    r.first = b;
    const uint64_t mag = uint64_t{0} - static_cast<uint64_t>(step);  // |step|, also for INT64_MIN
    r.count = b > e ? static_cast<int64_t>(static_cast<uint64_t>(b - e - 1) / mag) + 1 : 0;
  }
  return r;
}

std::vector<int64_t> slice_indices(int64_t len, std::optional<int64_t> start,
                                   std::optional<int64_t> stop, int64_t step) {
  const SliceRange r = slice_range(len, start, stop, step);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(r.count));
  for (int64_t j = 0; j < r.count; ++j) out.push_back(r.at(j));
  return out;
}

bool utf8_nth(std::string_view s, size_t k, size_t& offset, size_t& length) {
  for (size_t i = 0, n = 0; i < s.size(); ++n) {
    const size_t l = utf8_seq_len(s, i);
    if (n == k) {
      offset = i;
      length = l;
      return true;
    }
    i += l;
  }
  return false;
}

bool is_py_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string py_strip(std::string_view s, const std::string* chars, bool left, bool right) {
  bool in_chars[256] = {};  // a byte table: linear in the text whatever the length of `chars`
  if (chars) {
    for (char c : *chars) in_chars[static_cast<unsigned char>(c)] = true;
  }
  auto strip_me = [&](char c) {
    return chars ? in_chars[static_cast<unsigned char>(c)] : is_py_space(static_cast<unsigned char>(c));
  };
  size_t b = 0, e = s.size();
  if (left) {
    while (b < e && strip_me(s[b])) ++b;
  }
  if (right) {
    while (e > b && strip_me(s[e - 1])) --e;
  }
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> py_split(std::string_view s, const std::string* sep, int64_t maxsplit, Budget& b) {
  std::vector<std::string> out;
  // each part becomes a string value: its bytes, the string, the value slot and its shared box
  auto made = [&b](size_t bytes) { b.produce(bytes + sizeof(std::string) + 64); };
  b.charge_bytes(s.size());
  if (sep == nullptr) {  // runs of whitespace, no empty parts
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_py_space(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit) {
        size_t e = s.size();
        while (e > i && is_py_space(static_cast<unsigned char>(s[e - 1]))) --e;
        made(e - i);
        out.emplace_back(s.substr(i, e - i));
        return out;
      }
      size_t j = i;
      while (j < s.size() && !is_py_space(static_cast<unsigned char>(s[j]))) ++j;
      made(j - i);
      out.emplace_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  size_t pos = 0;
  while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
    size_t f = b.find(s, *sep, pos);
    if (f == std::string_view::npos) break;
    made(f - pos);
    out.emplace_back(s.substr(pos, f - pos));
    pos = f + sep->size();
  }
  made(s.size() - pos);
  out.emplace_back(s.substr(pos));
  return out;
}

uint32_t to_upper_cp(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if (c == 0xB5) return 0x39C;                                         // micro sign -> Greek Mu
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;              // Latin-1
  if (c == 0xFF) return 0x178;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c - 1 : c;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;           // Greek
  if (c == 0x3C2) return 0x3A3;                                        // final sigma
  if (c >= 0x430 && c <= 0x44F) return c - 32;                         // Cyrillic
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

uint32_t to_lower_cp(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

namespace {

// Calls fn(code point, is_valid) for each code point and appends what it
// returns; invalid bytes pass through untouched.
template <class Fn>
std::string map_code_points(std::string_view s, Fn fn) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq_len(s, i);
    unsigned char c0 = static_cast<unsigned char>(s[i]);
    if (n == 1 && c0 >= 0x80) {
      out.push_back(s[i]);
      fn(0xFFFFFFFFu);  // let the caller see a non-letter
      ++i;
      continue;
    }
    uint32_t cp = n == 1 ? c0 : n == 2 ? (c0 & 0x1F) : n == 3 ? (c0 & 0x0F) : (c0 & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    append_utf8(out, fn(cp));
    i += n;
  }
  return out;
}

bool is_cased(uint32_t cp) { return cp != 0xFFFFFFFFu && (to_upper_cp(cp) != cp || to_lower_cp(cp) != cp); }

}  // namespace

std::string py_upper(std::string_view s) { return map_code_points(s, to_upper_cp); }
std::string py_lower(std::string_view s) { return map_code_points(s, to_lower_cp); }

std::string py_capitalize(std::string_view s) {
  bool first = true;
  return map_code_points(s, [&](uint32_t cp) {
    uint32_t r = first ? to_upper_cp(cp) : to_lower_cp(cp);
    first = false;
    return r;
  });
}

std::string py_title(std::string_view s) {
  bool prev_cased = false;
  return map_code_points(s, [&](uint32_t cp) {
    bool cased = is_cased(cp);
    uint32_t r = cased ? (prev_cased ? to_lower_cp(cp) : to_upper_cp(cp)) : cp;
    prev_cased = cased;
    return r;
  });
}

std::string jinja_title(std::string_view s) {
  bool word_start = true;
  return map_code_points(s, [&](uint32_t cp) {
    bool sep = (cp < 0x80 && is_py_space(static_cast<unsigned char>(cp))) || cp == '-' || cp == '(' ||
               cp == '{' || cp == '[' || cp == '<';
    if (sep) {
      word_start = true;
      return cp;
    }
    uint32_t r = word_start ? to_upper_cp(cp) : to_lower_cp(cp);
    word_start = false;
    return r;
  });
}

std::optional<std::string> py_replace(std::string_view s, std::string_view old_s,
                                      std::string_view new_s, int64_t count, Budget& b) {
  const size_t max_bytes = b.max_value_bytes();
  std::string out;
  int64_t done = 0;
  if (old_s.empty()) {  // Python inserts `new` before every code point and at the end
    for (size_t i = 0;; ) {
      if (count < 0 || done < count) {
        out.append(new_s);
        ++done;
        b.produce(new_s.size() + 1);
      }
      if (out.size() > max_bytes) return std::nullopt;
      if (i >= s.size()) break;
      const size_t len = utf8_seq_len(s, i);
      out.append(s.substr(i, len));
      i += len;
    }
    b.produce(s.size());
    if (out.size() > max_bytes) return std::nullopt;
    return out;
  }
  size_t pos = 0;
  while (count < 0 || done < count) {
    size_t f = b.find(s, old_s, pos);
    if (f == std::string_view::npos) break;
    b.produce(f - pos + new_s.size());
    out.append(s.substr(pos, f - pos));
    out.append(new_s);
    if (out.size() > max_bytes) return std::nullopt;
    pos = f + old_s.size();
    ++done;
  }
  b.produce(s.size() - pos);
  out.append(s.substr(pos));
  if (out.size() > max_bytes) return std::nullopt;
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string py_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  // buf: [-]D[.DDD]e[+-]XX -> digits and decimal exponent
  std::string s(buf);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t epos = s.find('e');
  int exp10 = std::atoi(s.c_str() + epos + 1);
  std::string digits;
  for (size_t i = 0; i < epos; ++i) {
    if (s[i] != '.') digits.push_back(s[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  if (exp10 < -4 || exp10 >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    out += eb;
  } else if (exp10 < 0) {
    out += "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  } else {
    size_t int_len = static_cast<size_t>(exp10) + 1;
    if (digits.size() <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return out;
}

std::string py_string_repr(std::string_view s) {
  char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == q || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", u);
      out += b;
    } else {
      out.push_back(c);
    }
  }
  out.push_back(q);
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", u);
          out += b;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string decode_py_escapes(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out.push_back(c);
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      case '\n': break;  // line continuation
      case 'x': case 'u': case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        bool ok = true;
        for (size_t k = 1; ok && k <= n; ++k) {
          if (i + k >= body.size()) { ok = false; break; }
          int h = hexval(body[i + k]);
          if (h < 0) ok = false;
          else cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (!ok) {  // malformed: keep the text as written
          out.push_back('\\');
          out.push_back(e);
          break;
        }
        append_utf8(out, cp);
        i += n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
            cp = cp * 8 + static_cast<uint32_t>(body[++i] - '0');
          }
          append_utf8(out, cp);
        } else {
          out.push_back('\\');
          out.push_back(e);
        }
    }
  }
  return out;
}

}  // namespace lantern::jinja
