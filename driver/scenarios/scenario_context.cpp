#include "scenarios/scenario_context.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "browser/live_browsers.h"

namespace lantern::rig {

using namespace std::chrono_literals;

namespace {
// A launched browser's CDP calls may not outlive the scenario by much.
constexpr auto kMaxCdpTimeout = std::chrono::milliseconds(30000);
constexpr auto kCloseGrace = std::chrono::milliseconds(5000);
}  // namespace

ScenarioContext::ScenarioContext(ScenarioSettings settings)
    : settings_(std::move(settings)), started_(Clock::now()), deadline_(started_ + settings_.timeout) {}

ScenarioContext::~ScenarioContext() { teardown(); }

// --- server ---

std::string ScenarioContext::pages_dir() const { return settings_.source_dir + "/fixtures/pages"; }

std::string ScenarioContext::shared_dir() const {
  if (const char* d = std::getenv("LANTERN_SHARED_DIR")) return d;
  return settings_.source_dir + "/../shared";
}

std::string ScenarioContext::stories_dir() const { return shared_dir() + "/models/stories260K"; }

std::string ScenarioContext::wasm_dir() const {
  const char* d = std::getenv("LANTERN_WASM_DIR");
  const std::string dir = d ? d : settings_.source_dir + "/build-wasm/web";
  expect(std::filesystem::exists(dir + "/lantern.mjs"), "the wasm build in " + dir + " (build it with ci/build_wasm.sh)");
  return dir;
}

HttpServer& ScenarioContext::start_server(std::vector<Mount> extra_mounts, bool coop_coep) {
  if (server_) fail("start_server called twice");
  HttpServerOptions opts;
  opts.mounts.push_back({"/", pages_dir()});
  for (auto& m : extra_mounts) opts.mounts.push_back(std::move(m));
  opts.coop_coep = coop_coep;
  server_ = std::make_unique<HttpServer>(std::move(opts));
  server_->start();
  log("server listening on " + server_->base_url());
  return *server_;
}

HttpServer& ScenarioContext::server() {
  if (!server_) fail("the scenario used the server before start_server()");
  return *server_;
}

std::string ScenarioContext::url(const std::string& path) { return server().url(path); }
std::string ScenarioContext::origin() { return server().base_url(); }

std::string ScenarioContext::scratch_dir() {
  if (scratch_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/lantern-rig-scenario-XXXXXX";
    if (!::mkdtemp(templ.data())) fail("cannot create a scratch directory under " + templ);
    scratch_ = templ;
  }
  return scratch_;
}

// --- browsers and pages ---

Browser& ScenarioContext::launch_browser(const BrowserSpec& spec) {
  LaunchOptions lo;
  lo.executable = settings_.browser_path;
  lo.profile = spec.profile.value_or(settings_.profile);
  lo.kept_profile_dir = spec.kept_profile_dir;
  lo.extra_flags = settings_.extra_browser_flags;
  lo.extra_flags.insert(lo.extra_flags.end(), spec.extra_flags.begin(), spec.extra_flags.end());
  lo.startup_timeout = budget(20s, "launching the browser");
  BrowserConnectOptions co;
  co.connect_timeout = budget(10s, "connecting to the browser");
  co.cdp.default_timeout = std::min<std::chrono::milliseconds>(kMaxCdpTimeout, settings_.timeout);
  co.cdp.log = [this](const std::string& line) { log("[cdp] " + line); };
  auto t0 = Clock::now();
  std::unique_ptr<Browser> b;
  try {
    b = Browser::launch(lo, co);
  } catch (const BrowserLaunchError& e) {
    last_stderr_ = e.stderr_tail();
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(groups_mu_);
    groups_.push_back(b->process().pid());
  }
  log("launched " + settings_.browser_name + " [" + flag_profile_name(lo.profile) + "] pid " +
      std::to_string(b->process().pid()) + (lo.kept_profile_dir.empty() ? " (fresh profile)" : " (kept profile)") +
      " in " + std::to_string(static_cast<int>(std::chrono::duration<double, std::milli>(Clock::now() - t0).count())) +
      " ms");
  browsers_.push_back(std::move(b));
  return *browsers_.back();
}

bool ScenarioContext::close_browser(Browser& browser) {
  // Pages of this browser go first: their subscriptions use its connection.
  for (auto& p : pages_)
    if (p && &p->browser() == &browser) p.reset();
  auto t0 = Clock::now();
  bool clean = browser.close(std::min<std::chrono::milliseconds>(kCloseGrace, std::max(remaining(), 100ms)));
  last_stderr_ = browser.process().stderr_tail();
  log(std::string("closed browser pid ") + std::to_string(browser.process().pid()) +
      (clean ? " cleanly" : " (not clean: " + browser.process().exit_description() + ")") + " in " +
      std::to_string(static_cast<int>(std::chrono::duration<double, std::milli>(Clock::now() - t0).count())) + " ms");
  return clean;
}

ScenarioPage& ScenarioContext::open_page(Browser& browser, const std::string& path_or_url, const PageOptions& options) {
  pages_.push_back(std::make_unique<ScenarioPage>(*this, browser, options));
  ScenarioPage& page = *pages_.back();
  std::string target = path_or_url.rfind("/", 0) == 0 ? url(path_or_url) : path_or_url;
  page.navigate(target);
  return page;
}

void ScenarioContext::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(helpers_mu_);
  helpers_.emplace_back([this, delay, fn = std::move(fn)] {
    std::unique_lock<std::mutex> l(helpers_mu_);
    if (helpers_cv_.wait_for(l, delay, [this] { return helpers_cancelled_; })) return;
    l.unlock();
    try {
      fn();
    } catch (const std::exception& e) {
      log(std::string("helper action threw: ") + e.what());
    }
  });
}

