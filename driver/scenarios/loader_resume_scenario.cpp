// loader-resume: a download cut off part-way resumes from the stored chunks.
// The page holds every delivery after the second (so exactly the chunks in
// flight are stored), the rig sets the server fault "drop the connection
// after 4 KiB" on the model, releases the page: every later request is cut
// short, the retries fail too, and the load rejects with a network error,
// nothing marked complete. With the fault cleared, a second load fetches only
// the chunks not stored (byte log: those ranges, once each) and delivers the
// same bytes. For the Cache API and IndexedDB.
#include <set>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr uint64_t kResumeChunk = 1 << 20;
constexpr uint64_t kResumeSize = 6 * kResumeChunk + 4321;

void resume_with(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& cache) {
  const std::string label = "interrupted (" + cache + ")";
  ctx.server().reset_byte_log();
  json opts = {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kResumeChunk}, {"retryDelayMs", 20},
               {"pauseAfterChunks", 2}, {"pauseEvent", "paused-" + cache}, {"event", "done-" + cache}};
  loader_kit::call(ctx, page, "start", json::array({opts}));
  page.wait_for_event("paused-" + cache, ctx.budget(20s, "the page to hold its deliveries"));
  Fault drop;
  drop.drop_after_bytes = 4096;
  ctx.server().set_fault(m.url_path, drop);
  loader_kit::call(ctx, page, "resume", json::array());
  json r = page.wait_for_event("done-" + cache, ctx.budget(30s, "the interrupted load to fail")).data;
  ctx.server().clear_fault(m.url_path);
  ctx.log(label + ": " + r.value("error", std::string("(no error)")));
  loader_kit::expect_failed_load(ctx, r, "network", {ctx.url(m.url_path), "attempts"}, label);
  ctx.expect(!loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache false after the failed load");

  const std::vector<uint64_t> stored = loader_kit::stored_chunks(ctx, page, m, cache);
  ctx.log(label + ": " + std::to_string(stored.size()) + " chunks stored: " + json(stored).dump());
  // Deliveries 1 and 2 plus the two held in flight: chunks 0..3.
  ctx.expect(stored.size() >= 2 && stored.size() < 7, label + ": some but not all chunks stored, got " + json(stored).dump());
  const uint64_t stored_bytes = loader_kit::chunk_bytes(m, kResumeChunk, stored);
  std::set<std::string> stored_ranges;
  for (uint64_t s : stored) stored_ranges.insert(loader_kit::chunk_range(s, kResumeChunk, kResumeSize));

  const std::string again = "resumed (" + cache + ")";
  ctx.server().reset_byte_log();
  json r2 = loader_kit::load(ctx, page, {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kResumeChunk}}, again);
  loader_kit::expect_complete_load(ctx, r2, m, kResumeChunk, again);
  ctx.expect(!r2.value("cachedComplete", true), again + ": cachedComplete false (the first load never finished)");
  ctx.expect_eq(again + ": bytes read from the stored chunks", stored_bytes, r2.value("bytesFromCache", uint64_t{0}));
  ctx.expect_eq(again + ": bytes the server sent (only the chunks not stored)", kResumeSize - stored_bytes, loader_kit::served(ctx, m));
  std::vector<std::string> want;
  for (const std::string& range : loader_kit::chunk_ranges(m, kResumeChunk))
    if (!stored_ranges.count(range)) want.push_back(range);
  loader_kit::expect_ranges_requested(ctx, m, want, again + ": ranges fetched (each missing chunk once, no stored one)");
  ctx.expect(loader_kit::has_model(ctx, page, m, cache), again + ": hasModelInCache true once every chunk is stored");
  ctx.metric("resume_" + cache, {{"stored_chunks_after_failure", stored.size()}, {"resumed_served_bytes", kResumeSize - stored_bytes}});
}

}  // namespace

Scenario make_loader_resume_scenario() {
  Scenario s;
  s.name = "loader-resume";
  s.suite = "loader";
  s.description = "loader.js: connection dropped mid-download fails clearly; the next load fetches only the chunks not stored";
  s.run = [](ScenarioContext& ctx) {
    const loader_kit::Session session = loader_kit::start_session(ctx, "resume.bin", kResumeSize, 2, true);
    resume_with(ctx, session.page, session.model, "cache");
    resume_with(ctx, session.page, session.model, "indexeddb");
  };
  return s;
}

}  // namespace lantern::rig
