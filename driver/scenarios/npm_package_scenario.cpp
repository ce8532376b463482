// npm-package: web/ is an installable npm package. `npm pack` makes the
// tarball (its prepack builds the engine and adds the LICENSE), a separate
// sample app (fixtures/npm_sample) installs it with npm (offline: the tarball
// has no dependencies) and imports it by its package name through an import
// map; a Vite app and a webpack app (fixtures/bundler_apps) install it too and
// are built by those bundlers, which must emit the engine's module and wasm as
// assets. Each page loads stories260K and answers; the bundled apps answer in
// the page and in a worker, and a 404 in the worker arrives as a LoaderError.
#include <cstdlib>
#include <filesystem>
#include <fstream>

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

// What a bundled app reported; checked against the plain sample's answer.
void check_bundled_app(ScenarioContext& ctx, const std::string& bundler, const nlohmann::json& d, const std::string& expected) {
  if (d.contains("error")) ctx.fail(bundler + " app failed: " + d["error"].get<std::string>());
  ctx.log(bundler + " app: backend " + d.value("backend", std::string("?")) + ", answered: " + d.value("page", std::string()));
  ctx.expect_eq(bundler + " app: the page engine's answer", expected, d.value("page", std::string()));
  ctx.expect_eq(bundler + " app: the worker engine's answer", expected, d.value("worker", std::string()));
  ctx.expect_eq(bundler + " app: tokens in the worker's answer", 16, d["worker_usage"].value("completion_tokens", 0));
  const nlohmann::json& missing = d["missing"];
  ctx.expect(missing.is_object() && missing.value("isLoaderError", false) && missing.value("name", std::string()) == "LoaderError" &&
                 missing.value("code", std::string()) == "http" && missing.value("status", 0) == 404,
             bundler + " app: a 404 in the worker engine is a LoaderError with code 'http' and status 404, got " + missing.dump());
}

}  // namespace

Scenario make_npm_package_scenario() {
  Scenario s;
  s.name = "npm-package";
  s.suite = "sdk";
  s.description = "npm pack of web/ (its prepack builds the engine), installed into a plain sample app, a Vite app and a webpack app, each built and answering in the page and in a worker";
  s.run = [](ScenarioContext& ctx) {
    const std::string src = ctx.settings().source_dir;
    const std::string stories = ctx.stories_dir();
    const std::string bundlers = src + "/fixtures/bundler_apps";
    ctx.expect(fs::exists(src + "/web/dist/lantern.wasm"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
    ctx.expect(fs::exists(bundlers + "/node_modules/.bin/vite") && fs::exists(bundlers + "/node_modules/.bin/webpack"),
               "Vite and webpack in " + bundlers + "/node_modules (ci/npm_locked_install.sh " + bundlers + ")");
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
    const std::string install = "npm install --offline --no-audit --no-fund \"" + tarball + "\"";
    sh(ctx, "cd \"" + app + "\" && " + install, work + "/install.log");
    const std::string installed = app + "/node_modules/lantern-llm";
    for (const char* f : {"dist/lantern.wasm", "dist/lantern.mjs", "src/lantern.d.ts", "README.md", "LICENSE"})
      ctx.expect(fs::exists(installed + "/" + f), std::string("the installed package carries ") + f);

    // The same chat app built by Vite and by webpack from the installed
    // package, as a team's app would be (fixtures/bundler_apps).
    for (const std::string bundler : {"vite", "webpack"}) {
      const std::string dir = work + "/" + bundler;
      fs::create_directories(dir);
      for (const std::string from : {bundlers + "/app", bundlers + "/" + bundler})
        fs::copy(from, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      std::ofstream(dir + "/package.json") << R"({ "name": "lantern-)" << bundler << R"(-app", "private": true, "version": "0.0.0" })";
      sh(ctx, "cd \"" + dir + "\" && " + install, work + "/" + bundler + "-install.log");
      const std::string bin = bundlers + "/node_modules/.bin/" + bundler;
      sh(ctx, "cd \"" + dir + "\" && " + (bundler == "vite" ? "\"" + bin + "\" build --base ./ --logLevel warn"
                                                           : "\"" + bin + "\" --config webpack.config.cjs && cp index.html dist/"),
         work + "/" + bundler + "-build.log");
      bool wasm = false;
      for (const auto& e : fs::recursive_directory_iterator(dir + "/dist")) wasm = wasm || e.path().extension() == ".wasm";
      ctx.expect(wasm, bundler + ": the build emitted the engine's wasm (log: " + work + "/" + bundler + "-build.log)");
    }

    ctx.start_server({{"/app/", app}, {"/vite/", work + "/vite/dist"}, {"/webpack/", work + "/webpack/dist"}, {"/models/", stories}});
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/app/index.html?model=/models/stories260K.gguf");
    const PageEvent ev = page.wait_for_event("sample", ctx.budget(90s, "the sample app's answer"));
    if (ev.data.contains("error")) ctx.fail("the sample app failed: " + ev.data["error"].get<std::string>());
    const std::string text = ev.data.value("text", std::string());
    ctx.log("the sample app answered: " + text);
    ctx.expect(!text.empty(), "an answer from the installed package");
    ctx.expect_eq("tokens in the answer", 16, ev.data["usage"].value("completion_tokens", 0));
    for (const std::string bundler : {"vite", "webpack"}) {
      ScenarioPage& p = ctx.open_page(browser, "/" + bundler + "/index.html?model=/models/stories260K.gguf");
      check_bundled_app(ctx, bundler, p.wait_for_event("app", ctx.budget(90s, "the " + bundler + " app's answers")).data, text);
    }
  };
  return s;
}

}  // namespace lantern::rig
