#include "scenarios/run_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "browser/live_browsers.h"
#include "report/console_table.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/run_report.h"
#include "report/version.h"
#include "scenarios/matrix.h"
#include "scenarios/scenario_registry.h"
#include "scenarios/scenario_runner.h"
#include "scenarios/name_list.h"

#ifndef LANTERN_SOURCE_DIR_DEFAULT
#define LANTERN_SOURCE_DIR_DEFAULT "."
#endif

namespace lantern::rig {

std::string default_source_dir() {
  const char* env = std::getenv("LANTERN_SOURCE_DIR");
  return env && *env ? env : LANTERN_SOURCE_DIR_DEFAULT;
}

namespace {

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

std::string run_command_help() {
  std::string h =
      "usage: lantern-rig run [options]\n"
      "\n"
      "Runs scenarios in headless Chromium over the browser x flag-profile x suite\n"
      "matrix, prints a table, writes report.json and junit.xml, and exits non-zero\n"
      "if any scenario failed.\n"
      "\n"
      "options:\n"
      "  --suite NAME       run only this suite (suites: " + join(suite_names()) + ")\n"
      "  --browser B        use this browser instead of the matrix's: a name\n"
      "                     (" + join(known_browser_names()) + ") or an executable path\n"
      "  --flags PROFILE    use this flag profile instead of the matrix's\n"
      "                     (" + join(flag_profile_names()) + ")\n"
      "  --filter GLOB      run only scenarios whose name matches (shell glob, e.g. 'cache-*')\n"
      "  --config FILE      matrix file (default: <source>/driver/matrix.json if present,\n"
      "                     else headless-shell x swiftshader x every suite)\n"
      "  --report DIR       where report.json and junit.xml go (default: lantern-rig-report)\n"
      "  --retries N        extra attempts for a failing scenario (default: the matrix's, 0)\n"
      "  --timeout S        per-scenario timeout in seconds, for every run (default: the\n"
      "                     matrix's, 90, or a matrix entry's own timeout_s)\n"
      "  --browser-arg FLAG extra Chromium flag, repeatable (e.g. --browser-arg=--lang=de)\n"
      "  --source-dir DIR   repository root holding fixtures/pages (default: $LANTERN_SOURCE_DIR\n"
      "                     or the source tree lantern-rig was built from)\n"
      "  --list             print the planned runs and exit\n"
      "  --verbose          echo each scenario's log as it runs\n"
      "  --help             this text\n"
      "\n"
      "scenarios:\n";
  for (const auto& s : all_scenarios()) h += "  " + s.suite + "/" + s.name + ": " + s.description + "\n";
  h += "\nexit status: 0 all passed, 1 a scenario failed, 2 bad usage or config, 130 interrupted\n";
  return h;
}

std::optional<RunCommandOptions> parse_run_options(const std::vector<std::string>& args, std::string* error) {
  RunCommandOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 >= args.size()) {
        *error = arg + " needs a value";
        return std::nullopt;
      }
      return args[++i];
    };
    auto flag_only = [&]() {
      if (inline_value) *error = arg + " takes no value";
      return !inline_value;
    };
    if (arg == "--help" || arg == "-h") {
      if (!flag_only()) return std::nullopt;
      o.help = true;
    } else if (arg == "--list") {
      if (!flag_only()) return std::nullopt;
      o.list = true;
    } else if (arg == "--verbose" || arg == "-v") {
      if (!flag_only()) return std::nullopt;
      o.verbose = true;
    } else if (arg == "--suite" || arg == "--browser" || arg == "--flags" || arg == "--config" ||
               arg == "--filter" || arg == "--report" || arg == "--source-dir" || arg == "--browser-arg" ||
               arg == "--retries" || arg == "--timeout") {
      auto v = value();
      if (!v) return std::nullopt;
      if (v->empty()) {
        *error = arg + " needs a non-empty value";
        return std::nullopt;
      }
      if (arg == "--suite") o.suite = *v;
      else if (arg == "--browser") o.browser = *v;
      else if (arg == "--flags") o.flags = *v;
      else if (arg == "--config") o.config = *v;
      else if (arg == "--filter") o.filter = *v;
      else if (arg == "--report") o.report_dir = *v;
      else if (arg == "--source-dir") o.source_dir = *v;
      else if (arg == "--browser-arg") o.browser_args.push_back(*v);
      else if (arg == "--retries") {
        char* end = nullptr;
        long n = std::strtol(v->c_str(), &end, 10);
        if (*end != '\0' || n < 0 || n > 10) {
          *error = "--retries needs an integer from 0 to 10, got '" + *v + "'";
          return std::nullopt;
        }
        o.retries = static_cast<int>(n);
      } else {
        char* end = nullptr;
        double s = std::strtod(v->c_str(), &end);
        if (*end != '\0' || !(s > 0) || s > 3600) {
          *error = "--timeout needs seconds in (0, 3600], got '" + *v + "'";
          return std::nullopt;
        }
        o.timeout_s = s;
      }
    } else {
      *error = "unknown option '" + args[i] + "' (see lantern-rig run --help)";
      return std::nullopt;
    }
  }
  return o;
}

