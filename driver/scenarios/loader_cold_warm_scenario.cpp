// loader-cold-warm: web/src/loader.js on a 6.3 MB file in 1 MiB chunks, for
// the Cache API and IndexedDB:
//   cold:    every byte delivered once and equal to the file; the server
//            sent the file exactly once, one GET per chunk range;
//   warm:    a NEW browser process on the same profile (after a clean
//            Browser.close): cachedComplete, zero bytes served, same bytes;
//   deleted: deleteModelFromCache -> hasModelInCache false -> served again.
// And cache: 'none': served in full, nothing stored. A split model's first
// shard stands for all its shards: hasModelInCache is false until the last
// is stored, deleteModelFromCache removes every one, and a later shard's
// URL is refused naming the first.

#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr uint64_t kColdWarmChunk = 1 << 20;
constexpr uint64_t kColdWarmSize = 6 * kColdWarmChunk + 314159;  // 7 chunks, the last one shorter

json opts(const loader_kit::ModelFile& m, const std::string& cache) {
  return {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kColdWarmChunk}};
}

// A load that must have come entirely from the network, each chunk range once.
void expect_served_once(ScenarioContext& ctx, const loader_kit::ModelFile& m, const json& r, const std::string& label) {
  ctx.expect_eq(label + ": bytes the server sent", m.size, loader_kit::served(ctx, m));
  ctx.expect_eq(label + ": bytes the loader took from the network", m.size, r.value("bytesFromNetwork", uint64_t{0}));
  loader_kit::expect_ranges_requested(ctx, m, loader_kit::chunk_ranges(m, kColdWarmChunk), label + ": Range of each GET (one per chunk)");
}

}  // namespace

