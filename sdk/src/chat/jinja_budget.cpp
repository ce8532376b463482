#include "chat/jinja_budget.h"

#include <string>
#include <vector>

#include "chat/jinja_error.h"

namespace lantern::jinja {

namespace {
// The clock is read once per this many work units (about 1-3 ms of rendering).
constexpr uint64_t kClockEvery = 1u << 14;
// Needles up to this long use the library's search, charged span x needle.
constexpr size_t kNaiveNeedleMax = 64;
}  // namespace

Budget::Budget(const RenderLimits& limits)
    : steps_left_(limits.max_steps),
      max_value_bytes_(limits.max_output_bytes),
      max_total_bytes_(limits.max_total_bytes),
      max_wall_ms_(limits.max_wall_ms),
      deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.max_wall_ms)) {}

void Budget::charge(uint64_t n) {
  if (n > steps_left_) {
    steps_left_ = 0;
    throw JinjaError(ErrorKind::Limit, "template exceeded its step limit (runaway loop or recursion?)");
  }
  steps_left_ -= n;
  since_clock_ += n;
  if (since_clock_ >= kClockEvery) check_clock();
}

void Budget::check_clock() {
  since_clock_ = 0;
  if (max_wall_ms_ == 0) return;
  if (std::chrono::steady_clock::now() > deadline_) {
    throw JinjaError(ErrorKind::Limit,
                     "template exceeded its time limit of " + std::to_string(max_wall_ms_) + " ms");
  }
}

void Budget::produce(uint64_t bytes) {
  bytes_made_ += bytes;
  if (bytes_made_ > max_total_bytes_) {
    throw JinjaError(ErrorKind::Limit, "template exceeded its limit of " + std::to_string(max_total_bytes_) +
                                           " bytes made in total (runaway concatenation or copying?)");
  }
  charge_bytes(bytes);
}

void Budget::check_size(size_t bytes) const {
  if (bytes > max_value_bytes_) {
    throw JinjaError(ErrorKind::Limit, "template output exceeds the size limit of " +
                                           std::to_string(max_value_bytes_) + " bytes");
  }
}

size_t Budget::find(std::string_view hay, std::string_view needle, size_t pos) {
  if (pos > hay.size()) return std::string_view::npos;
  const size_t m = needle.size();
  if (m <= kNaiveNeedleMax) {
    // The naive search compares at most the needle at each position it passes.
    const size_t at = hay.find(needle, pos);
    const size_t span = (at == std::string_view::npos ? hay.size() : at + m) - pos;
    charge_bytes(static_cast<uint64_t>(span) * (m == 0 ? 1 : m));
    return at;
  }
  if (hay.size() - pos < m) {
    charge();
    return std::string_view::npos;
  }
  // Knuth-Morris-Pratt: at most 2 comparisons per byte of haystack passed and
  // of needle, charged (like the naive case) for the span it really searched,
  // so count/split/replace pay once for the whole string, not per match.
  produce(static_cast<uint64_t>(m) * sizeof(uint32_t));
  std::vector<uint32_t> border(m, 0);  // border[i]: longest proper border of needle[0..i]
  for (size_t i = 1, k = 0; i < m; ++i) {
    while (k > 0 && needle[i] != needle[k]) k = border[k - 1];
    if (needle[i] == needle[k]) ++k;
    border[i] = static_cast<uint32_t>(k);
  }
  size_t at = std::string_view::npos, i = pos;
  for (size_t k = 0; i < hay.size(); ++i) {
    while (k > 0 && hay[i] != needle[k]) k = border[k - 1];
    if (hay[i] == needle[k]) ++k;
    if (k == m) {
      at = i + 1 - m;
      break;
    }
  }
  charge((static_cast<uint64_t>(i - pos) + m) / 4 + 1);
  return at;
}

}  // namespace lantern::jinja
