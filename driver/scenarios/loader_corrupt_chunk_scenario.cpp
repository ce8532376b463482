// loader-corrupt-chunk: a damaged stored chunk is detected, fetched again
// (the server sends exactly that chunk's range) and stored right: the bytes
// delivered equal the file, and the next load is served entirely from the
// cache. Damage: chunk 2 cut to 1000 bytes (a cut-off write: its size); one
// bit flipped in chunk 3, in the short last chunk and in the header chunk,
// each at the same size with the entry's digest kept (a bad disk: the digest
// stored with each chunk). A damaged header chunk makes hasModelInCache false
// (it said true while every load failed with "not a GGUF file"). For the
// Cache API and IndexedDB.
#include <algorithm>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr uint64_t kCorruptChunk = 1 << 20;
constexpr uint64_t kCorruptSize = 5 * kCorruptChunk + 777;

// Damages the stored chunk at `bad` (page's corrupt() with `damage`), then
// loads: that chunk alone is fetched again and stored right, the bytes equal
// the file; the load after that is all cache.
void damaged_then_repaired(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& cache,
                           uint64_t bad, const json& damage, const std::string& what) {
  const json opts = {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kCorruptChunk}};
  const uint64_t len = std::min(kCorruptSize, bad + kCorruptChunk) - bad;
  json args = {{"url", m.url_path}, {"cache", cache}, {"start", bad}, {"end", bad + len}};
  args.update(damage);
  json c = loader_kit::call(ctx, page, "corrupt", json::array({args}));
  ctx.expect(c.value("ok", false), "the page to damage the stored chunk, got " + c.dump());
  ctx.expect(c.value("digestKept", false), what + ": the damaged entry keeps the digest stored with it");
  const bool header = bad == 0;
  // A damaged header chunk: hasModelInCache says so (it said true, and every load failed, before digests).
  ctx.expect_eq(what + ": hasModelInCache", !header, loader_kit::has_model(ctx, page, m, cache));

  std::string label = what + ", loaded (" + cache + ")";
  ctx.server().reset_byte_log();
  json r = loader_kit::load(ctx, page, opts, label);
  loader_kit::expect_complete_load(ctx, r, m, kCorruptChunk, label);
  ctx.expect_eq(label + ": chunks refetched", 1, r.value("chunksRefetched", -1));
  ctx.expect_eq(label + ": bytes the server sent (that chunk)", len, loader_kit::served(ctx, m));
  loader_kit::expect_ranges_requested(ctx, m, {loader_kit::chunk_range(bad, kCorruptChunk, kCorruptSize)}, label + ": ranges fetched");
  ctx.expect_eq(label + ": bytes from the cache (the other chunks)", kCorruptSize - len, r.value("bytesFromCache", uint64_t{0}));

  label = what + ", repaired (" + cache + ")";
  ctx.server().reset_byte_log();
  r = loader_kit::load(ctx, page, opts, label);
  loader_kit::expect_complete_load(ctx, r, m, kCorruptChunk, label);
  ctx.expect(r.value("cachedComplete", false), label + ": cachedComplete true");
  ctx.expect_eq(label + ": chunks refetched", 0, r.value("chunksRefetched", -1));
  ctx.expect_eq(label + ": bytes the server sent", uint64_t{0}, loader_kit::served(ctx, m));
  ctx.expect(loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache true");
  ctx.metric("verify_ms_" + cache, r.value("verifyMs", 0.0));
}

void corrupt_with(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& cache) {
  const json opts = {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kCorruptChunk}};
  json r = loader_kit::load(ctx, page, opts, "first (" + cache + ")");
  loader_kit::expect_complete_load(ctx, r, m, kCorruptChunk, "first (" + cache + ")");
  ctx.expect(loader_kit::has_model(ctx, page, m, cache), "first (" + cache + "): hasModelInCache true");

  damaged_then_repaired(ctx, page, m, cache, 2 * kCorruptChunk, {{"length", 1000}}, "chunk 2 cut to 1000 bytes");
  damaged_then_repaired(ctx, page, m, cache, 3 * kCorruptChunk, {{"flipByte", 12345}}, "a bit of chunk 3 flipped");
  damaged_then_repaired(ctx, page, m, cache, 5 * kCorruptChunk, {{"flipByte", 776}}, "the last byte of the short last chunk flipped");
  damaged_then_repaired(ctx, page, m, cache, 0, {{"flipByte", 0}}, "the header chunk's magic flipped");
  damaged_then_repaired(ctx, page, m, cache, 0, {{"flipByte", 4096}}, "a bit of the header chunk flipped");
}

}  // namespace

Scenario make_loader_corrupt_chunk_scenario() {
  Scenario s;
  s.name = "loader-corrupt-chunk";
  s.suite = "loader";
  s.description = "loader.js: a stored chunk of the wrong size or with a flipped bit (header chunk too) is refetched (that range only) and stored right; hasModelInCache sees a damaged header";
  s.run = [](ScenarioContext& ctx) {
    const loader_kit::Session session = loader_kit::start_session(ctx, "corrupt.bin", kCorruptSize, 3, true);
    corrupt_with(ctx, session.page, session.model, "cache");
    corrupt_with(ctx, session.page, session.model, "indexeddb");
  };
  return s;
}

}  // namespace lantern::rig