Scenario make_loader_cold_warm_scenario() {
  Scenario s;
  s.name = "loader-cold-warm";
  s.suite = "loader";
  s.description = "loader.js: cold load served once, warm load (new process, same profile) zero bytes, delete then served again; Cache API and IndexedDB";
  s.run = [](ScenarioContext& ctx) {
    const std::string models = ctx.scratch_dir() + "/models";
    const loader_kit::ModelFile m = loader_kit::write_model_file(ctx, models, "cold-warm.bin", kColdWarmSize, 1);
    std::vector<loader_kit::ModelFile> shards;
    for (int i = 1; i <= 3; ++i)
      shards.push_back(loader_kit::write_model_file(ctx, models, "split-0000" + std::to_string(i) + "-of-00003.gguf", kColdWarmChunk + 1000 * i, 10 + i));
    loader_kit::start_server(ctx, models);
    const std::string profile = ctx.scratch_dir() + "/profile";
    const char* const backends[] = {"cache", "indexeddb"};

    Browser& first = ctx.launch_browser({std::nullopt, profile});
    {
      ScenarioPage& page = loader_kit::open_page(ctx, first, true);
      for (const std::string cache : backends) {
        const std::string label = "cold (" + cache + ")";
        ctx.expect(!loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache false on a fresh profile");
        ctx.server().reset_byte_log();
        json r = loader_kit::load(ctx, page, opts(m, cache), label);
        loader_kit::expect_complete_load(ctx, r, m, kColdWarmChunk, label);
        ctx.expect(!r.value("cachedComplete", true), label + ": cachedComplete false");
        ctx.expect(json(r["progress"]["phases"]) == json::array({"download"}), label + ": progress phase 'download' only, got " + r["progress"]["phases"].dump());
        expect_served_once(ctx, m, r, label);
        ctx.expect(loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache true after the load");
        ctx.expect_eq(label + ": chunks stored", size_t{7}, loader_kit::stored_chunks(ctx, page, m, cache).size());
        ctx.metric("cold_" + cache, {{"ms", r["ms"]}, {"served_bytes", m.size}});
      }
      // cache: 'none' fetches everything and stores nothing (and leaves the stored copies alone).
      ctx.server().reset_byte_log();
      json r = loader_kit::load(ctx, page, opts(m, "none"), "none");
      loader_kit::expect_complete_load(ctx, r, m, kColdWarmChunk, "none");
      expect_served_once(ctx, m, r, "none");
      ctx.expect(!loader_kit::has_model(ctx, page, m, "none"), "hasModelInCache false for cache: 'none'");
      page.close();
    }
    // Only a clean shutdown persists the Cache API (DESIGN.md).
    ctx.expect(ctx.close_browser(first), "a clean Browser.close of the first browser (so its storage persists)");

    Browser& second = ctx.launch_browser({std::nullopt, profile});
    ScenarioPage& page = loader_kit::open_page(ctx, second, true);
    for (const std::string cache : backends) {
      std::string label = "warm (" + cache + ")";
      ctx.expect(loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache true in the new browser process");
      ctx.server().reset_byte_log();
      json r = loader_kit::load(ctx, page, opts(m, cache), label);
      loader_kit::expect_complete_load(ctx, r, m, kColdWarmChunk, label);
      ctx.expect(r.value("cachedComplete", false), label + ": cachedComplete true");
      ctx.expect_eq(label + ": bytes the server sent", uint64_t{0}, loader_kit::served(ctx, m));
      ctx.expect_eq(label + ": bytes from the cache", m.size, r.value("bytesFromCache", uint64_t{0}));
      ctx.expect(json(r["progress"]["phases"]) == json::array({"cache-read"}), label + ": progress phase 'cache-read' only, got " + r["progress"]["phases"].dump());
      // verify_ms: hashing every chunk read back against its stored digest.
      ctx.metric("warm_" + cache, {{"ms", r["ms"]}, {"verify_ms", r["verifyMs"]}, {"served_bytes", 0}});

      label = "deleted (" + cache + ")";
      json del = loader_kit::call(ctx, page, "del", json::array({m.url_path, {{"cache", cache}}}));
      ctx.expect(del.value("ok", false) && del.value("removed", false), label + ": deleteModelFromCache resolves true, got " + del.dump());
      ctx.expect(!loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache false after the delete");
      ctx.expect(loader_kit::stored_chunks(ctx, page, m, cache).empty(), label + ": no chunk left after the delete");
      del = loader_kit::call(ctx, page, "del", json::array({m.url_path, {{"cache", cache}}}));
      ctx.expect(del.value("ok", false) && !del.value("removed", true), label + ": a second delete resolves false, got " + del.dump());
      ctx.server().reset_byte_log();
      r = loader_kit::load(ctx, page, opts(m, cache), label);
      loader_kit::expect_complete_load(ctx, r, m, kColdWarmChunk, label);
      ctx.expect(!r.value("cachedComplete", true), label + ": cachedComplete false");
      expect_served_once(ctx, m, r, label);
    }
    // A split model, on the Cache API: stored shard by shard.
    for (size_t i = 0; i < shards.size(); ++i) {
      ctx.expect(!loader_kit::has_model(ctx, page, shards[0], "cache"),
                 "split: hasModelInCache(first shard) false with " + std::to_string(i) + " of 3 shards stored");
      loader_kit::load(ctx, page, opts(shards[i], "cache"), "split shard " + std::to_string(i + 1));
    }
    ctx.expect(loader_kit::has_model(ctx, page, shards[0], "cache"), "split: hasModelInCache(first shard) true with all 3 stored");
    json later = loader_kit::call(ctx, page, "has", json::array({shards[1].url_path, {{"cache", "cache"}}}));
    ctx.expect(!later.value("ok", true) && later.value("error", std::string()).find("is shard 2 of a split model: load " +
                                                                                        shards[0].url_path) != std::string::npos,
               "split: a later shard's URL is refused naming the first, got " + later.dump());
    json del = loader_kit::call(ctx, page, "del", json::array({shards[0].url_path, {{"cache", "cache"}}}));
    ctx.expect(del.value("ok", false) && del.value("removed", false), "split: deleteModelFromCache(first shard) resolves true");
    for (const auto& sh : shards)
      ctx.expect(loader_kit::stored_chunks(ctx, page, sh, "cache").empty(), "split: no chunk of " + sh.url_path + " left after the delete");
    ctx.metric("file_bytes", m.size);
  };
  return s;
}

}  // namespace lantern::rig
