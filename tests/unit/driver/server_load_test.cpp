// Load: a 200 MB file is streamed from disk (the server's memory does not
// grow with the file), byte-exact, at loopback speed; 8 parallel requests
// are served side by side without stalls.
#include <gtest/gtest.h>

#include "support/sanitizers.h"

#include <atomic>
#include <fstream>
#include <thread>

#include "server/http_server.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

using test::HttpResponse;
using test::TempDir;
using test::TestHttpConnection;
using namespace std::chrono_literals;

constexpr uint64_t kServerLoadMiB = 1024 * 1024;
constexpr uint64_t kBigSize = 200 * kServerLoadMiB;
constexpr uint64_t kMidSize = 16 * kServerLoadMiB;

// Peak resident set size of this process so far, in bytes.
uint64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Checks streamed bytes against the pattern without keeping them.
struct PatternChecker {
  uint64_t offset = 0;
  uint64_t mismatches = 0;
  void operator()(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) mismatches += data[i] != test::pattern_byte(offset + i);
    offset += n;
  }
};

class ServerLoad : public ::testing::Test {
 protected:
  // ctest runs each test in its own process: only the test that needs the
  // 200 MB file writes it.
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    write_pattern_file(tmp_->path() / "mid.bin", kMidSize);
    write_pattern_file(tmp_->path() / "four.bin", 4 * kServerLoadMiB);
  }
  static void write_pattern_file(const std::filesystem::path& p, uint64_t size) {
    std::ofstream out(p, std::ios::binary);
    const uint64_t piece = 4 * kServerLoadMiB;
    for (uint64_t off = 0; off < size; off += piece) out << test::pattern_bytes(off, std::min(piece, size - off));
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override {
    HttpServerOptions options;
    options.mounts = {{"/", tmp_->path()}};
    server_ = std::make_unique<HttpServer>(options);
    server_->start();
  }
  uint16_t port() const { return server_->port(); }

  static TempDir* tmp_;
  std::unique_ptr<HttpServer> server_;
};
TempDir* ServerLoad::tmp_ = nullptr;

TEST_F(ServerLoad, StreamsA200MBFileWithoutHoldingItInMemory) {
  write_pattern_file(tmp_->path() / "big.bin", kBigSize);
  uint64_t rss_before = peak_rss_bytes();
  PatternChecker check;
  TestHttpConnection c(port(), 30s);
  HttpResponse r = c.request("GET", "/big.bin", {}, std::ref(check));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body_complete);
  EXPECT_EQ(r.body_bytes, kBigSize);
  EXPECT_EQ(check.mismatches, 0u);
  uint64_t rss_growth = peak_rss_bytes() - rss_before;
  std::printf("[ loopback ] 200 MiB checked byte by byte: %.3f s = %.0f MB/s, peak RSS growth %.1f MiB\n",
              r.seconds_total, kBigSize / r.seconds_total / 1e6, rss_growth / double(kServerLoadMiB));
  // Client and server share this process; both stream in pieces. (ASan's
  // quarantine keeps freed pieces resident, so the bound is looser there.)
#ifdef LANTERN_TEST_SANITIZED
  EXPECT_LT(rss_growth, 160 * kServerLoadMiB);
#else
  EXPECT_LT(rss_growth, 48 * kServerLoadMiB);
#endif
  EXPECT_EQ(server_->bytes_served("/big.bin"), kBigSize);

  // Throughput alone: the same file again into a sink that only counts.
  uint64_t counted = 0;
  HttpResponse fast = c.request("GET", "/big.bin", {}, [&](const char*, size_t n) { counted += n; });
  EXPECT_EQ(counted, kBigSize);
  std::printf("[ loopback ] 200 MiB, client only counting: %.3f s = %.0f MB/s\n", fast.seconds_total,
              kBigSize / fast.seconds_total / 1e6);

  // Ranges deep inside it are exact.
  for (uint64_t first : {uint64_t{150'000'000}, kBigSize - 100, uint64_t{kServerLoadMiB * 7 + 3}}) {
    HttpResponse part = c.request("GET", "/big.bin",
                                  {"Range: bytes=" + std::to_string(first) + "-" + std::to_string(first + 99)});
    ASSERT_TRUE(part.ok) << part.error;
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, test::pattern_bytes(first, 100)) << first;
  }
  std::filesystem::remove(tmp_->path() / "big.bin");
}

TEST_F(ServerLoad, EightParallelRequestsAllComplete) {
  constexpr int kClients = 8;
  std::atomic<int> complete{0};
  std::atomic<uint64_t> mismatches{0};
  std::vector<std::thread> clients;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      PatternChecker check;
      // Different ranges of one file, plus whole-file reads of another.
      uint64_t first = (i % 2) ? uint64_t(i) * kServerLoadMiB : 0;
      check.offset = first;
      std::vector<std::string> h;
      if (i % 2) h.push_back("Range: bytes=" + std::to_string(first) + "-" + std::to_string(first + 8 * kServerLoadMiB - 1));
      HttpResponse r = test::http_request(port(), "GET", (i % 2) ? "/mid.bin" : "/four.bin", h, std::ref(check));
      if (r.body_complete) ++complete;
      mismatches += check.mismatches;
    });
  }
  for (auto& t : clients) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(complete.load(), kClients);
  EXPECT_EQ(mismatches.load(), 0u);
  EXPECT_LT(secs, 5.0);
  ASSERT_TRUE(server_->wait_idle());
  EXPECT_EQ(server_->byte_log().requests.size(), size_t(kClients));
}

TEST_F(ServerLoad, EightPacedRequestsRunSideBySide) {
  // Each capped at 4 MB/s for 1 MiB (~0.26 s). Served in parallel the batch
  // takes about that long; one after another it would take 8 times longer.
  Fault f;
  f.bandwidth_bytes_per_s = 4'000'000;
  f.latency = 50ms;
  server_->set_fault("/four.bin", f);
  std::vector<std::thread> clients;
  std::atomic<int> complete{0};
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      HttpResponse r = test::http_get(port(), "/four.bin", {"Range: bytes=0-1048575"});
      if (r.body_complete && r.body == test::pattern_bytes(0, kServerLoadMiB)) ++complete;
    });
  }
  for (auto& t : clients) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(complete.load(), 8);
  EXPECT_GT(secs, 0.25);
  EXPECT_LT(secs, 1.0);  // one after another: over 2 s
}

TEST_F(ServerLoad, StopWhileTransfersAreInFlightRecordsThemAsAborted) {
  Fault f;
  f.bandwidth_bytes_per_s = 1'000'000;
  server_->set_fault("/mid.bin", f);
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      HttpResponse r = test::http_get(port(), "/mid.bin");
      EXPECT_FALSE(r.body_complete);
    });
  }
  std::this_thread::sleep_for(200ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 1.0);
  for (auto& t : clients) t.join();
  ByteLogSnapshot log = server_->byte_log();
  ASSERT_EQ(log.requests.size(), 3u);
  uint64_t sum = 0;
  for (const RequestRecord& r : log.requests) {
    EXPECT_FALSE(r.completed);
    EXPECT_GT(r.body_bytes, 0u);
    sum += r.body_bytes;
  }
  EXPECT_EQ(sum, server_->bytes_served("/mid.bin"));
}

}  // namespace
}  // namespace lantern::rig
