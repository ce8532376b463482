// The peers really run: node-llama-cpp's prebuilt CPU binary on stories260K,
// and wllama in headless Chromium on the same file (one thread, one run each),
// with every metric a positive number and exactly the asked-for token counts.
// About 10 s together here; skipped when ci/peers_setup.sh has not run.
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/peer_bench.h"
#include "support/test_paths.h"

namespace {

namespace fs = std::filesystem;

lantern::rig::bench::PeerBenchSpec smoke_spec() {
  lantern::rig::bench::PeerBenchSpec spec;
  spec.model_file = lantern::test::stories260k();
  spec.source_dir = LANTERN_SOURCE_DIR;
  spec.runs = 1;
  spec.threads = {1};
  spec.timeout = std::chrono::seconds(120);
  return spec;
}

void expect_measured(const nlohmann::json& r) {
  ASSERT_FALSE(r.contains("error")) << r.dump(2);
  for (const char* metric : {"load_ms", "ttft_ms", "prefill_tok_s", "decode_tok_s"}) {
    ASSERT_TRUE(r.contains(metric)) << metric << " in " << r.dump();
    EXPECT_GT(r[metric]["median"].get<double>(), 0) << metric << " in " << r.dump();
    EXPECT_EQ(r[metric]["samples"].size(), 1u) << metric;
  }
  EXPECT_EQ(r.value("generated_tokens", 0), 128) << r.dump();
  EXPECT_EQ(r["prompt_tokens"], nlohmann::json({{"ttft", 16}, {"prefill", 512}, {"decode", 16}})) << r.dump();
  EXPECT_EQ(r.value("threads", 0), 1);
}

TEST(PeerSmoke, LlamaNativeRunsStories260KOnTheCpu) {
  const auto spec = smoke_spec();
  if (!fs::exists(spec.source_dir + "/fixtures/peers/node_modules/node-llama-cpp"))
    GTEST_SKIP() << "ci/peers_setup.sh has not run";
  if (!fs::exists(spec.model_file)) GTEST_SKIP() << "no " << spec.model_file;
  const auto records = lantern::rig::bench::run_llama_native_bench(spec);
  ASSERT_EQ(records.size(), 1u);
  expect_measured(records[0]);
  EXPECT_EQ(records[0].value("backend", ""), "cpu");
  EXPECT_EQ(records[0].value("config", ""), "cpu 1 thread");
}

TEST(PeerSmoke, WllamaRunsStories260KColdThenWarm) {
  const auto spec = smoke_spec();
  if (!fs::exists(spec.source_dir + "/fixtures/peers/node_modules/@wllama/wllama"))
    GTEST_SKIP() << "ci/peers_setup.sh has not run";
  if (!fs::exists(spec.model_file)) GTEST_SKIP() << "no " << spec.model_file;
  const auto records = lantern::rig::bench::run_wllama_bench(spec);
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  expect_measured(r);
  EXPECT_EQ(r.value("backend", ""), "wasm");
  // Cold downloads the whole file; warm reads wllama's own cache.
  EXPECT_EQ(r["cold"]["bytes_served"].get<double>(), static_cast<double>(fs::file_size(spec.model_file))) << r.dump();
  EXPECT_EQ(r["warm"]["bytes_served"].get<double>(), 0) << r.dump();
}

}  // namespace
