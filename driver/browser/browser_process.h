// One Chromium process group started with Boost.Process: its own process
// group (so shutdown reaches the zygote, GPU and renderer children too),
// PR_SET_PDEATHSIG so it dies with the rig, stderr captured, the DevTools
// endpoint found with a timeout. Knows nothing about CDP: the graceful
// Browser.close step lives in browser/browser.h.
//
// PR_SET_PDEATHSIG fires when the *thread* that launched the browser exits:
// launch from a thread that outlives the browser (the rig uses its main thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "browser/chromium_flags.h"
#include "browser/devtools_endpoint.h"
#include "browser/stderr_collector.h"
#include "browser/user_data_dir.h"

namespace lantern::rig {

struct LaunchOptions {
  std::string executable;  // a resolved path (see resolve_browser)
  FlagProfile profile = FlagProfile::kSwiftShader;
  // Empty: a fresh temporary profile (cold). Otherwise a kept dir (warm).
  std::string kept_profile_dir;
  std::vector<std::string> extra_flags;
  std::map<std::string, std::string> extra_env;
  std::chrono::milliseconds startup_timeout{20000};
  std::size_t stderr_tail_bytes = 32 * 1024;
};

// Launch failures carry the browser's stderr tail.
class BrowserLaunchError : public std::runtime_error {
 public:
  BrowserLaunchError(const std::string& what, std::string stderr_tail)
      : std::runtime_error(what), stderr_tail_(std::move(stderr_tail)) {}
  const std::string& stderr_tail() const { return stderr_tail_; }

 private:
  std::string stderr_tail_;
};

class BrowserProcess {
 public:
  // Starts the browser and waits for its DevTools endpoint. Throws
  // BrowserLaunchError (with the stderr tail) on failure or timeout; never
  // leaves a process behind when it throws.
  static std::unique_ptr<BrowserProcess> launch(const LaunchOptions& options);

  BrowserProcess(const BrowserProcess&) = delete;
  BrowserProcess& operator=(const BrowserProcess&) = delete;
  // Terminates (SIGTERM, short grace, SIGKILL) if still running, reaps,
  // removes a fresh profile dir.
  ~BrowserProcess();

  pid_t pid() const { return pid_; }
  const DevToolsEndpoint& endpoint() const { return endpoint_; }
  const std::string& user_data_dir() const { return user_data_dir_; }
  const std::vector<std::string>& command_line() const { return argv_; }

  // True while the main browser process has not exited (reaps it if it has).
  bool running();
  // Waits up to `timeout` for the main process to exit; true if it has.
  bool wait_for_exit(std::chrono::milliseconds timeout);
  // "exited with status N" / "killed by signal N (SIGKILL)" / "running".
  std::string exit_description();
  // SIGTERM to the group, wait up to `grace`, then SIGKILL to the group, reap.
  // Also kills stray group members left after the main process exited.
  void terminate(std::chrono::milliseconds grace);
  // SIGKILL to the whole group at once (crash simulation); does not wait.
  void kill_now();

  std::string stderr_tail() const;

 private:
  BrowserProcess() = default;
  void reap_nonblocking();
  void finish();  // after the main pid is reaped: sweep the group, unregister

  pid_t pid_ = -1;
  bool reaped_ = false;
  bool finished_ = false;
  int wait_status_ = 0;
  DevToolsEndpoint endpoint_;
  std::optional<UserDataDir> profile_;
  std::string user_data_dir_;
  std::vector<std::string> argv_;
  std::unique_ptr<StderrCollector> stderr_;
};

}  // namespace lantern::rig
