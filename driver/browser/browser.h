// A launched browser with its DevTools connection: BrowserProcess (the OS
// side) plus a CdpConnection over the libwebsockets transport. Shutdown is
// layered: CDP Browser.close (clean: profile and Cache API data are flushed),
// wait, then SIGTERM to the group, then SIGKILL. The destructor always
// cleans up, so a failing scenario never leaves a browser behind.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "browser/browser_process.h"
#include "cdp/cdp_connection.h"

namespace lantern::rig {

struct BrowserConnectOptions {
  std::chrono::milliseconds connect_timeout{10000};
  CdpConnectionOptions cdp;
};

class Browser {
 public:
  // Launches and connects; throws BrowserLaunchError (with the stderr tail)
  // on any failure, leaving no process behind.
  static std::unique_ptr<Browser> launch(const LaunchOptions& launch, const BrowserConnectOptions& connect = {});

  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;
  ~Browser();  // close(short grace) if still open

  CdpConnection& cdp() { return *connection_; }
  BrowserProcess& process() { return *process_; }

  // Browser.close, then up to `grace` for the process to exit by itself;
  // otherwise SIGTERM/SIGKILL. Returns true when the shutdown was clean
  // (the browser exited on its own after Browser.close). Idempotent.
  bool close(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL to the whole process group now (simulates a crash).
  void kill();
  bool closed() const { return closed_; }

 private:
  Browser() = default;
  std::unique_ptr<BrowserProcess> process_;
  std::unique_ptr<CdpConnection> connection_;
  bool closed_ = false;
  bool clean_ = false;
};

}  // namespace lantern::rig
