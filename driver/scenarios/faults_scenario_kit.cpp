#include "scenarios/faults_scenario_kit.h"

#include <filesystem>

namespace lantern::rig::faults_kit {

namespace fs = std::filesystem;

void start(ScenarioContext& ctx, const std::string& extra_models) {
  const std::string web = ctx.settings().source_dir + "/web";
  ctx.expect(fs::exists(web + "/dist/lantern.mjs"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
  ctx.expect(fs::exists(ctx.stories_dir() + "/stories260K.gguf"), "stories260K.gguf in " + ctx.stories_dir());
  std::vector<Mount> mounts = {{"/web/", web}, {"/models/", ctx.stories_dir()}};
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
