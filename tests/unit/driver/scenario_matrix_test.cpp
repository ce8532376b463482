// The matrix file (validation with clear errors), its expansion into runs
// under --suite/--browser/--flags/--filter, and `run` option parsing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/matrix.h"
#include "scenarios/run_command.h"

namespace lantern::rig {
namespace {

using nlohmann::json;

const std::vector<std::string> kSuites = {"basic", "cache"};

std::vector<Scenario> scenarios() {
  std::vector<Scenario> v(3);
  v[0].name = "webgpu-adapter";
  v[0].suite = "basic";
  v[1].name = "streaming";
  v[1].suite = "basic";
  v[2].name = "cache-cold-warm";
  v[2].suite = "cache";
  return v;
}

std::string error_of(const json& j) {
  try {
    parse_matrix(j, kSuites);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(MatrixParse, ReadsTimeoutRetriesAndEntries) {
  auto c = parse_matrix(json::parse(R"({"timeout_s": 12.5, "retries": 2, "_comment": "x",
      "matrix": [{"browsers": ["headless-shell"], "profiles": ["swiftshader", "no-webgpu"], "suites": ["basic"]}]})"),
                        kSuites);
  EXPECT_EQ(12500, c.timeout.count());
  EXPECT_EQ(2, c.retries);
  ASSERT_EQ(1u, c.entries.size());
  EXPECT_EQ(2u, c.entries[0].profiles.size());
  auto back = matrix_to_json(c);
  EXPECT_EQ(12.5, back["timeout_s"].get<double>());
}

TEST(MatrixParse, ErrorsNameTheProblem) {
  EXPECT_NE(error_of(json::array()).find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"matrix": []})")).find("non-empty \"matrix\""), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"timeout": 5, "matrix": []})")).find("unknown key \"timeout\""), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"timeout_s": -1, "matrix": []})")).find("timeout_s"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"retries": 1.5, "matrix": []})")).find("retries"), std::string::npos);
  auto e = error_of(json::parse(R"({"matrix": [{"browsers": ["headless-shell"], "profiles": ["swiftshader"], "suites": ["nope"]}]})"));
  EXPECT_NE(e.find("unknown suite \"nope\" in matrix[0].suites"), std::string::npos) << e;
  EXPECT_NE(e.find("basic, cache"), std::string::npos) << e;
  e = error_of(json::parse(R"({"matrix": [{"browsers": ["headless-shell"], "profiles": ["vulkan"], "suites": ["basic"]}]})"));
  EXPECT_NE(e.find("unknown flag profile \"vulkan\""), std::string::npos) << e;
  EXPECT_NE(e.find("gpu-vulkan"), std::string::npos) << e;
  e = error_of(json::parse(R"({"matrix": [{"browsers": [], "profiles": ["swiftshader"], "suites": ["basic"]}]})"));
  EXPECT_NE(e.find("matrix[0].browsers must be a non-empty array"), std::string::npos) << e;
  e = error_of(json::parse(R"({"matrix": [{"profiles": ["swiftshader"], "suites": ["basic"]}]})"));
  EXPECT_NE(e.find("lacks \"browsers\""), std::string::npos) << e;
}

TEST(MatrixParse, AnEntryMayHaveItsOwnTimeout) {
  auto c = parse_matrix(json::parse(R"({"timeout_s": 90, "matrix": [
      {"browsers": ["headless-shell"], "profiles": ["swiftshader"], "suites": ["basic"]},
      {"browsers": ["headless-shell"], "profiles": ["swiftshader"], "suites": ["cache"], "timeout_s": 180}]})"),
                        kSuites);
  ASSERT_EQ(2u, c.entries.size());
  EXPECT_FALSE(c.entries[0].timeout);
  ASSERT_TRUE(c.entries[1].timeout);
  EXPECT_EQ(180000, c.entries[1].timeout->count());
  auto back = matrix_to_json(c);
  EXPECT_FALSE(back["matrix"][0].contains("timeout_s"));
  EXPECT_EQ(180.0, back["matrix"][1]["timeout_s"].get<double>());
  auto e = error_of(json::parse(R"({"matrix": [{"browsers": ["headless-shell"], "profiles": ["swiftshader"],
      "suites": ["basic"], "timeout_s": "slow"}]})"));
  EXPECT_NE(e.find("matrix[0].timeout_s must be a number of seconds"), std::string::npos) << e;
}

MatrixConfig two_profiles() {
  MatrixConfig c;
  c.entries.push_back({{"/bin/sh"}, {"swiftshader", "no-webgpu"}, {"basic", "cache"}});
  return c;
}

TEST(MatrixPlan, ExpandsBrowsersProfilesSuitesInOrder) {
  auto sc = scenarios();
  auto runs = plan_runs(two_profiles(), sc, {});
  ASSERT_EQ(6u, runs.size());
  EXPECT_EQ("webgpu-adapter", runs[0].scenario->name);
  EXPECT_EQ(FlagProfile::kSwiftShader, runs[0].profile);
  EXPECT_EQ("cache-cold-warm", runs[2].scenario->name);
  EXPECT_EQ(FlagProfile::kNoWebGpu, runs[3].profile);
  EXPECT_EQ("/bin/sh", runs[0].browser_path);
}

