// Fault knobs, measured over real sockets: added latency, bandwidth cap
// (paced by lws timers, so other requests are not held up), connection drop
// after exactly N body bytes, forced 404/500; set and cleared at run time.
#include <gtest/gtest.h>

#include <thread>

#include "server/http_server.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

using test::http_get;
using test::HttpResponse;
using test::TempDir;
using namespace std::chrono_literals;

constexpr uint64_t kMiB = 1024 * 1024;

class ServerFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.write("small.txt", "small file\n");
    tmp_.write("data.bin", test::pattern_bytes(0, kMiB));
    tmp_.write("big.bin", test::pattern_bytes(0, 8 * kMiB));
    HttpServerOptions options;
    options.mounts = {{"/", tmp_.path()}};
    server_ = std::make_unique<HttpServer>(options);
    server_->start();
  }
  uint16_t port() const { return server_->port(); }

  TempDir tmp_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerFaults, LatencyDelaysTheResponseOfItsPathOnly) {
  Fault f;
  f.latency = 300ms;
  server_->set_fault("/data", f);

  HttpResponse slow = http_get(port(), "/data.bin");
  ASSERT_TRUE(slow.ok) << slow.error;
  EXPECT_EQ(slow.status, 200);
  EXPECT_TRUE(slow.body_complete);
  EXPECT_GE(slow.seconds_to_headers, 0.300);
  EXPECT_LT(slow.seconds_to_headers, 0.500);

  HttpResponse fast = http_get(port(), "/small.txt");
  EXPECT_LT(fast.seconds_to_headers, 0.100);

  server_->clear_fault("/data");
  EXPECT_LT(http_get(port(), "/data.bin").seconds_to_headers, 0.100);
}

TEST_F(ServerFaults, LatencyDoesNotBlockOtherRequests) {
  Fault f;
  f.latency = 500ms;
  server_->set_fault("/data.bin", f);
  std::thread slow([&] { EXPECT_GE(http_get(port(), "/data.bin").seconds_to_headers, 0.5); });
  std::this_thread::sleep_for(50ms);
  HttpResponse fast = http_get(port(), "/small.txt");
  EXPECT_EQ(fast.status, 200);
  EXPECT_LT(fast.seconds_total, 0.250);  // served while the slow one waits
  slow.join();
}

void expect_rate(HttpServer& server, uint16_t port, const std::string& path, uint64_t rate,
                 uint64_t size) {
  Fault f;
  f.bandwidth_bytes_per_s = rate;
  server.set_fault(path, f);
  HttpResponse r = http_get(port, path);
  ASSERT_TRUE(r.body_complete) << r.error;
  ASSERT_EQ(r.body_bytes, size);
  double expected = static_cast<double>(size) / static_cast<double>(rate);
  double measured_rate = static_cast<double>(size) / r.seconds_total;
  std::printf("[ rate     ] cap %.2f MB/s on %.2f MB: %.3f s, %.3f MB/s (%.1f%% of cap)\n", rate / 1e6,
              size / 1e6, r.seconds_total, measured_rate / 1e6, 100.0 * measured_rate / rate);
  EXPECT_GT(r.seconds_total, expected * 0.8);
  EXPECT_LT(r.seconds_total, expected * 1.2);
  server.clear_fault(path);
}

TEST_F(ServerFaults, BandwidthCapIsMetWithinTwentyPercent) {
  expect_rate(*server_, port(), "/data.bin", 4'000'000, kMiB);  // ~0.26 s
  expect_rate(*server_, port(), "/data.bin", 2'000'000, kMiB);  // ~0.52 s
}

TEST_F(ServerFaults, BandwidthCapAppliesToRangesToo) {
  Fault f;
  f.bandwidth_bytes_per_s = 1'000'000;
  server_->set_fault("/big.bin", f);
  HttpResponse r = http_get(port(), "/big.bin", {"Range: bytes=1000000-1299999"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, test::pattern_bytes(1000000, 300000));
  EXPECT_GT(r.seconds_total, 0.24);
  EXPECT_LT(r.seconds_total, 0.36);
}

TEST_F(ServerFaults, PacedTransferDoesNotHoldUpOtherRequests) {
  Fault f;
  f.bandwidth_bytes_per_s = 2'000'000;
  server_->set_fault("/data.bin", f);
  std::thread slow([&] { EXPECT_TRUE(http_get(port(), "/data.bin").body_complete); });
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(http_get(port(), "/small.txt").status, 200);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 0.250);  // the service thread never sleeps (the paced body takes 0.5 s)
  slow.join();
}

void expect_drop(HttpServer& server, uint16_t port, const std::string& path, uint64_t n,
                 const std::vector<std::string>& headers, uint64_t first_byte) {
  server.reset_byte_log();
  Fault f;
  f.drop_after_bytes = n;
  server.set_fault(path, f);
  HttpResponse r = http_get(port, path, headers);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.peer_closed) << "n=" << n;
  EXPECT_FALSE(r.body_complete) << "n=" << n;
  EXPECT_EQ(r.body_bytes, n);
  EXPECT_EQ(r.body, test::pattern_bytes(first_byte, n)) << "n=" << n;
  ASSERT_TRUE(server.wait_idle());
  EXPECT_EQ(server.bytes_served(path), n);
  ByteLogSnapshot log = server.byte_log();
  ASSERT_EQ(log.requests.size(), 1u);
  EXPECT_FALSE(log.requests[0].completed);
  EXPECT_EQ(log.requests[0].body_bytes, n);
  server.clear_fault(path);
}

