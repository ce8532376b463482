// Everything a scenario body can do: start the HTTP server (fixtures/pages at
// "/" plus extra mounts), launch browsers (profile, fresh or kept profile
// dir), open pages that report named events, evaluate JS, read the server's
// byte log, record metrics, and assert with expected-vs-actual messages.
// Every wait is bounded by the scenario's deadline. The context owns what it
// starts and tears it all down (pages, browsers, server, scratch files), also
// when the body throws.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "browser/browser.h"
#include "browser/chromium_flags.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_page.h"
#include "server/http_server.h"

namespace lantern::rig {

struct ScenarioSettings {
  std::string browser_name = "headless-shell";  // for reports
  std::string browser_path;                      // resolved executable
  FlagProfile profile = FlagProfile::kSwiftShader;
  std::chrono::milliseconds timeout{90000};
  std::string source_dir;  // repo root (fixtures/pages lives below it)
  std::vector<std::string> extra_browser_flags;
  bool verbose = false;    // echo log lines to stderr as they happen
};

struct BrowserSpec {
  std::optional<FlagProfile> profile;  // default: the run's profile
  std::string kept_profile_dir;        // empty: fresh (cold) profile
  std::vector<std::string> extra_flags = {};  // appended to the run's extra flags (this browser only)
};

// Formats values for expected-vs-actual messages.
template <class T>
std::string display_value(const T& v) {
  if constexpr (std::is_convertible_v<T, std::string_view>) {
    return nlohmann::json(std::string(std::string_view(v))).dump();
  } else if constexpr (std::is_constructible_v<nlohmann::json, const T&>) {
    return nlohmann::json(v).dump();
  } else {
    std::ostringstream os;
    os << v;
    return os.str();
  }
}

class ScenarioContext {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ScenarioContext(ScenarioSettings settings);
  ScenarioContext(const ScenarioContext&) = delete;
  ScenarioContext& operator=(const ScenarioContext&) = delete;
  ~ScenarioContext();

  const ScenarioSettings& settings() const { return settings_; }
  FlagProfile profile() const { return settings_.profile; }

  // --- server ---
  HttpServer& start_server(std::vector<Mount> extra_mounts = {}, bool coop_coep = false);
  HttpServer& server();
  std::string url(const std::string& path);  // http://127.0.0.1:PORT + path
  std::string origin();                      // http://127.0.0.1:PORT
  std::string pages_dir() const;             // <source>/fixtures/pages
  std::string shared_dir() const;            // $LANTERN_SHARED_DIR, else <source>/../shared
  std::string stories_dir() const;           // <shared>/models/stories260K
  // The engine's wasm build: $LANTERN_WASM_DIR, else <source>/build-wasm/web;
  // the scenario fails when it holds no lantern.mjs.
  std::string wasm_dir() const;

  // A temporary directory owned by the scenario (removed at teardown).
  std::string scratch_dir();

  // --- browsers and pages ---
  Browser& launch_browser(const BrowserSpec& spec = {});
  // Browser.close with a bounded grace; true when the shutdown was clean.
  bool close_browser(Browser& browser);
  // A fresh target with the event binding, navigated to `path_or_url`
  // (a path is resolved against the server).
  ScenarioPage& open_page(Browser& browser, const std::string& path_or_url, const PageOptions& options = {});
  // Runs `fn` on a helper thread after `delay` (fault injection, e.g. killing
  // the browser mid-scenario). Cancelled and joined at teardown.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  // --- time ---
  Clock::time_point started() const { return started_; }
  double elapsed_ms(Clock::time_point t) const;  // ms since the scenario started
  std::chrono::milliseconds remaining() const;
  // min(want, remaining); fails the scenario when the deadline has passed.
  std::chrono::milliseconds budget(std::chrono::milliseconds want, const std::string& what) const;

  // --- log, metrics, assertions ---
  void log(const std::string& line);
  std::vector<std::string> log_lines() const;
  void metric(const std::string& name, nlohmann::json value);
  nlohmann::json metrics() const;

  [[noreturn]] void fail(const std::string& reason) const;
  void expect(bool condition, const std::string& what) const {
    if (!condition) fail("expected " + what);
  }
  template <class E, class A>
  void expect_eq(const std::string& what, const E& expected, const A& actual) const {
    if (!(expected == actual))
      fail(what + ": expected " + display_value(expected) + ", got " + display_value(actual));
  }

  // --- for the runner ---
  // SIGKILL every browser this scenario started (watchdog); thread-safe.
  void abort_browsers();
  // Process groups of every browser launched (to check nothing is left).
  std::vector<pid_t> browser_groups() const;
  // stderr tail of the most recently launched browser.
  std::string last_browser_stderr() const;
  // Closes pages, browsers, server; joins helpers; removes scratch. Idempotent.
  void teardown();

 private:
  ScenarioSettings settings_;
  Clock::time_point started_;
  Clock::time_point deadline_;

  mutable std::mutex log_mu_;
  std::vector<std::string> log_;
  nlohmann::json metrics_ = nlohmann::json::object();

  std::unique_ptr<HttpServer> server_;
  std::string scratch_;
  std::vector<std::unique_ptr<Browser>> browsers_;
  std::vector<std::unique_ptr<ScenarioPage>> pages_;
  std::string last_stderr_;

  mutable std::mutex groups_mu_;
  std::vector<pid_t> groups_;

  std::mutex helpers_mu_;
  std::condition_variable helpers_cv_;
  bool helpers_cancelled_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace lantern::rig
