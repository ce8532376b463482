// sdk-cache: a model loaded through the public API is cached; a second
// visit in a NEW browser process on the same profile (after a clean close)
// starts from the cache with zero model bytes served (the server's byte log
// is the truth); after deleteModelFromCache the model downloads again. The
// answer is the same every time.
#include <filesystem>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
nlohmann::json visit(ScenarioContext& ctx, const std::string& profile, const std::string& query, const std::string& label) {
  Browser& browser = ctx.launch_browser({std::nullopt, profile});
  PageOptions po;
  po.isolated_context = false;  // the cache lives in the profile on disk
  ScenarioPage& page = ctx.open_page(browser, "/sdk_load.html?" + query, po);
  const PageEvent ev = page.wait_for_event("load", ctx.budget(90s, label));
  if (ev.data.contains("error")) ctx.fail(label + ": " + ev.data["error"].get<std::string>());
  ctx.expect(ctx.close_browser(browser), label + ": a clean browser shutdown (the cache is only kept then)");
  const auto& load = ev.data["load"];
  ctx.log(label + ": from_cache=" + load["from_cache"].dump() + ", bytes from network " + load["bytes_from_network"].dump() +
          ", from cache " + load["bytes_from_cache"].dump() + ", load " + load["total_ms"].dump() + " ms, phases " + ev.data["phases"].dump());
  return ev.data;
}
}  // namespace

Scenario make_sdk_cache_scenario() {
  Scenario s;
  s.name = "sdk-cache";
  s.suite = "sdk";
  s.description = "cold load downloads and caches; warm load in a new browser process serves zero model bytes; delete downloads again";
  s.run = [](ScenarioContext& ctx) {
    const std::string stories = ctx.stories_dir();
    const std::string model_path = "/models/stories260K.gguf";
    const uint64_t size = fs::file_size(stories + "/stories260K.gguf");
    HttpServer& server = ctx.start_server({{"/web/", ctx.settings().source_dir + "/web"}, {"/models/", stories}});
    const std::string profile = ctx.scratch_dir() + "/profile";
    fs::create_directories(profile);
    // Small chunks, so the model is several cache entries.
    const std::string query = "model=" + model_path + "&chunk=262144";
    auto served = [&] {
      server.wait_idle();
      const auto log = server.byte_log();
      auto it = log.bytes_by_path.find(model_path);
      return it == log.bytes_by_path.end() ? uint64_t{0} : it->second;
    };

    const nlohmann::json cold = visit(ctx, profile, query, "cold");
    const uint64_t cold_bytes = served();
    ctx.expect(!cold["cached_before"].get<bool>(), "cold: nothing cached before");
    ctx.expect(cold["cached_after"].get<bool>(), "cold: the model is marked cached after the load");
    ctx.expect(cold_bytes >= size, "cold: the whole model served (" + std::to_string(cold_bytes) + " of " + std::to_string(size) + " bytes)");
    ctx.metric("cold", {{"served_bytes", cold_bytes}, {"load_ms", cold["load"]["total_ms"]}});

    server.reset_byte_log();
    const nlohmann::json warm = visit(ctx, profile, query, "warm");
    ctx.expect_eq("warm: model bytes served", uint64_t{0}, served());
    ctx.expect(warm["load"]["from_cache"].get<bool>(), "warm: the load says it came from the cache");
    ctx.expect_eq("warm: the same answer", cold["text"], warm["text"]);
    ctx.metric("warm", {{"served_bytes", 0}, {"load_ms", warm["load"]["total_ms"]}});

    server.reset_byte_log();
    const nlohmann::json again = visit(ctx, profile, query + "&delete=1", "after delete");
    ctx.expect(again["deleted"].get<bool>(), "deleteModelFromCache removed the model");
    ctx.expect(served() >= size, "after delete: the model is downloaded again");
    ctx.expect_eq("after delete: the same answer", cold["text"], again["text"]);
  };
  return s;
}

}  // namespace lantern::rig
