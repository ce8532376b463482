// What one render of an untrusted template may spend, and the one account
// that charges it. Every operation whose cost grows with its data charges the
// work it really does (a substring search its span times the needle, or a
// linear search for long needles; a concatenation the bytes it copies; a list
// the slots it fills), so no template runs long or grows memory on credit:
//
//   steps        10M   one per expression node, statement and loop iteration,
//                      plus one per 64 bytes scanned, compared or copied
//   wall clock   1 s   checked as steps are charged, so it also covers work
//                      whose step price is off for this machine
//   value size   4 MiB the rendered text, and any one string or list made
//   bytes made   64 MiB all strings and list slots the render makes, added
//                      up (an upper bound on what it can hold at once)
//   depth        256   nested evaluation, including macro recursion
//
// Exceeding any of them throws JinjaError(Limit) with a message that says
// which one. The defaults leave real chat templates (about 10-200 us and
// under 100 KiB made per conversation) four orders of magnitude of room.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lantern::jinja {

struct RenderLimits {
  uint64_t max_steps = 10'000'000;      // work units (see above)
  int max_depth = 256;                  // nested evaluation, including macro recursion
  size_t max_output_bytes = 4u << 20;   // the rendered text and any single value
  uint64_t max_total_bytes = 64u << 20; // bytes made by the whole render, added up
  uint32_t max_wall_ms = 1000;          // 0: no wall-clock limit
};

class Budget {
 public:
  Budget() : Budget(RenderLimits{}) {}
  explicit Budget(const RenderLimits& limits);

  // `n` work units (one per node, statement, iteration, element visited).
  void charge(uint64_t n = 1);
  // Bytes scanned, compared or copied: one step per 64.
  void charge_bytes(uint64_t bytes) { charge(bytes / 64 + 1); }
  // Bytes of a new value (string bytes, list slots): charged as copied work
  // and against the render's total; throws once the total passes its limit.
  void produce(uint64_t bytes);
  // The size limit of the output and of any single value.
  void check_size(size_t bytes) const;
  size_t max_value_bytes() const { return max_value_bytes_; }

  // std::string_view::find with its cost charged: short needles the span
  // searched times the needle (the naive search's worst case), long needles
  // a linear-time search (Knuth-Morris-Pratt) charged by its length.
  size_t find(std::string_view hay, std::string_view needle, size_t pos = 0);

  uint64_t steps_left() const { return steps_left_; }
  uint64_t bytes_made() const { return bytes_made_; }

 private:
  void check_clock();

  uint64_t steps_left_;
  size_t max_value_bytes_;
  uint64_t max_total_bytes_;
  uint64_t bytes_made_ = 0;
  uint64_t since_clock_ = 0;
  uint32_t max_wall_ms_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace lantern::jinja
