#include "scenarios/faults_scenario_kit.h"

#include <cstdlib>
#include <filesystem>

namespace lantern::rig::faults_kit {

namespace fs = std::filesystem;

std::string stories_dir(const ScenarioContext& ctx) {
  const char* sd = std::getenv("LANTERN_SHARED_DIR");
  return (sd ? std::string(sd) : ctx.settings().source_dir + "/../shared") + "/models/stories260K";
}

void start(ScenarioContext& ctx, const std::string& extra_models) {
  const std::string web = ctx.settings().source_dir + "/web";
  ctx.expect(fs::exists(web + "/dist/lantern.mjs"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
  ctx.expect(fs::exists(stories_dir(ctx) + "/stories260K.gguf"), "stories260K.gguf in " + stories_dir(ctx));
  std::vector<Mount> mounts = {{"/web/", web}, {"/models/", stories_dir(ctx)}};
  if (!extra_models.empty()) mounts.push_back({"/bad/", extra_models});
  ctx.start_server(mounts);
}

nlohmann::json run_case(ScenarioContext& ctx, Browser& browser, const std::string& which, const std::string& query,
                        std::chrono::milliseconds timeout, const std::string& label) {
  ScenarioPage& page = ctx.open_page(browser, "/faults.html?case=" + which + (query.empty() ? "" : "&" + query));
  const PageEvent ev = page.wait_for_event(which, ctx.budget(timeout, label));
  page.close();
  return ev.data;
}

void expect_mentions(ScenarioContext& ctx, const std::string& text, const std::vector<std::string>& parts,
                     const std::string& label) {
  for (const std::string& p : parts)
    ctx.expect(text.find(p) != std::string::npos, label + ": the message names \"" + p + "\", got: " + text);
}

}  // namespace lantern::rig::faults_kit