// --- time ---

double ScenarioContext::elapsed_ms(Clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(t - started_).count();
}

std::chrono::milliseconds ScenarioContext::remaining() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
}

std::chrono::milliseconds ScenarioContext::budget(std::chrono::milliseconds want, const std::string& what) const {
  auto left = remaining();
  if (left <= 0ms)
    fail("scenario timeout (" + std::to_string(settings_.timeout.count()) + " ms) reached before " + what);
  return std::min(want, left);
}

// --- log, metrics, assertions ---

void ScenarioContext::log(const std::string& line) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%8.1f ms] ", elapsed_ms(Clock::now()));
  std::string entry = stamp + line;
  std::lock_guard<std::mutex> lock(log_mu_);
  if (settings_.verbose) std::cerr << "  " << entry << "\n";
  log_.push_back(std::move(entry));
}

std::vector<std::string> ScenarioContext::log_lines() const {
  std::lock_guard<std::mutex> lock(log_mu_);
  return log_;
}

void ScenarioContext::metric(const std::string& name, nlohmann::json value) {
  std::lock_guard<std::mutex> lock(log_mu_);
  metrics_[name] = std::move(value);
}

nlohmann::json ScenarioContext::metrics() const {
  std::lock_guard<std::mutex> lock(log_mu_);
  return metrics_;
}

void ScenarioContext::fail(const std::string& reason) const { throw ScenarioFailure(reason); }

// --- runner support ---

void ScenarioContext::abort_browsers() {
  std::lock_guard<std::mutex> lock(groups_mu_);
  for (pid_t pg : groups_)
    if (live_browsers::contains(pg)) ::kill(-pg, SIGKILL);
}

std::vector<pid_t> ScenarioContext::browser_groups() const {
  std::lock_guard<std::mutex> lock(groups_mu_);
  return groups_;
}

std::string ScenarioContext::last_browser_stderr() const {
  if (!browsers_.empty() && browsers_.back()) return browsers_.back()->process().stderr_tail();
  return last_stderr_;
}

void ScenarioContext::teardown() {
  {
    std::lock_guard<std::mutex> lock(helpers_mu_);
    helpers_cancelled_ = true;
  }
  helpers_cv_.notify_all();
  for (auto& t : helpers_)
    if (t.joinable()) t.join();
  helpers_.clear();
  pages_.clear();  // subscriptions first: they use the browsers' connections
  for (auto& b : browsers_) {
    if (!b || b->closed()) continue;
    bool clean = b->close(std::chrono::milliseconds(2000));
    if (!clean) log("browser pid " + std::to_string(b->process().pid()) + " ended at teardown: " +
                    b->process().exit_description());
  }
  if (!browsers_.empty() && browsers_.back()) last_stderr_ = browsers_.back()->process().stderr_tail();
  browsers_.clear();
  if (server_) {
    server_->stop();
    server_.reset();
  }
  if (!scratch_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
    scratch_.clear();
  }
}

}  // namespace lantern::rig
