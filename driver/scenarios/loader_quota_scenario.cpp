// loader-quota: storage quota care (CDP Storage.overrideQuotaForOrigin).
// Chromium enforces the overridden quota on writes, but by default
// navigator.storage.estimate() reports a static quota (usage + 10 GiB, an
// anti-fingerprinting measure), so the loader's pre-download check cannot see
// a small quota; both paths are tested:
//   as shipped (default flags), quota = half the model: the first write that
//     is refused fails the load with a 'quota' error naming a bound of the
//     shortfall in MB; nothing marked complete.
//   estimate honest (--disable-features=StaticStorageQuota), quota = half
//     the model: the load fails BEFORE downloading (the server sends no byte
//     of the model) with the exact shortfall in MB; nothing stored.
//   full while storing (as shipped): a quota that fits the model, then the
//     page fills storage with junk after the loader's check: the put fails
//     with QuotaExceededError, the chunks stored so far are kept but the
//     model is not marked complete; once the junk is gone a second load
//     fetches only the rest.
// Each for the Cache API and IndexedDB where it applies.
#include <cmath>
#include <regex>

#include "cdp/storage_domain.h"
#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr uint64_t kQuotaChunk = 1 << 20;
constexpr uint64_t kQuotaSize = 6 * kQuotaChunk + 5000;
const char* const kHonestEstimateFlag = "--disable-features=StaticStorageQuota";

double usage(ScenarioContext& ctx, ScenarioPage& page) {
  json e = loader_kit::call(ctx, page, "estimate", json::array());
  ctx.expect(e.value("ok", false), "navigator.storage.estimate() on the page, got " + e.dump());
  return e.value("usage", 0.0);
}

// The "short by X MB" figure of a quota error; after a refused write the
// loader knows only bounds: "short by more than X MB" or "short by up to X MB".
double shortfall_mb(ScenarioContext& ctx, const std::string& error, bool bound, const std::string& label) {
  std::smatch match;
  const std::regex re(bound ? "short by (more than|up to) ([0-9.]+) MB" : "short by ()([0-9.]+) MB");
  ctx.expect(std::regex_search(error, match, re), label + ": a shortfall" + (bound ? " (bound)" : "") + " in MB in: " + error);
  const double v = std::stod(match[2].str());
  return match[1].str() == "up to" ? -v : v;  // negative: an upper bound
}

// A model that cannot fit: `honest_estimate` says whether the page sees the override.
void too_small(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& cache,
               bool honest_estimate) {
  const std::string label = std::string(honest_estimate ? "estimate honest" : "as shipped") + ", quota half the model (" + cache + ")";
  const double quota = static_cast<double>(kQuotaSize / 2);
  cdp::storage::override_quota_for_origin(page.session(), ctx.origin(), quota);
  const double used = usage(ctx, page);
  ctx.server().reset_byte_log();
  json r = loader_kit::load(ctx, page, {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kQuotaChunk}}, label);
  loader_kit::expect_failed_load(ctx, r, "quota", {" MB", ctx.url(m.url_path)}, label);
  const std::string error = r.value("error", std::string());
  // What is really missing, give or take the page's own usage moving a little.
  const double true_short_mb = (static_cast<double>(kQuotaSize) - (quota - used)) / 1e6;
  const double short_mb = shortfall_mb(ctx, error, !honest_estimate, label);
  const uint64_t sent = loader_kit::served(ctx, m);
  if (honest_estimate) {
    ctx.expect(std::fabs(short_mb - true_short_mb) < 0.2, label + ": a shortfall near " + std::to_string(true_short_mb) + " MB, got " + std::to_string(short_mb));
    ctx.expect_eq(label + ": bytes of the model the server sent (fail before downloading)", uint64_t{0}, sent);
    ctx.expect(loader_kit::stored_chunks(ctx, page, m, cache).empty(), label + ": no chunk stored");
  } else {
    // Chromium checks writes against a usage figure that lags, so how much
    // got stored (and downloaded) before the first refusal varies.
    ctx.expect(short_mb != 0 && short_mb <= true_short_mb + 0.2, label + ": a shortfall bound consistent with " + std::to_string(true_short_mb) + " MB, got " + std::to_string(short_mb));
    ctx.expect(error.find("QuotaExceededError") != std::string::npos, label + ": the error to name QuotaExceededError: " + error);
  }
  ctx.expect(!loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache false");
  ctx.metric(std::string(honest_estimate ? "honest_" : "shipped_") + cache, {{"shortfall_mb", short_mb}, {"served_bytes", sent}});
  // Leave a clean slate for the next case.
  json del = loader_kit::call(ctx, page, "del", json::array({m.url_path, {{"cache", cache}}}));
  ctx.expect(del.value("ok", false), label + ": deleteModelFromCache afterwards, got " + del.dump());
  cdp::storage::override_quota_for_origin(page.session(), ctx.origin(), std::nullopt);
}

