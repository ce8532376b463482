// The run matrix: a JSON file listing browsers x flag profiles x suites, plus
// the per-scenario timeout and retries, expanded into planned runs and
// narrowed by the command line (--suite, --browser, --flags, --filter).
//
//   {
//     "timeout_s": 90, "retries": 0,
//     "matrix": [
//       {"browsers": ["headless-shell"], "profiles": ["swiftshader", "no-webgpu"],
//        "suites": ["basic", "cache", "selftest"]},
//       {"browsers": ["chromium"], "profiles": ["swiftshader"], "suites": ["basic"]},
//       {"browsers": ["headless-shell"], "profiles": ["swiftshader"], "suites": ["webgpu"],
//        "timeout_s": 180}
//     ]
//   }
//
// An entry's own timeout_s applies to its runs (slow suites get room without
// raising every scenario's limit); --timeout on the command line sets all.
// Browsers are names (headless-shell, chromium) or executable paths.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "browser/chromium_flags.h"
#include "scenarios/scenario.h"

namespace lantern::rig {

struct MatrixEntry {
  std::vector<std::string> browsers;
  std::vector<std::string> profiles;
  std::vector<std::string> suites;
  std::optional<std::chrono::milliseconds> timeout{};  // this entry's runs; else the matrix's
};

struct MatrixConfig {
  std::chrono::milliseconds timeout{90000};
  int retries = 0;
  std::vector<MatrixEntry> entries;
};

// Throws std::runtime_error with a message naming the bad key or value.
MatrixConfig parse_matrix(const nlohmann::json& json, const std::vector<std::string>& known_suites);
MatrixConfig load_matrix_file(const std::string& path, const std::vector<std::string>& known_suites);
// headless-shell x swiftshader x every suite: used when no matrix file exists.
MatrixConfig default_matrix(const std::vector<std::string>& known_suites);
nlohmann::json matrix_to_json(const MatrixConfig& config);
// One timeout for every run (the command line's --timeout): the matrix's and
// every entry's.
void set_all_timeouts(MatrixConfig& config, std::chrono::milliseconds timeout);

struct RunFilter {
  std::optional<std::string> suite;    // only this suite (replaces each entry's suites)
  std::optional<std::string> browser;  // this browser instead of the matrix's
  std::optional<std::string> profile;  // this profile instead of the matrix's
  std::optional<std::string> name_glob;  // scenario names matching (fnmatch)
};

struct PlannedRun {
  const Scenario* scenario = nullptr;
  std::string browser_name;
  std::string browser_path;
  FlagProfile profile = FlagProfile::kSwiftShader;
  std::chrono::milliseconds timeout{90000};  // its entry's, else the matrix's
};

// Expands the matrix over `scenarios`, applying the filter; duplicates are
// dropped (keeping the longest of their timeouts), order follows the matrix. Throws std::runtime_error for unknown
// suites, profiles or browsers, or when nothing is left to run.
std::vector<PlannedRun> plan_runs(const MatrixConfig& config, const std::vector<Scenario>& scenarios,
                                  const RunFilter& filter);

}  // namespace lantern::rig