TEST(MatrixPlan, RunsTakeTheirEntrysTimeoutUnlessAllAreSet) {
  auto sc = scenarios();
  MatrixConfig c;
  c.timeout = std::chrono::milliseconds(90000);
  c.entries.push_back({{"/bin/sh"}, {"swiftshader"}, {"basic"}, std::nullopt});
  c.entries.push_back({{"/bin/sh"}, {"swiftshader"}, {"cache"}, std::chrono::milliseconds(180000)});
  auto runs = plan_runs(c, sc, {});
  ASSERT_EQ(3u, runs.size());
  EXPECT_EQ(90000, runs[0].timeout.count());   // basic: the matrix's
  EXPECT_EQ("cache-cold-warm", runs[2].scenario->name);
  EXPECT_EQ(180000, runs[2].timeout.count());  // cache: its entry's
  // --suite cache gives the first entry that suite too: the cell it shares
  // with the second entry keeps the second's longer timeout.
  auto by_suite = plan_runs(c, sc, {std::string("cache"), {}, {}, {}});
  ASSERT_EQ(1u, by_suite.size());
  EXPECT_EQ(180000, by_suite[0].timeout.count());
  set_all_timeouts(c, std::chrono::milliseconds(30000));  // --timeout 30
  for (const auto& r : plan_runs(c, sc, {})) EXPECT_EQ(30000, r.timeout.count()) << r.scenario->name;
}

TEST(MatrixPlan, FiltersNarrowTheRuns) {
  auto sc = scenarios();
  auto by_suite = plan_runs(two_profiles(), sc, {std::string("cache"), {}, {}, {}});
  ASSERT_EQ(2u, by_suite.size());
  for (const auto& r : by_suite) EXPECT_EQ("cache", r.scenario->suite);

  auto by_profile = plan_runs(two_profiles(), sc, {{}, {}, std::string("no-webgpu"), {}});
  ASSERT_EQ(3u, by_profile.size());
  for (const auto& r : by_profile) EXPECT_EQ(FlagProfile::kNoWebGpu, r.profile);

  auto by_glob = plan_runs(two_profiles(), sc, {{}, {}, {}, std::string("*-adapter")});
  ASSERT_EQ(2u, by_glob.size());
  for (const auto& r : by_glob) EXPECT_EQ("webgpu-adapter", r.scenario->name);

  auto by_browser = plan_runs(two_profiles(), sc, {{}, std::string("/bin/true"), {}, {}});
  for (const auto& r : by_browser) EXPECT_EQ("/bin/true", r.browser_path);
}

TEST(MatrixPlan, DuplicatesAreDroppedAndBadFiltersRejected) {
  auto sc = scenarios();
  MatrixConfig c = two_profiles();
  c.entries.push_back(c.entries[0]);  // the same cells again
  EXPECT_EQ(6u, plan_runs(c, sc, {}).size());
  EXPECT_THROW(plan_runs(c, sc, {std::string("nosuite"), {}, {}, {}}), std::runtime_error);
  EXPECT_THROW(plan_runs(c, sc, {{}, {}, std::string("bogus"), {}}), std::runtime_error);
  EXPECT_THROW(plan_runs(c, sc, {{}, std::string("firefox"), {}, {}}), std::runtime_error);
  try {
    plan_runs(c, sc, {{}, {}, {}, std::string("zzz*")});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing to run"), std::string::npos);
  }
}

TEST(RunOptions, ParsesEveryOption) {
  std::string err;
  auto o = parse_run_options({"--suite", "basic", "--browser=chromium", "--flags", "no-webgpu", "--report", "out",
                              "--config", "m.json", "--filter", "cache-*", "--retries", "2", "--timeout=30",
                              "--browser-arg=--lang=de", "--browser-arg", "--foo", "--list", "--verbose"},
                             &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ("basic", *o->suite);
  EXPECT_EQ("chromium", *o->browser);
  EXPECT_EQ("no-webgpu", *o->flags);
  EXPECT_EQ("out", o->report_dir);
  EXPECT_EQ("m.json", *o->config);
  EXPECT_EQ("cache-*", *o->filter);
  EXPECT_EQ(2, *o->retries);
  EXPECT_DOUBLE_EQ(30.0, *o->timeout_s);
  EXPECT_EQ((std::vector<std::string>{"--lang=de", "--foo"}), o->browser_args);
  EXPECT_TRUE(o->list);
  EXPECT_TRUE(o->verbose);
}

TEST(RunOptions, RejectsBadInputWithAReason) {
  std::string err;
  EXPECT_FALSE(parse_run_options({"--suite"}, &err));
  EXPECT_NE(err.find("--suite needs a value"), std::string::npos) << err;
  EXPECT_FALSE(parse_run_options({"--retries", "-1"}, &err));
  EXPECT_NE(err.find("--retries"), std::string::npos) << err;
  EXPECT_FALSE(parse_run_options({"--timeout", "abc"}, &err));
  EXPECT_NE(err.find("--timeout"), std::string::npos) << err;
  EXPECT_FALSE(parse_run_options({"--timeout", "0"}, &err));
  EXPECT_FALSE(parse_run_options({"--bogus"}, &err));
  EXPECT_NE(err.find("unknown option '--bogus'"), std::string::npos) << err;
  EXPECT_FALSE(parse_run_options({"--list=yes"}, &err));
  EXPECT_NE(err.find("takes no value"), std::string::npos) << err;
}

TEST(RunOptions, HelpMentionsEveryOptionAndScenario) {
  std::string h = run_command_help();
  for (const char* opt : {"--suite", "--browser", "--flags", "--filter", "--config", "--report", "--retries",
                          "--timeout", "--browser-arg", "--source-dir", "--list", "--verbose", "--help"})
    EXPECT_NE(h.find(opt), std::string::npos) << opt;
  for (const char* name : {"webgpu-adapter", "streaming", "cache-cold-warm", "browser-killed", "swiftshader",
                           "no-webgpu", "gpu-vulkan", "headless-shell"})
    EXPECT_NE(h.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace lantern::rig
