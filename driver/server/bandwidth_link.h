// One link's bandwidth shared by every response under a fault's path prefix
// (Fault::shared_bandwidth): each piece of body reserves its slot on a single
// schedule, so three responses in flight together get the cap between them,
// as over a real 150 Mbit/s line, instead of the cap each.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace lantern::rig {

class BandwidthLink {
 public:
  using Clock = std::chrono::steady_clock;
  explicit BandwidthLink(uint64_t bytes_per_s) : bytes_per_s_(static_cast<double>(bytes_per_s)) {}

  // Reserves `bytes` on the link; returns when they have passed through it
  // (send them then). Reservations follow each other without gaps while the
  // link is busy; an idle link starts the next one now.
  Clock::time_point reserve(uint64_t bytes, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    const Clock::time_point start = next_free_ > now ? next_free_ : now;
    next_free_ = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(bytes) / bytes_per_s_));
    return next_free_;
  }

 private:
  const double bytes_per_s_;
  std::mutex mu_;
  Clock::time_point next_free_{};
};

}  // namespace lantern::rig
