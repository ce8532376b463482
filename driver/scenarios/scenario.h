// A scenario: a named check in a suite, run against one browser and flag
// profile, with a per-scenario timeout. Its body drives a ScenarioContext
// (server, browsers, pages, events) and throws ScenarioFailure (or any
// exception) to fail with a reason.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace lantern::rig {

class ScenarioContext;

// A failed expectation. The message says what was expected and what happened.
class ScenarioFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Scenario {
  std::string name;
  std::string suite;
  std::string description;
  std::function<void(ScenarioContext&)> run;
  // Self-test scenarios that must fail: the scenario passes when its body
  // fails with a reason containing this text, within the timeout, and leaves
  // no browser process behind.
  std::string expect_failure_containing;
};

enum class ScenarioStatus { kPassed, kFailed, kSkipped };
const char* scenario_status_name(ScenarioStatus status);

struct ScenarioResult {
  std::string scenario;
  std::string suite;
  std::string browser;   // short name (headless-shell, chromium, or file name)
  std::string profile;   // flag profile name
  ScenarioStatus status = ScenarioStatus::kSkipped;
  std::string reason;    // why it failed or was skipped; the expected failure for self-tests
  double seconds = 0;    // wall time of the last attempt
  int attempts = 0;
  std::vector<std::string> log;       // scenario log (all attempts), timestamped
  std::string browser_stderr_tail;    // of the last browser, kept on failure
  std::vector<int> browser_process_groups;  // every browser launched (last attempt)
  nlohmann::json metrics = nlohmann::json::object();  // numbers the scenario recorded
};

}  // namespace lantern::rig
