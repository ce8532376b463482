#include "scenarios/scenario_runner.h"

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "browser/live_browsers.h"
#include "cdp/cdp_errors.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// How long past its timeout a scenario may run before the watchdog kills its
// browsers (every wait in a scenario is already bounded by the deadline; this
// catches anything that is not).
constexpr auto kWatchdogGrace = 5s;

struct Attempt {
  bool body_failed = false;
  std::string reason;
  double seconds = 0;
  std::vector<std::string> log;
  std::string stderr_tail;
  nlohmann::json metrics = nlohmann::json::object();
  std::vector<int> groups;
};

// Processes of the scenario's browsers still alive after teardown.
std::vector<pid_t> leftovers(const std::vector<pid_t>& groups) {
  std::vector<pid_t> left;
  for (pid_t g : groups)
    for (pid_t p : live_browsers::processes_in_group(g)) left.push_back(p);
  return left;
}

Attempt run_once(const Scenario& scenario, const ScenarioSettings& settings) {
  Attempt a;
  const auto t0 = Clock::now();
  ScenarioContext ctx(settings);

  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::atomic<bool> watchdog_fired{false};
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, settings.timeout + kWatchdogGrace, [&] { return finished; })) {
      watchdog_fired = true;
      lock.unlock();
      ctx.log("watchdog: scenario overran its timeout; killing its browsers");
      ctx.abort_browsers();
    }
  });

  try {
    if (int sig = live_browsers::interrupted())
      throw ScenarioFailure("interrupted by signal " + std::to_string(sig) + " before the scenario started");
    scenario.run(ctx);
  } catch (const ScenarioFailure& e) {
    a.body_failed = true;
    a.reason = e.what();
  } catch (const BrowserLaunchError& e) {
    a.body_failed = true;
    a.reason = std::string("browser launch failed: ") + e.what();
  } catch (const CdpConnectionClosed& e) {
    a.body_failed = true;
    a.reason = std::string("browser connection closed: ") + e.what();
  } catch (const CdpException& e) {
    a.body_failed = true;
    a.reason = std::string("DevTools protocol: ") + e.what();
  } catch (const std::exception& e) {
    a.body_failed = true;
    a.reason = std::string("unexpected error: ") + e.what();
  }
  if (a.body_failed) ctx.log("FAILED: " + a.reason);

  const auto groups = ctx.browser_groups();
  try {
    ctx.teardown();
  } catch (const std::exception& e) {
    ctx.log(std::string("teardown error: ") + e.what());
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();

  if (watchdog_fired && !a.body_failed) {
    a.body_failed = true;
    a.reason = "scenario overran its timeout and was aborted";
  }
  if (int sig = live_browsers::interrupted(); sig && !a.body_failed) {
    a.body_failed = true;
    a.reason = "interrupted by signal " + std::to_string(sig);
  }

  // No browser process may outlive its scenario.
  auto left = leftovers(groups);
  for (int i = 0; i < 100 && !left.empty(); ++i) {
    std::this_thread::sleep_for(20ms);
    left = leftovers(groups);
  }
  if (!left.empty()) {
    std::string pids;
    for (pid_t p : left) pids.append(" ").append(std::to_string(p));
    for (pid_t g : groups) ::kill(-g, SIGKILL);
    std::string msg = "left " + std::to_string(left.size()) + " browser process(es) behind (pids" + pids + ")";
    ctx.log(msg);
    a.reason = a.reason.empty() ? msg : a.reason + "; also " + msg;
    a.body_failed = true;
    a.metrics["leftover_processes"] = left.size();
  }

  a.groups.assign(groups.begin(), groups.end());
  a.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  a.log = ctx.log_lines();
  a.stderr_tail = ctx.last_browser_stderr();
  auto m = ctx.metrics();
  for (auto it = m.begin(); it != m.end(); ++it) a.metrics[it.key()] = it.value();
  return a;
}

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const ScenarioSettings& settings, int retries) {
  ScenarioResult r;
  r.scenario = scenario.name;
  r.suite = scenario.suite;
  r.browser = settings.browser_name;
  r.profile = flag_profile_name(settings.profile);
  const double timeout_s = std::chrono::duration<double>(settings.timeout).count();

  for (int attempt = 1; attempt <= 1 + std::max(0, retries); ++attempt) {
    r.attempts = attempt;
    Attempt a = run_once(scenario, settings);
    if (retries > 0) r.log.push_back("--- attempt " + std::to_string(attempt) + " ---");
    r.log.insert(r.log.end(), a.log.begin(), a.log.end());
    r.seconds = a.seconds;
    r.metrics = a.metrics;
    r.browser_process_groups = a.groups;

    bool passed;
    if (!scenario.expect_failure_containing.empty()) {
      // Self-test: it must fail, for the expected reason, within its timeout.
      const bool right_reason = a.body_failed && a.reason.find(scenario.expect_failure_containing) != std::string::npos;
      const bool clean = a.metrics.value("leftover_processes", 0) == 0;
      const bool in_time = a.seconds < timeout_s;
      passed = right_reason && clean && in_time;
      if (passed)
        r.reason = "failed as expected: " + a.reason;
      else if (!a.body_failed)
        r.reason = "expected a failure containing \"" + scenario.expect_failure_containing + "\", but it passed";
      else if (!right_reason)
        r.reason = "expected a failure containing \"" + scenario.expect_failure_containing + "\", got: " + a.reason;
      else if (!in_time)
        r.reason = "failed as expected but only after " + std::to_string(a.seconds) + " s (timeout " +
                   std::to_string(timeout_s) + " s): " + a.reason;
      else
        r.reason = a.reason;
    } else {
      passed = !a.body_failed;
      r.reason = a.reason;
    }
    r.status = passed ? ScenarioStatus::kPassed : ScenarioStatus::kFailed;
    r.browser_stderr_tail = passed ? std::string() : a.stderr_tail;
    if (passed || live_browsers::interrupted()) break;
  }
  return r;
}

}  // namespace lantern::rig
