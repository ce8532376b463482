// The peer runners (driver/bench/peer_*.cpp) fail clearly: a missing model, a
// missing Node, bad arguments to the native script and a timeout each give a
// record that names the engine and says why in "error", never a throw or a
// record without numbers that looks like a result. And the spread helper
// computes what the bench JSON promises.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/peer_bench.h"
#include "bench/sample_stats.h"
#include "support/test_paths.h"

namespace {

using lantern::rig::bench::PeerBenchSpec;
using lantern::rig::bench::SampleStats;
using testing::HasSubstr;

namespace fs = std::filesystem;

bool native_installed() {
  return fs::exists(lantern::test::source("fixtures/peers/node_modules/node-llama-cpp/package.json"));
}

PeerBenchSpec spec_for(const std::string& model) {
  PeerBenchSpec spec;
  spec.model_file = model;
  spec.source_dir = LANTERN_SOURCE_DIR;
  spec.runs = 1;
  spec.timeout = std::chrono::seconds(60);
  return spec;
}

void expect_failure(const nlohmann::json& r, const std::string& engine, const std::string& why) {
  EXPECT_EQ(r.value("engine", ""), engine) << r.dump();
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_THAT(r["error"].get<std::string>(), HasSubstr(why)) << r.dump();
  EXPECT_FALSE(r.contains("decode_tok_s")) << r.dump();
}

TEST(SampleStats, MedianMinMaxAndSamplesInRunOrder) {
  const auto odd = SampleStats{{3, 1, 2}}.to_json();
  EXPECT_DOUBLE_EQ(odd["median"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(odd["min"].get<double>(), 1);
  EXPECT_DOUBLE_EQ(odd["max"].get<double>(), 3);
  EXPECT_EQ(odd["samples"], nlohmann::json({3, 1, 2}));
  const auto even = SampleStats{{4, 1, 2, 10}}.to_json();
  EXPECT_DOUBLE_EQ(even["median"].get<double>(), 3);
  EXPECT_TRUE(SampleStats{}.to_json().is_null());
}

TEST(PeerBench, WllamaWithoutModelFileSaysSoForEveryConfiguration) {
  auto spec = spec_for("/nonexistent/model.gguf");
  spec.threads = {1, 2};
  const auto records = lantern::rig::bench::run_wllama_bench(spec);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) expect_failure(r, "wllama", "no model file at /nonexistent/model.gguf");
  EXPECT_EQ(records[0].value("config", ""), "1 thread");
  EXPECT_EQ(records[1].value("config", ""), "2 threads");
}

TEST(PeerBench, LlamaNativeWithoutModelFileSaysSo) {
  const auto records = lantern::rig::bench::run_llama_native_bench(spec_for("/nonexistent/model.gguf"));
  ASSERT_EQ(records.size(), 1u);
  expect_failure(records[0], "llama-native", "no model file at /nonexistent/model.gguf");
}

TEST(PeerBench, LlamaNativeWithoutNodeSaysSo) {
  if (!native_installed()) GTEST_SKIP() << "ci/peers_setup.sh has not run";
  auto spec = spec_for(lantern::test::stories260k());
  if (!fs::exists(spec.model_file)) GTEST_SKIP() << "no " << spec.model_file;
  spec.node = "no-such-node-binary";
  const auto records = lantern::rig::bench::run_llama_native_bench(spec);
  ASSERT_EQ(records.size(), 1u);
  expect_failure(records[0], "llama-native", "no Node.js executable 'no-such-node-binary'");
}

TEST(PeerBench, LlamaNativeScriptErrorComesBackAsTheRecord) {
  if (!native_installed()) GTEST_SKIP() << "ci/peers_setup.sh has not run";
  auto spec = spec_for(lantern::test::stories260k());
  if (!fs::exists(spec.model_file)) GTEST_SKIP() << "no " << spec.model_file;
  spec.native_gpu = "metal";  // the script accepts auto, false, cuda, vulkan
  const auto records = lantern::rig::bench::run_llama_native_bench(spec);
  ASSERT_EQ(records.size(), 1u);
  expect_failure(records[0], "llama-native", "--gpu must be auto, false, cuda or vulkan, not metal");
}

TEST(PeerBench, LlamaNativePastItsTimeoutIsKilledAndSaysSo) {
  if (!native_installed()) GTEST_SKIP() << "ci/peers_setup.sh has not run";
  auto spec = spec_for(lantern::test::stories260k());
  if (!fs::exists(spec.model_file)) GTEST_SKIP() << "no " << spec.model_file;
  spec.timeout = std::chrono::seconds(0);
  const auto records = lantern::rig::bench::run_llama_native_bench(spec);
  ASSERT_EQ(records.size(), 1u);
  expect_failure(records[0], "llama-native", "timed out after 0 s");
}

}  // namespace
