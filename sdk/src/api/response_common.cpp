#include "api/response_common.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace lantern::api {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::Stop: return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::Abort: return "abort";
    case FinishReason::ToolCalls: return "tool_calls";
  }
  return "stop";
}

nlohmann::ordered_json Usage::to_json() const {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens}};
}

IdGenerator::IdGenerator() {
  std::random_device rd;
  state_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

std::string IdGenerator::next(std::string_view prefix) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(prefix);
  for (int i = 0; i < 24; ++i) {
    // splitmix64 step per character
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    id.push_back(kAlphabet[z % 62]);
  }
  return id;
}

int64_t unix_time_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ResponseMeta new_response_meta(std::string_view prefix, std::string model, IdGenerator& ids, int64_t created) {
  return ResponseMeta{ids.next(prefix), created, std::move(model), ""};
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {  // reject overlong forms, surrogates and values past U+10FFFF
      uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      ok = (n == 2 && cp >= 0x80) || (n == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
           (n == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

double json_logprob(float lp) {
  if (!std::isfinite(lp)) return -9999.0;
  // The shortest decimal that reads back as the same float (printf, not
  // std::to_chars: the wasm toolchain's libc++ lacks the float overload).
  char buf[32];
  for (int prec = 1; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(lp));
    if (std::strtof(buf, nullptr) == lp) break;
  }
  return std::strtod(buf, nullptr);
}

nlohmann::ordered_json token_logprob_json(std::string_view token, float logprob) {
  nlohmann::ordered_json bytes = nlohmann::ordered_json::array();
  for (char c : token) bytes.push_back(static_cast<int>(static_cast<unsigned char>(c)));
  return {{"token", valid_utf8(token)}, {"logprob", json_logprob(logprob)}, {"bytes", std::move(bytes)}};
}

}  // namespace lantern::api