TEST_F(ServerFaults, DropAfterNBytesDeliversExactlyN) {
  expect_drop(*server_, port(), "/data.bin", 12345, {}, 0);
  expect_drop(*server_, port(), "/data.bin", 1, {}, 0);
  expect_drop(*server_, port(), "/data.bin", 0, {}, 0);
  expect_drop(*server_, port(), "/data.bin", kMiB - 1, {}, 0);
  // Larger than the socket buffers: lws queues part of it; the close waits
  // until that is flushed.
  expect_drop(*server_, port(), "/big.bin", 5 * kMiB + 7, {}, 0);
  // Counted in body bytes of a range response.
  expect_drop(*server_, port(), "/big.bin", 1000, {"Range: bytes=4000000-"}, 4000000);
}

TEST_F(ServerFaults, DropBeyondTheBodyServesItWhole) {
  Fault f;
  f.drop_after_bytes = kMiB;  // exactly the size: nothing is cut
  server_->set_fault("/data.bin", f);
  HttpResponse r = http_get(port(), "/data.bin");
  EXPECT_TRUE(r.body_complete);
  EXPECT_EQ(r.body_bytes, kMiB);
}

TEST_F(ServerFaults, DropCombinedWithBandwidthCap) {
  Fault f;
  f.drop_after_bytes = 200000;
  f.bandwidth_bytes_per_s = 2'000'000;
  server_->set_fault("/data.bin", f);
  HttpResponse r = http_get(port(), "/data.bin");
  EXPECT_EQ(r.body_bytes, 200000u);
  EXPECT_TRUE(r.peer_closed);
  EXPECT_GT(r.seconds_total, 0.08);
}

TEST_F(ServerFaults, ClientHangingUpMidBodyIsRecordedAsAborted) {
  Fault f;
  f.bandwidth_bytes_per_s = 2'000'000;
  server_->set_fault("/data.bin", f);
  {
    test::TestHttpConnection c(port());
    ASSERT_TRUE(c.send_all("GET /data.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    std::this_thread::sleep_for(150ms);
  }  // closes with unread data: the server's next write fails
  ASSERT_TRUE(server_->wait_idle(2s));
  ByteLogSnapshot log = server_->byte_log();
  ASSERT_EQ(log.requests.size(), 1u);
  EXPECT_FALSE(log.requests[0].completed);
  EXPECT_EQ(log.requests[0].status, 200);
  EXPECT_GT(log.requests[0].body_bytes, 0u);
  EXPECT_LT(log.requests[0].body_bytes, kMiB);
  EXPECT_EQ(server_->bytes_served("/data.bin"), log.requests[0].body_bytes);
}

TEST_F(ServerFaults, ForcedStatusForOnePath) {
  Fault f500;
  f500.force_status = 500;
  server_->set_fault("/data.bin", f500);
  HttpResponse r = http_get(port(), "/data.bin");
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(r.body_complete);
  EXPECT_EQ(r.body.find(test::pattern_bytes(0, 16)), std::string::npos);
  EXPECT_EQ(http_get(port(), "/small.txt").status, 200);

  Fault f404;
  f404.force_status = 404;
  server_->set_fault("/small.txt", f404);
  EXPECT_EQ(http_get(port(), "/small.txt").status, 404);

  server_->clear_faults();
  EXPECT_EQ(http_get(port(), "/data.bin").status, 200);
  EXPECT_EQ(http_get(port(), "/small.txt").status, 200);
}

TEST_F(ServerFaults, ForcedStatusAppliesToMissingFilesAndHead) {
  Fault f;
  f.force_status = 500;
  server_->set_fault("/", f);
  EXPECT_EQ(http_get(port(), "/does-not-exist").status, 500);
  HttpResponse head = test::http_request(port(), "HEAD", "/small.txt");
  EXPECT_EQ(head.status, 500);
  EXPECT_EQ(head.body_bytes, 0u);
}

TEST_F(ServerFaults, LongestPrefixWins) {
  Fault everything;
  everything.force_status = 500;
  server_->set_fault("/", everything);
  server_->set_fault("/small.txt", Fault{});  // a no-fault entry overrides
  EXPECT_EQ(http_get(port(), "/data.bin").status, 500);
  EXPECT_EQ(http_get(port(), "/small.txt").status, 200);
}

TEST_F(ServerFaults, KnobsCanBeTurnedFromAnotherThreadWhileServing) {
  std::atomic<bool> done{false};
  std::thread flipper([&] {
    for (int i = 0; !done; ++i) {
      Fault f;
      f.force_status = (i % 2) ? 500 : 0;
      server_->set_fault("/small.txt", f);
      std::this_thread::sleep_for(1ms);
    }
  });
  int ok = 0, err = 0;
  for (int i = 0; i < 60; ++i) {
    int s = http_get(port(), "/small.txt").status;
    ok += s == 200;
    err += s == 500;
  }
  done = true;
  flipper.join();
  EXPECT_EQ(ok + err, 60);
}

}  // namespace
}  // namespace lantern::rig
