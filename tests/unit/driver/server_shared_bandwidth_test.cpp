// Fault::shared_bandwidth: a cap shared by every response under a prefix, as
// one line would share it (the model loader keeps three ranges in flight, so
// a per-response cap would let it download at three times the cap).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "server/bandwidth_link.h"
#include "server/http_server.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kServerSharedBandwidthMiB = 1024 * 1024;

TEST(BandwidthLink, ReservationsFollowEachOtherWhileBusy) {
  BandwidthLink link(1'000'000);  // 1 MB/s: 1000 bytes take 1 ms
  const auto t0 = Clock::now();
  EXPECT_EQ(link.reserve(1000, t0), t0 + 1ms);
  EXPECT_EQ(link.reserve(2000, t0), t0 + 3ms);       // queued behind the first
  EXPECT_EQ(link.reserve(1000, t0 + 10ms), t0 + 11ms);  // idle link: starts now
}

// Three concurrent ranges of 1 MiB under a 6 MB/s cap: shared, ~0.52 s in all
// (the cap between them); per response, each alone would take ~0.17 s.
double seconds_for_three_ranges(bool shared) {
  test::TempDir tmp;
  tmp.write("m.bin", test::pattern_bytes(0, 3 * kServerSharedBandwidthMiB));
  HttpServerOptions options;
  options.mounts = {{"/", tmp.path()}};
  HttpServer server(options);
  server.start();
  Fault f;
  f.bandwidth_bytes_per_s = 6'000'000;
  f.shared_bandwidth = shared;
  server.set_fault("/m", f);
  const auto t0 = Clock::now();
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&, i] {
      const std::string range = "Range: bytes=" + std::to_string(i * kServerSharedBandwidthMiB) + "-" + std::to_string((i + 1) * kServerSharedBandwidthMiB - 1);
      const auto r = test::http_get(server.port(), "/m.bin", {range});
      EXPECT_EQ(r.status, 206);
      EXPECT_EQ(r.body, test::pattern_bytes(i * kServerSharedBandwidthMiB, kServerSharedBandwidthMiB));
    });
  }
  for (auto& c : clients) c.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

TEST(ServerSharedBandwidth, ConcurrentResponsesShareTheCap) {
  const double expected = 3.0 * kServerSharedBandwidthMiB / 6'000'000;  // ~0.52 s
  const double shared = seconds_for_three_ranges(true);
  EXPECT_GT(shared, expected * 0.85);
  EXPECT_LT(shared, expected * 1.25);
}

TEST(ServerSharedBandwidth, WithoutSharingEachResponseHasTheCap) {
  const double per_response = seconds_for_three_ranges(false);
  EXPECT_LT(per_response, 3.0 * kServerSharedBandwidthMiB / 6'000'000 * 0.6);  // ~0.17 s, well under the shared time
}

}  // namespace
}  // namespace lantern::rig
