// `lantern-rig bench` end to end on stories260K, one run: the JSON holds every
// field of the DESIGN.md contract with sane values (the whole file served
// cold and nothing warm, the byte log agreeing with CDP, positive speeds,
// phases and memory measured) and the SVG plots are written. Short requests
// (64-token prefill, 16 decoded) keep it well under a minute on SwiftShader.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/test_paths.h"
#include "support/test_files.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string kRigBinary = std::string(LANTERN_BINARY_DIR) + "/bin/lantern-rig";

// Runs the rig (output to `log`); the exit status, or -1 after `limit`.
int run_rig(const std::vector<std::string>& args, const std::string& log, std::chrono::seconds limit) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (FILE* f = std::fopen(log.c_str(), "w")) {
      ::dup2(fileno(f), 1);
      ::dup2(fileno(f), 2);
    }
    std::vector<char*> argv{const_cast<char*>(kRigBinary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kRigBinary.c_str(), argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(50ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}


double number(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  EXPECT_TRUE(j.contains(p) && j.at(p).is_number()) << pointer << " is missing or not a number";
  return j.contains(p) && j.at(p).is_number() ? j.at(p).get<double>() : -1;
}

TEST(BenchSmoke, StoriesOneRunHasEveryFieldWithSaneValues) {
  const std::string model = lantern::test::stories260k();
  if (!fs::exists(model)) GTEST_SKIP() << "no " << model;
  ASSERT_TRUE(fs::exists(kRigBinary)) << kRigBinary << " is missing: build the lantern-rig target first";
  const std::string dir = ::testing::TempDir() + "/bench_smoke_" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string log = dir + "/rig.log";
  const auto t0 = std::chrono::steady_clock::now();
  const std::string schema = lantern::test::source("fixtures/grammar_bench/person.schema.json");
  // WebGPU asked for: 'auto' would pass over SwiftShader for the CPU backend.
  const int rc = run_rig({"bench", "--model", model, "--backend", "webgpu", "--runs", "1", "--prefill-tokens", "64", "--decode-tokens", "16",
                          "--schema", schema, "--json-file", dir + "/out.json", "--report", dir + "/report", "--timeout", "100"},
                         log, 120s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(rc, 0) << lantern::test::read_file(log);
  std::printf("[ bench    ] %.1f s\n", seconds);
  const json j = json::parse(lantern::test::read_file(dir + "/out.json"));

  EXPECT_EQ(j.value("runs", 0), 1);
  EXPECT_EQ(j.value("backend", ""), "webgpu");
  // Cold: the whole file came from the server, and CDP saw the same bytes.
  const double file_bytes = static_cast<double>(fs::file_size(model));
  EXPECT_GT(number(j, "/cold/load_ms"), 0);
  EXPECT_EQ(number(j, "/cold/bytes_served"), file_bytes);
  EXPECT_TRUE(j["cold"].value("bytes_agree", false));
  EXPECT_GT(number(j, "/cold/phases/download/median"), 0);
  EXPECT_GT(number(j, "/cold/phases/cache_write/median"), 0);
  // Warm: a new browser on the kept profile, nothing served, read from the cache.
  EXPECT_GT(number(j, "/warm/load_ms"), 0);
  EXPECT_EQ(number(j, "/warm/bytes_served"), 0);
  EXPECT_EQ(number(j, "/warm/cdp_encoded_bytes"), 0);
  EXPECT_TRUE(j["warm"].value("from_cache", false));
  EXPECT_TRUE(j["warm"].value("clean_close", false));
  EXPECT_GT(number(j, "/warm/phases/cache_read/median"), 0);
  EXPECT_EQ(number(j, "/warm/phases/download/median"), 0);
  for (const char* side : {"/cold", "/warm"}) {
    EXPECT_GT(number(j, std::string(side) + "/phases/gpu_upload/median"), 0) << side;
    EXPECT_GT(number(j, std::string(side) + "/phases/compile/median"), 0) << side;
    EXPECT_GT(number(j, std::string(side) + "/phases/first_token/median"), 0) << side;
  }
  EXPECT_GT(number(j, "/warm/floor_ms"), 0);
  // Speeds, from the request side and with the prompt sizes asked for.
  EXPECT_GT(number(j, "/ttft_ms"), 0);
  EXPECT_GT(number(j, "/prefill_tok_s"), 0);
  EXPECT_GT(number(j, "/decode_tok_s"), 0);
  EXPECT_EQ(number(j, "/prefill_tokens"), 64);
  EXPECT_EQ(number(j, "/decode_tokens"), 16);
  // --schema: the decode request again under the JSON Schema, its speed set
  // against unconstrained decode of the same run.
  EXPECT_GT(number(j, "/constrained/decode_tok_s/median"), 0);
  EXPECT_GT(number(j, "/constrained/tokens/median"), 1);
  EXPECT_NEAR(number(j, "/constrained/ratio_to_decode"),
              number(j, "/constrained/decode_tok_s/median") / number(j, "/decode_tok_s"), 1e-9);
  EXPECT_GE(number(j, "/constrained/forced_share"), 0);
  EXPECT_NE(lantern::test::read_file(dir + "/report/tables.md").find("Decode under a JSON Schema"), std::string::npos);
  // Memory of the browser's processes and the page's heap.
  EXPECT_GT(number(j, "/memory/renderer_peak_rss_bytes"), 10e6);
  EXPECT_GT(number(j, "/memory/gpu_peak_rss_bytes"), 10e6);
  EXPECT_GT(number(j, "/memory/js_heap_peak_bytes"), 0);
  // The record in the peers' shape.
  EXPECT_EQ(j["record"].value("engine", ""), "lantern");
  EXPECT_EQ(j["record"].value("config", ""), "webgpu");
  EXPECT_GT(number(j, "/record/decode_tok_s/median"), 0);
  // The report folder: JSON, tables and the plots.
  EXPECT_TRUE(fs::exists(dir + "/report/bench.json"));
  EXPECT_NE(lantern::test::read_file(dir + "/report/tables.md").find("| stories260K | webgpu |"), std::string::npos);
  for (const char* svg : {"load_phases_stories260K.svg", "prefill_tok_s.svg", "decode_tok_s.svg"})
    EXPECT_NE(lantern::test::read_file(dir + "/report/" + svg).find("<svg"), std::string::npos) << svg;
  EXPECT_LT(seconds, 90) << "the smoke bench should stay well under a minute or so";
  fs::remove_all(dir);
}

}  // namespace