int run_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  auto parsed = parse_run_options(args, &error);
  if (!parsed) {
    std::cerr << "lantern-rig run: " << error << "\n";
    return 2;
  }
  const RunCommandOptions& o = *parsed;
  if (o.help) {
    std::cout << run_command_help();
    return 0;
  }

  const std::string source_dir = o.source_dir.empty() ? default_source_dir() : o.source_dir;
  if (!std::filesystem::is_directory(source_dir + "/fixtures/pages")) {
    std::cerr << "lantern-rig run: no fixtures/pages under '" << source_dir
              << "': pass --source-dir (or set LANTERN_SOURCE_DIR) to the repository root\n";
    return 2;
  }

  MatrixConfig matrix;
  std::string matrix_source = "built-in default";
  std::vector<PlannedRun> plan;
  try {
    std::string config = o.config.value_or("");
    if (config.empty() && std::filesystem::exists(source_dir + "/driver/matrix.json"))
      config = source_dir + "/driver/matrix.json";
    if (!config.empty()) {
      matrix = load_matrix_file(config, suite_names());
      matrix_source = config;
    } else {
      matrix = default_matrix(suite_names());
    }
    if (o.timeout_s) set_all_timeouts(matrix, std::chrono::milliseconds(static_cast<long long>(*o.timeout_s * 1000)));
    if (o.retries) matrix.retries = *o.retries;
    plan = plan_runs(matrix, all_scenarios(), RunFilter{o.suite, o.browser, o.flags, o.filter});
  } catch (const std::exception& e) {
    std::cerr << "lantern-rig run: " << e.what() << "\n";
    return 2;
  }

  if (o.list) {
    std::cout << plan.size() << " planned runs (matrix: " << matrix_source << "):\n";
    for (const auto& p : plan)
      std::cout << "  " << p.scenario->suite << "/" << p.scenario->name << "  " << p.browser_name << " ("
                << p.browser_path << ")  " << flag_profile_name(p.profile) << "  timeout " << p.timeout.count() / 1000.0
                << " s\n";
    return 0;
  }

  std::error_code ec;
  std::filesystem::create_directories(o.report_dir, ec);
  if (ec) {
    std::cerr << "lantern-rig run: cannot create report dir '" << o.report_dir << "': " << ec.message() << "\n";
    return 2;
  }

  RunReport report;
  report.rig_version = version();
  report.started_at = utc_timestamp_now();
  report.host = host_name();
  report.settings = {{"matrix_source", matrix_source},
                     {"matrix", matrix_to_json(matrix)},
                     {"filters",
                      {{"suite", o.suite.value_or("")},
                       {"browser", o.browser.value_or("")},
                       {"flags", o.flags.value_or("")},
                       {"filter", o.filter.value_or("")}}},
                     {"source_dir", source_dir},
                     {"browser_args", o.browser_args}};
  std::cout << "lantern-rig " << version() << ": " << plan.size() << " runs, timeout "
            << matrix.timeout.count() / 1000.0 << " s each";
  if (std::any_of(matrix.entries.begin(), matrix.entries.end(), [](const MatrixEntry& e) { return e.timeout.has_value(); }))
    std::cout << " (some entries' own: see the matrix)";
  std::cout << ", retries " << matrix.retries << " (matrix: " << matrix_source << ")\n";

  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlannedRun& p = plan[i];
    ScenarioResult r;
    if (int sig = live_browsers::interrupted()) {
      r.scenario = p.scenario->name;
      r.suite = p.scenario->suite;
      r.browser = p.browser_name;
      r.profile = flag_profile_name(p.profile);
      r.status = ScenarioStatus::kSkipped;
      r.reason = "not run: interrupted by signal " + std::to_string(sig);
    } else {
      ScenarioSettings s;
      s.browser_name = p.browser_name;
      s.browser_path = p.browser_path;
      s.profile = p.profile;
      s.timeout = p.timeout;
      s.source_dir = source_dir;
      s.extra_browser_flags = o.browser_args;
      s.verbose = o.verbose;
      if (o.verbose)
        std::cout << "--- " << p.scenario->name << " " << p.browser_name << "/" << flag_profile_name(p.profile) << "\n";
      r = run_scenario(*p.scenario, s, matrix.retries);
    }
    char line[256];
    std::snprintf(line, sizeof line, "[%2zu/%zu] %s  %-18s %s/%s  %.1f s", i + 1, plan.size(),
                  scenario_status_name(r.status), r.scenario.c_str(), r.browser.c_str(), r.profile.c_str(), r.seconds);
    std::cout << line << "\n";
    if (r.status == ScenarioStatus::kFailed) std::cout << "        " << r.reason << "\n";
    std::cout.flush();
    report.results.push_back(std::move(r));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::cout << "\n" << format_console_table(report);
  const std::string json_path = o.report_dir + "/report.json";
  const std::string junit_path = o.report_dir + "/junit.xml";
  try {
    write_json_report(report, json_path);
    write_junit_report(report, junit_path);
    std::cout << "reports: " << json_path << ", " << junit_path << "\n";
  } catch (const std::exception& e) {
    std::cerr << "lantern-rig run: " << e.what() << "\n";
    return 2;
  }
  if (live_browsers::interrupted()) return 130;
  return report.all_passed() ? 0 : 1;
}

}  // namespace lantern::rig
