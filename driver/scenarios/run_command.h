// `lantern-rig run`: parse options, expand the matrix, run every planned
// scenario (per-scenario timeout, optional retries), print progress and a
// table, write report.json and junit.xml. Exit status: 0 all passed,
// 1 a scenario failed, 2 bad usage or config, 130 interrupted.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lantern::rig {

struct RunCommandOptions {
  std::optional<std::string> suite;
  std::optional<std::string> browser;
  std::optional<std::string> flags;
  std::optional<std::string> config;
  std::optional<std::string> filter;
  std::optional<int> retries;
  std::optional<double> timeout_s;
  std::string report_dir = "lantern-rig-report";
  std::string source_dir;  // empty: $LANTERN_SOURCE_DIR or the build's source tree
  std::vector<std::string> browser_args;
  bool list = false;
  bool verbose = false;
  bool help = false;
};

// args exclude the program name and the "run" word. Returns nullopt and sets
// *error on a bad option.
std::optional<RunCommandOptions> parse_run_options(const std::vector<std::string>& args, std::string* error);
std::string run_command_help();
// The repository root: $LANTERN_SOURCE_DIR, else the tree lantern-rig was built from.
std::string default_source_dir();
// Entry point for the subcommand table; argv[0] is "run".
int run_command(int argc, char** argv);

}  // namespace lantern::rig
