// demo-page: the demo chat page as a person uses it, in headless Chromium on
// stories260K: it loads the model with progress, streams an answer, shows
// TTFT and tok/s under it; a screenshot is taken and written to the report
// folder, and the page's DOM must show the streamed answer.
#include <filesystem>
#include <fstream>

#include "cdp/page_domain.h"
#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

Scenario make_demo_page_scenario() {
  Scenario s;
  s.name = "demo-page";
  s.suite = "sdk";
  s.description = "demo chat page: load with progress, streamed answer with TTFT and tok/s; screenshot shows the answer";
  s.run = [](ScenarioContext& ctx) {
    const std::string stories = ctx.stories_dir();
    const std::string web = ctx.settings().source_dir + "/web";
    ctx.expect(fs::exists(web + "/dist/lantern.mjs"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
    ctx.start_server({{"/web/", web}, {"/models/", stories}});
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(
        browser, "/web/demo/index.html?autoload=1&temperature=0&max_tokens=48&model=/models/stories260K.gguf&prompt=Once%20upon%20a%20time");
    const PageEvent loaded = page.wait_for_event("loaded", ctx.budget(60s, "the demo to load the model"));
    const PageEvent answer = page.wait_for_event("answer", ctx.budget(90s, "the demo's answer"));
    const std::string text = answer.data.value("text", std::string());
    const size_t deltas = page.events("delta").size();
    ctx.log("loaded in " + std::to_string(loaded.data.value("load_ms", 0.0)) + " ms; answer in " + std::to_string(deltas) +
            " deltas: " + text.substr(0, 80));
    ctx.expect(text.size() > 20, "a real answer, got \"" + text + "\"");
    ctx.expect(deltas >= 10, "the answer streamed in many deltas, got " + std::to_string(deltas));
    const std::vector<PageEvent> progress = page.events("progress");
    ctx.expect(progress.size() >= 2, "load progress reports, got " + std::to_string(progress.size()));

    // What a person sees: the bubble holds the answer, with the timing line.
    const nlohmann::json shown = page.evaluate(
        "(() => { const b = document.querySelector('.msg.assistant'); const m = b && b.querySelector('.meta');"
        " return { bubble: b ? b.firstChild.textContent : null, meta: m ? m.textContent : null,"
        " status: document.getElementById('progress-text').textContent }; })()", 10s);
    ctx.expect_eq("the assistant bubble shows the streamed answer", text, shown.value("bubble", std::string()));
    const std::string meta = shown.value("meta", std::string());
    ctx.expect(meta.find("TTFT") != std::string::npos && meta.find("tok/s") != std::string::npos,
               "TTFT and tok/s under the answer, got \"" + meta + "\"");
    ctx.log("status line: " + shown.value("status", std::string()) + "; under the answer: " + meta);

    const std::string png = cdp::page::capture_screenshot_png(page.session(), 30s);
    ctx.expect(png.size() > 8000 && png.compare(1, 3, "PNG") == 0, "a PNG screenshot of the page");
    const std::string out = ctx.scratch_dir() + "/demo-page.png";
    std::ofstream(out, std::ios::binary) << png;
    ctx.metric("screenshot_bytes", png.size());
    ctx.metric("load_ms", loaded.data.value("load_ms", 0.0));
    ctx.metric("ttft_ms", answer.data.value("ttft_ms", 0.0));
  };
  return s;
}

}  // namespace lantern::rig
