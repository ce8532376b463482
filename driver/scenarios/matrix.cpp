#include "scenarios/matrix.h"
#include "scenarios/name_list.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace lantern::rig {

using nlohmann::json;

namespace {

std::vector<std::string> string_list(const json& j, const std::string& where) {
  if (!j.is_array() || j.empty()) throw std::runtime_error(where + " must be a non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string() || e.get<std::string>().empty())
      throw std::runtime_error(where + " must hold only non-empty strings, found " + e.dump());
    out.push_back(e.get<std::string>());
  }
  return out;
}

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (!allowed.count(k) && k.rfind("_", 0) != 0 && k != "comment")  // "_x"/"comment" are notes
      throw std::runtime_error("unknown key \"" + k + "\" in " + where);
  }
}

void check_suite(const std::string& suite, const std::vector<std::string>& known, const std::string& where) {
  if (std::find(known.begin(), known.end(), suite) == known.end())
    throw std::runtime_error("unknown suite \"" + suite + "\" in " + where + " (known: " + join(known) + ")");
}

void check_profile(const std::string& profile, const std::string& where) {
  if (!flag_profile_from_name(profile))
    throw std::runtime_error("unknown flag profile \"" + profile + "\" in " + where +
                             " (known: " + join(flag_profile_names()) + ")");
}

// A timeout_s value: seconds in (0, 3600].
std::chrono::milliseconds parse_timeout(const json& t, const std::string& where) {
  if (!t.is_number() || t.get<double>() <= 0 || t.get<double>() > 3600)
    throw std::runtime_error(where + " must be a number of seconds in (0, 3600], found " + t.dump());
  return std::chrono::milliseconds(static_cast<long long>(std::llround(t.get<double>() * 1000)));
}

}  // namespace

MatrixConfig parse_matrix(const json& j, const std::vector<std::string>& known_suites) {
  if (!j.is_object()) throw std::runtime_error("the matrix must be a JSON object");
  check_keys(j, {"timeout_s", "retries", "matrix"}, "the matrix file");
  MatrixConfig c;
  if (j.contains("timeout_s")) c.timeout = parse_timeout(j["timeout_s"], "timeout_s");
  if (j.contains("retries")) {
    const auto& r = j["retries"];
    if (!r.is_number_integer() || r.get<int>() < 0 || r.get<int>() > 10)
      throw std::runtime_error("retries must be an integer in [0, 10], found " + r.dump());
    c.retries = r.get<int>();
  }
  if (!j.contains("matrix") || !j["matrix"].is_array() || j["matrix"].empty())
    throw std::runtime_error("the matrix file needs a non-empty \"matrix\" array");
  for (std::size_t i = 0; i < j["matrix"].size(); ++i) {
    const auto& e = j["matrix"][i];
    const std::string where = "matrix[" + std::to_string(i) + "]";
    if (!e.is_object()) throw std::runtime_error(where + " must be an object");
    check_keys(e, {"browsers", "profiles", "suites", "timeout_s"}, where);
    for (const char* k : {"browsers", "profiles", "suites"})
      if (!e.contains(k)) throw std::runtime_error(where + " lacks \"" + k + "\"");
    MatrixEntry m;
    m.browsers = string_list(e["browsers"], where + ".browsers");
    m.profiles = string_list(e["profiles"], where + ".profiles");
    m.suites = string_list(e["suites"], where + ".suites");
    for (const auto& p : m.profiles) check_profile(p, where + ".profiles");
    for (const auto& s : m.suites) check_suite(s, known_suites, where + ".suites");
    if (e.contains("timeout_s")) m.timeout = parse_timeout(e["timeout_s"], where + ".timeout_s");
    c.entries.push_back(std::move(m));
  }
  return c;
}

MatrixConfig load_matrix_file(const std::string& path, const std::vector<std::string>& known_suites) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read matrix file " + path);
  json j = json::parse(in, nullptr, false, /*ignore_comments=*/true);
  if (j.is_discarded()) throw std::runtime_error("matrix file " + path + " is not valid JSON");
  try {
    return parse_matrix(j, known_suites);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

MatrixConfig default_matrix(const std::vector<std::string>& known_suites) {
  MatrixConfig c;
  c.entries.push_back({{"headless-shell"}, {"swiftshader"}, known_suites});
  return c;
}

json matrix_to_json(const MatrixConfig& c) {
  json entries = json::array();
  for (const auto& e : c.entries) {
    json entry{{"browsers", e.browsers}, {"profiles", e.profiles}, {"suites", e.suites}};
    if (e.timeout) entry["timeout_s"] = e.timeout->count() / 1000.0;
    entries.push_back(std::move(entry));
  }
  return {{"timeout_s", c.timeout.count() / 1000.0}, {"retries", c.retries}, {"matrix", entries}};
}

void set_all_timeouts(MatrixConfig& c, std::chrono::milliseconds timeout) {
  c.timeout = timeout;
  for (auto& e : c.entries) e.timeout.reset();
}

std::vector<PlannedRun> plan_runs(const MatrixConfig& config, const std::vector<Scenario>& scenarios,
                                  const RunFilter& filter) {
  std::vector<std::string> known_suites;
  for (const auto& s : scenarios)
    if (std::find(known_suites.begin(), known_suites.end(), s.suite) == known_suites.end())
      known_suites.push_back(s.suite);
  if (filter.suite) check_suite(*filter.suite, known_suites, "--suite");
  if (filter.profile) check_profile(*filter.profile, "--flags");

  std::vector<PlannedRun> runs;
  // (scenario, browser path, profile) -> its run. A cell reached from two
  // entries (or again under --suite, which gives every entry that suite)
  // runs once, with the longest timeout any of them gives it.
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen;
  for (const auto& entry : config.entries) {
    std::vector<std::string> browsers = filter.browser ? std::vector<std::string>{*filter.browser} : entry.browsers;
    std::vector<std::string> profiles = filter.profile ? std::vector<std::string>{*filter.profile} : entry.profiles;
    std::vector<std::string> suites = filter.suite ? std::vector<std::string>{*filter.suite} : entry.suites;
    for (const auto& b : browsers) {
      std::string error;
      auto resolved = resolve_browser(b, &error);
      if (!resolved) throw std::runtime_error(error);
      for (const auto& p : profiles) {
        FlagProfile profile = *flag_profile_from_name(p);
        for (const auto& suite : suites)
          for (const auto& sc : scenarios) {
            if (sc.suite != suite) continue;
            if (filter.name_glob && ::fnmatch(filter.name_glob->c_str(), sc.name.c_str(), 0) != 0) continue;
            const auto timeout = entry.timeout.value_or(config.timeout);
            const auto [it, added] = seen.insert({{sc.name, resolved->path, p}, runs.size()});
            if (!added) {
              runs[it->second].timeout = std::max(runs[it->second].timeout, timeout);
              continue;
            }
            runs.push_back({&sc, resolved->name, resolved->path, profile, timeout});
          }
      }
    }
  }
  if (runs.empty())
    throw std::runtime_error("nothing to run: no scenario matches the matrix and filters" +
                             (filter.name_glob ? " (--filter " + *filter.name_glob + ")" : std::string()));
  return runs;
}

}  // namespace lantern::rig
