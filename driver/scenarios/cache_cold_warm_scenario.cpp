// cache-cold-warm: the page keeps a served file in the Cache API.
//   cold: fresh kept profile -> the server serves the whole file;
//   warm: a NEW browser process on the same profile, after a clean
//         Browser.close -> the server serves zero bytes of it;
//   cleared: after Storage.clearDataForOrigin -> it is served again.
// The server's byte log is the truth; the page's own hit/miss report and
// checksum are checked too.
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "cdp/storage_domain.h"
#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

namespace {

constexpr std::size_t kFileBytes = 384 * 1024;
const char* const kFilePath = "/data/blob.bin";

// Deterministic bytes and the page's checksum over them (sum*31 + byte, mod 2^32).
uint32_t write_blob(const std::string& path) {
  std::string bytes(kFileBytes, '\0');
  uint32_t state = 0x9e3779b9u, sum = 0;
  for (auto& c : bytes) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
    sum = sum * 31u + static_cast<uint8_t>(c);
  }
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return sum;
}

struct CacheVisit {
  bool hit = false;
  uint64_t page_bytes = 0;
  uint32_t checksum = 0;
  uint64_t served = 0;
  double ms = 0;
  double cache_storage_usage = -1;  // from Storage.getUsageAndQuota, -1 if unknown
};

CacheVisit visit(ScenarioContext& ctx, Browser& browser, const std::string& label) {
  ctx.server().reset_byte_log();
  PageOptions shared;
  shared.isolated_context = false;  // the default context persists to the profile dir
  auto t0 = std::chrono::steady_clock::now();
  ScenarioPage& page = ctx.open_page(browser, std::string("/cache.html?file=") + kFilePath, shared);
  PageEvent ev = page.wait_for_event("cache", 30s);
  CacheVisit v;
  v.ms = std::chrono::duration<double, std::milli>(ev.received - t0).count();
  v.hit = ev.data.value("hit", false);
  v.page_bytes = ev.data.value("bytes", uint64_t{0});
  v.checksum = ev.data.value("checksum", uint32_t{0});
  ctx.expect(ctx.server().wait_idle(ctx.budget(5s, "waiting for the server to finish")),
             "the server to finish its responses (" + label + ")");
  v.served = ctx.server().bytes_served(kFilePath);
  try {  // informational: the byte log is what the scenario asserts on
    v.cache_storage_usage = cdp::storage::get_usage_and_quota(page.session(), ctx.origin()).usage_of("cache_storage");
  } catch (const CdpException& e) {
    ctx.log(std::string("usage query failed: ") + e.what());
  }
  ctx.log(label + ": page says " + (v.hit ? "hit" : "miss") + ", " + std::to_string(v.page_bytes) +
          " bytes; server sent " + std::to_string(v.served) + " bytes of " + kFilePath +
          "; cache_storage usage " + std::to_string(static_cast<long long>(v.cache_storage_usage)) + " bytes");
  page.close();
  return v;
}

}  // namespace

Scenario make_cache_cold_warm_scenario() {
  Scenario s;
  s.name = "cache-cold-warm";
  s.suite = "cache";
  s.description = "Cache API: cold run served, warm run (new process, same profile) zero bytes, cleared served again";
  s.run = [](ScenarioContext& ctx) {
    const std::string data_dir = ctx.scratch_dir() + "/data";
    const std::string profile_dir = ctx.scratch_dir() + "/profile";
    std::filesystem::create_directories(data_dir);
    const uint32_t checksum = write_blob(data_dir + "/blob.bin");
    ctx.start_server({{"/data/", data_dir}});

    auto check_content = [&](const CacheVisit& v, const std::string& label) {
      ctx.expect_eq(label + ": bytes the page read", uint64_t{kFileBytes}, v.page_bytes);
      ctx.expect_eq(label + ": checksum of what the page read", checksum, v.checksum);
    };

    // Cold.
    Browser& first = ctx.launch_browser({std::nullopt, profile_dir});
    CacheVisit cold = visit(ctx, first, "cold");
    ctx.expect(!cold.hit, "a cache miss on the cold run (fresh profile)");
    check_content(cold, "cold");
    ctx.expect_eq("bytes served of " + std::string(kFilePath) + " on the cold run", uint64_t{kFileBytes}, cold.served);
    // Only a clean shutdown persists Cache API entries (DESIGN.md).
    ctx.expect(ctx.close_browser(first), "a clean Browser.close of the first browser (so its cache persists)");

    // Warm: a new process on the same profile directory.
    Browser& second = ctx.launch_browser({std::nullopt, profile_dir});
    CacheVisit warm = visit(ctx, second, "warm");
    ctx.expect(warm.hit, "a Cache API hit on the warm run (new browser process, same profile)");
    check_content(warm, "warm");
    ctx.expect_eq("bytes served of " + std::string(kFilePath) + " on the warm run", uint64_t{0}, warm.served);

    // Cleared: Storage.clearDataForOrigin drops the entry; the file is served again.
    {
      // Storage calls need a page of the origin's storage partition: on the
      // browser-level session Chromium answers "Internal error".
      PageOptions shared;
      shared.isolated_context = false;
      ScenarioPage& page = ctx.open_page(second, "/idle.html", shared);
      cdp::storage::clear_data_for_origin(page.session(), ctx.origin(), "cache_storage");
      page.close();
    }
    CacheVisit cleared = visit(ctx, second, "cleared");
    ctx.expect(!cleared.hit, "a cache miss after Storage.clearDataForOrigin");
    check_content(cleared, "cleared");
    ctx.expect_eq("bytes served of " + std::string(kFilePath) + " after clearing", uint64_t{kFileBytes}, cleared.served);

    ctx.metric("file_bytes", kFileBytes);
    for (const auto& [name, v] : {std::pair{"cold", cold}, std::pair{"warm", warm}, std::pair{"cleared", cleared}})
      ctx.metric(name, {{"served_bytes", v.served}, {"ms", v.ms}, {"cache_storage_usage", v.cache_storage_usage}});
  };
  return s;
}

}  // namespace lantern::rig
