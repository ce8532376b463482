// DevTools endpoint discovery (driver/browser/devtools_endpoint) and the
// stderr collector that spots the "DevTools listening on" line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "browser/devtools_endpoint.h"
#include "browser/stderr_collector.h"
#include "browser/user_data_dir.h"

namespace lantern::rig {
namespace {

TEST(DevToolsActivePort, ParsesPortAndPath) {
  auto ep = parse_devtools_active_port("39755\n/devtools/browser/bb29797e-e711\n");
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(39755, ep->port);
  EXPECT_EQ("/devtools/browser/bb29797e-e711", ep->path);
  EXPECT_EQ("ws://127.0.0.1:39755/devtools/browser/bb29797e-e711", ep->url());
}

TEST(DevToolsActivePort, RejectsPartialOrBadContents) {
  EXPECT_FALSE(parse_devtools_active_port("").has_value());
  EXPECT_FALSE(parse_devtools_active_port("39755").has_value());     // mid-write
  EXPECT_FALSE(parse_devtools_active_port("39755\n").has_value());   // no path yet
  EXPECT_FALSE(parse_devtools_active_port("abc\n/devtools/x\n").has_value());
  EXPECT_FALSE(parse_devtools_active_port("0\n/devtools/x\n").has_value());
  EXPECT_FALSE(parse_devtools_active_port("70000\n/devtools/x\n").has_value());
  EXPECT_FALSE(parse_devtools_active_port("9222\ndevtools/x\n").has_value());
}

TEST(DevToolsListeningLine, FoundAmongOtherStderrLines) {
  std::string text =
      "[1122/003508.427082:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
      "\n"
      "DevTools listening on ws://127.0.0.1:41234/devtools/browser/abc-def\n"
      "[1122/003508.501079:WARNING:bluez] Floss\n";
  auto ep = parse_devtools_listening_line(text);
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ("127.0.0.1", ep->host);
  EXPECT_EQ(41234, ep->port);
  EXPECT_EQ("/devtools/browser/abc-def", ep->path);
}

TEST(DevToolsListeningLine, IncompleteLineIsNotTrusted) {
  EXPECT_FALSE(parse_devtools_listening_line("DevTools listening on ws://127.0.0.1:41234/devtools/bro").has_value());
  EXPECT_FALSE(parse_devtools_listening_line("DevTools listening on http://x:1/\n").has_value());
  EXPECT_FALSE(parse_devtools_listening_line("nothing here\n").has_value());
}

TEST(DevToolsActivePort, ReadFromProfileDir) {
  UserDataDir dir = UserDataDir::fresh();
  EXPECT_FALSE(read_devtools_active_port(dir.path()).has_value());
  std::ofstream(dir.path() + "/DevToolsActivePort") << "1234\n/devtools/browser/x\n";
  auto ep = read_devtools_active_port(dir.path());
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(1234, ep->port);
}

TEST(UserDataDirTest, FreshIsRemovedKeptIsNot) {
  std::string fresh_path, kept_path;
  {
    UserDataDir fresh = UserDataDir::fresh();
    fresh_path = fresh.path();
    EXPECT_TRUE(fresh.is_fresh());
    std::ofstream(fresh_path + "/file") << "x";
    UserDataDir kept = UserDataDir::kept(fresh_path + "/kept");
    kept_path = kept.path();
    EXPECT_FALSE(kept.is_fresh());
  }
  EXPECT_FALSE(std::filesystem::exists(fresh_path));
  // kept lived inside fresh, so it went with it; check a kept dir on its own:
  UserDataDir base = UserDataDir::fresh();
  { UserDataDir kept = UserDataDir::kept(base.path() + "/k"); }
  EXPECT_TRUE(std::filesystem::is_directory(base.path() + "/k"));
}

TEST(StderrCollectorTest, KeepsTailAndFindsEndpoint) {
  int fds[2];
  ASSERT_EQ(0, ::pipe(fds));
  StderrCollector collector(fds[0], 64);
  std::string noise(200, 'x');
  noise += "\n";
  ASSERT_EQ(static_cast<ssize_t>(noise.size()), ::write(fds[1], noise.data(), noise.size()));
  std::string line = "DevTools listening on ws://127.0.0.1:5555/devtools/browser/q\nlast line\n";
  ASSERT_EQ(static_cast<ssize_t>(line.size()), ::write(fds[1], line.data(), line.size()));
  ::close(fds[1]);
  for (int i = 0; i < 200 && !collector.at_eof(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(collector.at_eof());
  auto ep = collector.devtools_endpoint();
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(5555, ep->port);
  EXPECT_EQ(noise.size() + line.size(), collector.total_bytes());
  std::string tail = collector.tail();
  EXPECT_NE(tail.find("last line"), std::string::npos) << tail;
  EXPECT_EQ(tail.find("xxxxxxxxxx"), std::string::npos) << "old output should be cut: " << tail;
}

TEST(StderrCollectorTest, StopReturnsWhileWriterStillOpen) {
  int fds[2];
  ASSERT_EQ(0, ::pipe(fds));
  auto t0 = std::chrono::steady_clock::now();
  {
    StderrCollector collector(fds[0], 1024);
    collector.stop();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ::close(fds[1]);
}

}  // namespace
}  // namespace lantern::rig
