// The rig's server under clients that hold its resources without finishing:
// 70 connections (more than libwebsockets' 64 request-header slots) that
// dribble unfinished headers, or ask for a large file and never read it. A
// normal client must still be answered within a few seconds, and the stalled
// connections must be closed after a bounded time. Real sockets on
// 127.0.0.1 only; short timeouts set through HttpServerOptions.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <thread>

#include "server/http_server.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;
using test::HttpResponse;
using test::TempDir;
using test::TestHttpConnection;
using Clock = std::chrono::steady_clock;

constexpr int kStalled = 70;  // > the 64-slot header pool
constexpr unsigned kTimeoutS = 2;

// A plain loopback socket; a small receive buffer makes a client that never
// reads block the server's writes sooner.
int connect_raw(uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_text(int fd, const std::string& s) { return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }

// True when the server closed `fd` (EOF or reset) within `wait`; reads and
// discards whatever else arrives meanwhile.
bool closed_by_server(int fd, std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  char buf[65536];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 1))) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
  }
  return false;
}

class ServerSlowClients : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.write("site/small.txt", "small and quick");
    tmp_.write("site/big.bin", std::string(32u << 20, 'x'));  // far more than any socket buffers
    HttpServerOptions options;
    options.mounts = {{"/", tmp_.path() / "site"}};
    options.header_timeout_s = kTimeoutS;
    options.send_timeout_s = kTimeoutS;
    server_ = std::make_unique<HttpServer>(options);
    server_->start();
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
    server_->stop();
  }

  // A normal GET on a fresh connection: its time to the whole answer.
  double normal_get_seconds(HttpResponse* out) {
    const auto t0 = Clock::now();
    TestHttpConnection c(server_->port(), 10s);
    *out = c.request("GET", "/small.txt");
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

  TempDir tmp_;
  std::unique_ptr<HttpServer> server_;
  std::vector<int> fds_;
};

TEST_F(ServerSlowClients, UnfinishedHeadersDoNotStallOtherClients) {
  for (int i = 0; i < kStalled; ++i) {
    const int fd = connect_raw(server_->port());
    ASSERT_GE(fd, 0);
    fds_.push_back(fd);
    ASSERT_TRUE(send_text(fd, "GET /small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // no blank line: unfinished
  }
  // Keep them busy: one more header byte every 300 ms, never the end.
  std::atomic<bool> stop{false};
  std::thread dribbler([&] {
    while (!stop) {
      for (int fd : fds_) send_text(fd, "X");
      std::this_thread::sleep_for(300ms);
    }
  });
  std::this_thread::sleep_for(200ms);
  HttpResponse r;
  const double seconds = normal_get_seconds(&r);
  EXPECT_EQ(200, r.status) << r.error;
  EXPECT_EQ("small and quick", r.body);
  EXPECT_LT(seconds, kTimeoutS + 4.0) << "a normal GET waited behind " << kStalled << " unfinished requests";
  // Every dribbling connection is dropped within the header timeout (+ slack).
  int closed = 0;
  for (int fd : fds_) closed += closed_by_server(fd, std::chrono::milliseconds((kTimeoutS + 4) * 1000)) ? 1 : 0;
  stop = true;
  dribbler.join();
  EXPECT_EQ(kStalled, closed) << "connections that never finished their headers were left open";
}

TEST_F(ServerSlowClients, ConnectionsThatSendNothingDoNotStallOtherClients) {
  for (int i = 0; i < kStalled; ++i) {
    const int fd = connect_raw(server_->port());
    ASSERT_GE(fd, 0);
    fds_.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);
  HttpResponse r;
  const double seconds = normal_get_seconds(&r);
  EXPECT_EQ(200, r.status) << r.error;
  EXPECT_LT(seconds, kTimeoutS + 4.0) << "a normal GET waited behind " << kStalled << " silent connections";
  int closed = 0;
  for (int fd : fds_) closed += closed_by_server(fd, std::chrono::milliseconds((kTimeoutS + 4) * 1000)) ? 1 : 0;
  EXPECT_EQ(kStalled, closed) << "connections that never sent a byte were left open";
}

TEST_F(ServerSlowClients, ClientsThatNeverReadALargeResponseDoNotStallOtherClients) {
  for (int i = 0; i < kStalled; ++i) {
    const int fd = connect_raw(server_->port(), 4096);
    ASSERT_GE(fd, 0);
    fds_.push_back(fd);
    ASSERT_TRUE(send_text(fd, "GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));  // and never read
  }
  std::this_thread::sleep_for(500ms);
  HttpResponse r;
  const double seconds = normal_get_seconds(&r);
  EXPECT_EQ(200, r.status) << r.error;
  EXPECT_EQ("small and quick", r.body);
  EXPECT_LT(seconds, kTimeoutS + 4.0) << "a normal GET waited behind " << kStalled << " clients that do not read";
  // The stalled responses are cut off and recorded as aborted (seen from the
  // server's side: reading on the client would let them go on).
  ASSERT_TRUE(server_->wait_idle(std::chrono::seconds(kTimeoutS + 5))) << "responses nobody reads were kept open";
  int aborted = 0;
  for (const auto& rec : server_->byte_log().requests)
    if (rec.path == "/big.bin") aborted += rec.completed ? 0 : 1;
  EXPECT_EQ(kStalled, aborted);
}

}  // namespace
}  // namespace lantern::rig