void full_while_storing(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& cache) {
  std::string label = "storage full while storing (" + cache + ")";
  const double used = usage(ctx, page);
  cdp::storage::override_quota_for_origin(page.session(), ctx.origin(), used + static_cast<double>(kQuotaSize + 3 * kQuotaChunk));
  ctx.server().reset_byte_log();
  // After the loader's check and the header chunk: junk that leaves room for about 3 of the 6 chunks still to store.
  const json opts = {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kQuotaChunk}, {"junkBytesAfterOpen", kQuotaSize - kQuotaChunk}};
  json r = loader_kit::load(ctx, page, opts, label);
  loader_kit::expect_failed_load(ctx, r, "quota", {ctx.url(m.url_path), "QuotaExceededError", " MB"}, label);
  ctx.expect(!loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache false");
  const std::vector<uint64_t> stored = loader_kit::stored_chunks(ctx, page, m, cache);
  ctx.log(label + ": chunks kept for a resume: " + json(stored).dump());
  ctx.expect(!stored.empty() && stored.size() < 7, label + ": some chunks kept, not all, got " + json(stored).dump());
  const uint64_t stored_bytes = loader_kit::chunk_bytes(m, kQuotaChunk, stored);

  json junk = loader_kit::call(ctx, page, "clearJunk", json::array({cache}));
  ctx.expect(junk.value("removed", false), "the page to remove its junk, got " + junk.dump());
  label = "after freeing space (" + cache + ")";
  ctx.server().reset_byte_log();
  r = loader_kit::load(ctx, page, {{"url", m.url_path}, {"cache", cache}, {"chunkSize", kQuotaChunk}}, label);
  loader_kit::expect_complete_load(ctx, r, m, kQuotaChunk, label);
  ctx.expect_eq(label + ": bytes from the kept chunks", stored_bytes, r.value("bytesFromCache", uint64_t{0}));
  ctx.expect_eq(label + ": bytes the server sent", kQuotaSize - stored_bytes, loader_kit::served(ctx, m));
  ctx.expect(loader_kit::has_model(ctx, page, m, cache), label + ": hasModelInCache true");
  cdp::storage::override_quota_for_origin(page.session(), ctx.origin(), std::nullopt);
}

}  // namespace

Scenario make_loader_quota_scenario() {
  Scenario s;
  s.name = "loader-quota";
  s.suite = "loader";
  s.description = "loader.js: quota smaller than the model fails with the shortfall in MB (before downloading when estimate() tells), QuotaExceededError keeps chunks, never marks complete";
  s.run = [](ScenarioContext& ctx) {
    const std::string models = ctx.scratch_dir() + "/models";
    const loader_kit::ModelFile m = loader_kit::write_model_file(ctx, models, "quota.bin", kQuotaSize, 4);
    loader_kit::start_server(ctx, models);
    {
      Browser& shipped = ctx.launch_browser();
      ScenarioPage& page = loader_kit::open_page(ctx, shipped, true);
      for (const char* cache : {"cache", "indexeddb"}) too_small(ctx, page, m, cache, false);
      for (const char* cache : {"cache", "indexeddb"}) full_while_storing(ctx, page, m, cache);
      page.close();
    }
    BrowserSpec spec;
    spec.extra_flags = {kHonestEstimateFlag};
    Browser& honest = ctx.launch_browser(spec);
    ScenarioPage& page = loader_kit::open_page(ctx, honest, true);
    for (const char* cache : {"cache", "indexeddb"}) too_small(ctx, page, m, cache, true);
  };
  return s;
}

}  // namespace lantern::rig
