// npm-package: web/ is an installable npm package. `npm pack` makes the
// tarball, a separate sample app (fixtures/npm_sample) installs it with npm
// (offline: the tarball has no dependencies) and imports it by its package
// name; the page then loads stories260K and answers a request.
#include <cstdlib>
#include <filesystem>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
// Runs a shell command with a time limit; its output goes to `log`.
void sh(ScenarioContext& ctx, const std::string& cmd, const std::string& log) {
  const std::string full = "timeout 180 sh -c '" + cmd + "' > '" + log + "' 2>&1";
  const int rc = std::system(full.c_str());
  if (rc != 0) ctx.fail("command failed (" + std::to_string(rc) + "): " + cmd + " (output in " + log + ")");
}
}  // namespace

Scenario make_npm_package_scenario() {
  Scenario s;
  s.name = "npm-package";
  s.suite = "sdk";
  s.description = "npm pack of web/, installed into a separate sample app, imported by name, answers a request";
  s.run = [](ScenarioContext& ctx) {
    const std::string src = ctx.settings().source_dir;
    const std::string stories = ctx.stories_dir();
    ctx.expect(fs::exists(src + "/web/dist/lantern.wasm"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
    const std::string work = ctx.scratch_dir();
    const std::string app = work + "/app";
    fs::create_directories(app);
    for (const char* f : {"index.html", "main.js", "package.json"}) fs::copy_file(src + "/fixtures/npm_sample/" + f, app + "/" + f);
    sh(ctx, "cd \"" + src + "/web\" && npm pack --silent --pack-destination \"" + work + "\"", work + "/pack.log");
    std::string tarball;
    for (const auto& e : fs::directory_iterator(work))
      if (e.path().extension() == ".tgz") tarball = e.path().string();
    ctx.expect(!tarball.empty(), "npm pack to write a .tgz into " + work);
    ctx.log("packed " + fs::path(tarball).filename().string() + " (" + std::to_string(fs::file_size(tarball)) + " bytes)");
    sh(ctx, "cd \"" + app + "\" && npm install --offline --no-audit --no-fund \"" + tarball + "\"", work + "/install.log");
    ctx.expect(fs::exists(app + "/node_modules/lantern-llm/dist/lantern.wasm"), "the installed package carries dist/lantern.wasm");
    ctx.expect(fs::exists(app + "/node_modules/lantern-llm/src/lantern.d.ts"), "the installed package carries its types");

    ctx.start_server({{"/app/", app}, {"/models/", stories}});
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/app/index.html?model=/models/stories260K.gguf");
    const PageEvent ev = page.wait_for_event("sample", ctx.budget(90s, "the sample app's answer"));
    if (ev.data.contains("error")) ctx.fail("the sample app failed: " + ev.data["error"].get<std::string>());
    const std::string text = ev.data.value("text", std::string());
    ctx.log("the sample app answered: " + text);
    ctx.expect(!text.empty(), "an answer from the installed package");
    ctx.expect_eq("tokens in the answer", 16, ev.data["usage"].value("completion_tokens", 0));
  };
  return s;
}

}  // namespace lantern::rig
