// loader-corrupt-chunk: a stored chunk of the wrong size (the page overwrites
// chunk 2 with 1000 bytes, as a cut-off write would leave it) is detected,
// fetched again (the server sends exactly that chunk's range) and stored
// right: the bytes delivered equal the file, and the next load is served
// entirely from the cache. For the Cache API and IndexedDB.
#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;
namespace kit = loader_kit;

namespace {

constexpr uint64_t kChunk = 1 << 20;
constexpr uint64_t kSize = 5 * kChunk + 777;
constexpr uint64_t kBad = 2 * kChunk;  // start of the chunk the page damages

void corrupt_with(ScenarioContext& ctx, ScenarioPage& page, const kit::ModelFile& m, const std::string& cache) {
  const json opts = {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kChunk}};
  json r = kit::load(ctx, page, opts, "first (" + cache + ")");
  kit::expect_complete_load(ctx, r, m, kChunk, "first (" + cache + ")");

  json c = kit::call(ctx, page, "corrupt", json::array({{{"url", m.url_path}, {"cache", cache}, {"start", kBad},
                                                         {"end", kBad + kChunk}, {"length", 1000}}}));
  ctx.expect(c.value("ok", false), "the page to overwrite the stored chunk, got " + c.dump());

  std::string label = "after corruption (" + cache + ")";
  ctx.server().reset_byte_log();
  r = kit::load(ctx, page, opts, label);
  kit::expect_complete_load(ctx, r, m, kChunk, label);
  ctx.expect_eq(label + ": chunks refetched", 1, r.value("chunksRefetched", -1));
  ctx.expect_eq(label + ": bytes the server sent (one chunk)", kChunk, kit::served(ctx, m));
  kit::expect_ranges_requested(ctx, m, {kit::chunk_range(kBad, kChunk, kSize)}, label + ": ranges fetched");
  ctx.expect_eq(label + ": bytes from the cache (the other chunks)", kSize - kChunk, r.value("bytesFromCache", uint64_t{0}));

  label = "repaired (" + cache + ")";
  ctx.server().reset_byte_log();
  r = kit::load(ctx, page, opts, label);
  kit::expect_complete_load(ctx, r, m, kChunk, label);
  ctx.expect(r.value("cachedComplete", false), label + ": cachedComplete true");
  ctx.expect_eq(label + ": chunks refetched", 0, r.value("chunksRefetched", -1));
  ctx.expect_eq(label + ": bytes the server sent", uint64_t{0}, kit::served(ctx, m));
}

}  // namespace

Scenario make_loader_corrupt_chunk_scenario() {
  Scenario s;
  s.name = "loader-corrupt-chunk";
  s.suite = "loader";
  s.description = "loader.js: a stored chunk of the wrong size is refetched (that range only) and stored right";
  s.run = [](ScenarioContext& ctx) {
    const kit::Session session = kit::start_session(ctx, "corrupt.bin", kSize, 3, true);
    corrupt_with(ctx, session.page, session.model, "cache");
    corrupt_with(ctx, session.page, session.model, "indexeddb");
  };
  return s;
}

}  // namespace lantern::rig
