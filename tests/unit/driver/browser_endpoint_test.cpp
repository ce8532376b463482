// DevTools endpoint discovery (driver/browser/devtools_endpoint) and the
// stderr collector that spots the "DevTools listening on" line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

// A fresh profile dir lives in $TMPDIR for this test only.
class ScopedTmpdir {
 public:
  ScopedTmpdir() {
    const char* old = std::getenv("TMPDIR");
    if (old) old_ = old;
    had_ = old != nullptr;
    std::string templ = std::filesystem::temp_directory_path().string() + "/lantern-profiles-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
    ::setenv("TMPDIR", path_.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (had_) ::setenv("TMPDIR", old_.c_str(), 1);
    else ::unsetenv("TMPDIR");
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_, old_;
  bool had_ = false;
};

// A child process that takes a fresh profile, reports its path and waits to
// be killed, as a rig would that gets SIGKILL mid-run.
struct ProfileHolder {
  pid_t pid = -1;
  std::string path;
  ProfileHolder() {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      UserDataDir d = UserDataDir::fresh();
      const std::string p = d.path() + "\n";
      if (::write(fds[1], p.data(), p.size()) != static_cast<ssize_t>(p.size())) _exit(1);
      for (;;) ::pause();
    }
    ::close(fds[1]);
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') path += c;
    ::close(fds[0]);
  }
  void kill() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  ~ProfileHolder() { kill(); }
};

TEST(UserDataDirTest, ProfileOfAKilledRigIsRemovedByTheNextStartALiveOnesIsNot) {
  ScopedTmpdir tmp;
  ProfileHolder killed, alive;
  ASSERT_FALSE(killed.path.empty());
  ASSERT_FALSE(alive.path.empty());
  ASSERT_NE(killed.path, alive.path);
  std::ofstream(killed.path + "/Cookies") << "x";
  killed.kill();
  ASSERT_TRUE(std::filesystem::is_directory(killed.path)) << "SIGKILL leaves the profile behind";
  {
    UserDataDir next = UserDataDir::fresh();
    EXPECT_FALSE(std::filesystem::exists(killed.path)) << "the killed rig's profile was left behind";
    EXPECT_TRUE(std::filesystem::is_directory(alive.path)) << "a live rig's profile was removed";
    EXPECT_TRUE(std::filesystem::is_directory(next.path()));
  }
  alive.kill();
  { UserDataDir next = UserDataDir::fresh(); }
  EXPECT_FALSE(std::filesystem::exists(alive.path));
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(UserDataDirTest, OnlyProfilesWhoseOwnerIsGoneAreRemoved) {
  ScopedTmpdir tmp;
  UserDataDir mine = UserDataDir::fresh();
  const std::string name = std::filesystem::path(mine.path()).filename().string();
  const std::string pid = std::to_string(::getpid());
  ASSERT_EQ(0u, name.rfind("lantern-rig-profile-" + pid + "-", 0)) << name;
  const std::string ticks = name.substr(std::string("lantern-rig-profile-" + pid + "-").size(),
                                        name.rfind('-') - std::string("lantern-rig-profile-" + pid + "-").size());
  auto make = [&](const std::string& n) {
    std::filesystem::create_directories(tmp.path() + "/" + n + "/Default");
    return tmp.path() + "/" + n;
  };
  const std::string reused = make("lantern-rig-profile-" + pid + "-" + std::to_string(std::stoull(ticks) + 1) + "-aaaaaa");
  const std::string legacy = make("lantern-rig-profile-Ab12Cd");
  const std::string odd = make("lantern-rig-profile-12x-34-bbbbbb");
  const std::string other = make("not-a-profile-1-2-cccccc");
  EXPECT_EQ(1, remove_stale_profile_dirs(tmp.path()));
  EXPECT_FALSE(std::filesystem::exists(reused)) << "same pid, other start time: its owner is gone";
  EXPECT_TRUE(std::filesystem::is_directory(mine.path()));
  EXPECT_TRUE(std::filesystem::is_directory(legacy));
  EXPECT_TRUE(std::filesystem::is_directory(odd));
  EXPECT_TRUE(std::filesystem::is_directory(other));
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
