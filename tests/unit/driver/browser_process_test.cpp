// BrowserProcess lifecycle with stand-in "browsers" (shell scripts): launch
// failures carry a clear reason and stderr, timeouts kill the whole process
// group, and nothing is left running. Real Chromium is in tests/browser/.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "browser/browser.h"
#include "browser/browser_process.h"
#include "browser/live_browsers.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string write_script(const std::string& name, const std::string& body) {
  std::string path = ::testing::TempDir() + "/" + name;
  { std::ofstream(path) << "#!/bin/sh\n" << body; }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

std::string flag_value(const std::string& script_arg_dump, const std::string& flag) {
  auto pos = script_arg_dump.find(flag);
  if (pos == std::string::npos) return "";
  auto end = script_arg_dump.find('\n', pos);
  return script_arg_dump.substr(pos + flag.size(), end - pos - flag.size());
}

TEST(BrowserProcessTest, MissingExecutableIsAClearError) {
  LaunchOptions opts;
  opts.executable = "/nonexistent/chromium";
  try {
    BrowserProcess::launch(opts);
    FAIL() << "launch should throw";
  } catch (const BrowserLaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/chromium"), std::string::npos) << e.what();
  }
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserProcessTest, EarlyExitReportsStatusAndStderr) {
  LaunchOptions opts;
  opts.executable = write_script("early_exit.sh", "echo 'fatal: no display' >&2\nexit 3\n");
  auto t0 = Clock::now();
  try {
    BrowserProcess::launch(opts);
    FAIL() << "launch should throw";
  } catch (const BrowserLaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
    EXPECT_NE(e.stderr_tail().find("fatal: no display"), std::string::npos) << e.stderr_tail();
  }
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserProcessTest, EndpointTimeoutKillsTheWholeGroup) {
  // The script starts a grandchild; both must be gone after the timeout.
  std::string pidfile = ::testing::TempDir() + "/grandchild.pid";
  std::filesystem::remove(pidfile);
  LaunchOptions opts;
  opts.executable = write_script("silent.sh", "sleep 60 &\necho $! > " + pidfile + "\nwait\n");
  opts.startup_timeout = 300ms;
  auto t0 = Clock::now();
  EXPECT_THROW(BrowserProcess::launch(opts), BrowserLaunchError);
  EXPECT_LT(Clock::now() - t0, 3s);
  std::ifstream in(pidfile);
  pid_t grandchild = 0;
  ASSERT_TRUE(in >> grandchild);
  EXPECT_FALSE(live_browsers::process_alive(grandchild)) << "grandchild " << grandchild << " survived";
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserProcessTest, EndpointFromStderrLineAndCleanTerminate) {
  // A fake browser that prints the DevTools line, records its args, and
  // ignores SIGTERM so terminate() has to escalate to SIGKILL.
  std::string argfile = ::testing::TempDir() + "/fake_args.txt";
  LaunchOptions opts;
  opts.executable = write_script("fake_browser.sh",
                                 "trap '' TERM\n"
                                 "for a in \"$@\"; do echo \"$a\"; done > " + argfile + "\n"
                                 "echo 'DevTools listening on ws://127.0.0.1:4321/devtools/browser/fake' >&2\n"
                                 "while true; do sleep 0.05; done\n");
  auto proc = BrowserProcess::launch(opts);
  EXPECT_EQ(4321, proc->endpoint().port);
  EXPECT_EQ("/devtools/browser/fake", proc->endpoint().path);
  EXPECT_TRUE(proc->running());
  EXPECT_EQ(1u, live_browsers::count());
  std::string profile = proc->user_data_dir();
  EXPECT_TRUE(std::filesystem::is_directory(profile));

  std::ifstream in(argfile);
  std::string dump((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(profile, flag_value(dump, "--user-data-dir="));
  EXPECT_NE(dump.find("--remote-debugging-port=0"), std::string::npos);

  pid_t pgid = proc->pid();
  auto t0 = Clock::now();
  proc->terminate(200ms);
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_FALSE(proc->running());
  EXPECT_NE(proc->exit_description().find("SIGKILL"), std::string::npos) << proc->exit_description();
  EXPECT_TRUE(live_browsers::processes_in_group(pgid).empty());
  EXPECT_EQ(0u, live_browsers::count());
  proc.reset();
  EXPECT_FALSE(std::filesystem::exists(profile)) << "fresh profile dir should be removed";
}

TEST(BrowserProcessTest, KeptProfileSurvivesAndStalePortFileIsIgnored) {
  std::string kept = ::testing::TempDir() + "/kept_profile";
  std::filesystem::create_directories(kept);
  // A stale port file from an earlier run must not be taken as this run's.
  std::ofstream(kept + "/DevToolsActivePort") << "1111\n/devtools/browser/stale\n";
  LaunchOptions opts;
  opts.kept_profile_dir = kept;
  opts.executable = write_script("port_file_browser.sh",
                                 "for a in \"$@\"; do case \"$a\" in --user-data-dir=*) d=${a#*=};; esac; done\n"
                                 "sleep 0.2\nprintf '2222\\n/devtools/browser/new\\n' > \"$d/DevToolsActivePort\"\n"
                                 "exec sleep 60\n");
  auto proc = BrowserProcess::launch(opts);
  EXPECT_EQ(2222, proc->endpoint().port);
  proc.reset();  // destructor terminates
  EXPECT_TRUE(std::filesystem::is_directory(kept));
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserTest, LaunchFailureThrowsAndLeavesNothing) {
  LaunchOptions opts;
  opts.executable = write_script("dies.sh", "echo 'no GPU process' >&2\nexit 1\n");
  try {
    Browser::launch(opts);
    FAIL() << "launch should throw";
  } catch (const BrowserLaunchError& e) {
    EXPECT_NE(e.stderr_tail().find("no GPU process"), std::string::npos);
  }
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserTest, UnreachableDevToolsEndpointIsALaunchError) {
  // Port 9 on loopback: nothing listens there, the connect is refused.
  LaunchOptions opts;
  opts.executable = write_script("no_devtools.sh",
                                 "echo 'DevTools listening on ws://127.0.0.1:9/devtools/browser/x' >&2\n"
                                 "exec sleep 60\n");
  BrowserConnectOptions co;
  co.connect_timeout = 2s;
  auto t0 = Clock::now();
  try {
    Browser::launch(opts, co);
    FAIL() << "launch should throw";
  } catch (const BrowserLaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to the browser's DevTools"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(0u, live_browsers::count());
}

}  // namespace
}  // namespace lantern::rig
