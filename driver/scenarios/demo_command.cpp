#include "scenarios/demo_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cdp/page_domain.h"
#include "scenarios/command_setup.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const char* kDemoHelp = R"(usage: lantern-rig demo [options]

Serves the demo chat page and a model, runs one scripted chat in headless
Chromium (the answer is printed as it streams), then loads the model again in
a new browser process on the same profile (warm: from the Cache API) and
prints both load times and the model bytes each load fetched.

options:
  --model PATH|URL   GGUF model (default: ../shared/models/stories260K/stories260K.gguf
                     when present, else a synthetic model whose text is random)
  --prompt TEXT      the message to send (default: "Tell me a story about a cat.")
  --max-tokens N     answer length (default 96)
  --browser B        headless-shell (default), chromium, or an executable path
  --flags PROFILE    swiftshader (default), no-webgpu, gpu-vulkan
  --screenshot FILE  save a PNG of the page after the answer
  --timeout S        overall limit in seconds (default 300)
  --source-dir DIR   repository root (default: $LANTERN_SOURCE_DIR or the build's tree)
  --help             this text
)";

struct DemoOptions {
  std::string model, prompt = "Tell me a story about a cat.", screenshot;
  int max_tokens = 96;
  CommandBrowserOptions browser;
};

struct LoadResult {
  double load_ms = 0;
  nlohmann::json stats;
  std::string answer;
};

// One browser process on `profile_dir`: load, chat, print the stream.
LoadResult run_once(ScenarioContext& ctx, const std::string& profile_dir, const std::string& page_url,
                    const std::string& screenshot) {
  Browser& browser = ctx.launch_browser({std::nullopt, profile_dir});
  PageOptions po;
  po.isolated_context = false;  // the Cache API must persist in the profile
  ScenarioPage& page = ctx.open_page(browser, page_url, po);
  LoadResult r;
  for (size_t printed = 0;;) {
    const auto errors = page.events("error");
    if (!errors.empty()) ctx.fail("the page reported: " + errors[0].data.value("message", std::string()));
    const auto deltas = page.events("delta");
    for (; printed < deltas.size(); ++printed) std::cout << deltas[printed].data.value("text", std::string()) << std::flush;
    const auto answers = page.events("answer");
    if (!answers.empty()) {
      std::cout << "\n";
      r.answer = answers[0].data.value("text", std::string());
      const auto loaded = page.events("loaded");
      if (!loaded.empty()) {
        r.load_ms = loaded[0].data.value("load_ms", 0.0);
        r.stats = loaded[0].data["stats"];
      }
      const auto& u = answers[0].data["usage"];
      if (u.is_object() && u.contains("extra"))
        std::cout << "  [TTFT " << static_cast<int>(answers[0].data.value("ttft_ms", 0.0)) << " ms, "
                  << u["extra"].value("decode_tokens_per_s", 0.0) << " tok/s, " << u.value("completion_tokens", 0)
                  << " tokens, finish " << answers[0].data.value("finish_reason", std::string()) << "]\n";
      break;
    }
    ctx.budget(1s, "the demo's answer");  // fails once the overall deadline has passed
    std::this_thread::sleep_for(50ms);
  }
  if (!screenshot.empty()) {
    std::ofstream(screenshot, std::ios::binary) << cdp::page::capture_screenshot_png(page.session(), 30s);
    std::cout << "  screenshot: " << screenshot << "\n";
  }
  ctx.close_browser(browser);
  return r;
}

}  // namespace

int demo_command(int argc, char** argv) {
  DemoOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kDemoHelp;
      return 0;
    } else if (a == "--model") o.model = value();
    else if (a == "--prompt") o.prompt = value();
    else if (a == "--max-tokens") o.max_tokens = std::stoi(value());
    else if (a == "--browser") o.browser.browser = value();
    else if (a == "--flags") o.browser.flags = value();
    else if (a == "--screenshot") o.screenshot = value();
    else if (a == "--timeout") o.browser.timeout_s = std::stod(value());
    else if (a == "--source-dir") o.browser.source_dir = value();
    else throw std::invalid_argument("unknown option " + a + " (see --help)");
  }
  const ScenarioSettings settings = command_settings(o.browser);
  const std::string web = settings.source_dir + "/web";
  ScenarioContext ctx(settings);
  try {
    std::ostringstream note;
    const ServedModel model = model_to_serve(o.model, ctx, note);
    if (!note.str().empty()) std::cout << "demo: " << note.str();
    const std::string model_url = model.url;
    std::vector<Mount> mounts{{"/web/", web}};
    mounts.insert(mounts.end(), model.mounts.begin(), model.mounts.end());
    HttpServer& server = ctx.start_server(mounts);
    const std::string page = "/web/demo/index.html?autoload=1&temperature=0&model=" + url_encode(model_url) +
                             "&max_tokens=" + std::to_string(o.max_tokens) + "&prompt=" + url_encode(o.prompt);
    const std::string profile_dir = ctx.scratch_dir() + "/profile";
    fs::create_directories(profile_dir);
    std::cout << "demo: " << server.url("/web/demo/index.html") << " on " << settings.browser_name << " ["
              << o.browser.flags << "], model " << model_url << "\n\nuser: " << o.prompt << "\nassistant: " << std::flush;

    auto model_bytes = [&] {
      server.wait_idle();
      return bytes_served(server, model.served_paths);
    };
    const LoadResult cold = run_once(ctx, profile_dir, page, o.screenshot);
    const uint64_t cold_bytes = model_bytes();
    server.reset_byte_log();
    std::cout << "\n(warm run: a new browser process on the same profile)\nassistant: " << std::flush;
    const LoadResult warm = run_once(ctx, profile_dir, page, "");
    const uint64_t warm_bytes = model_bytes();
    std::cout << "\nbackend: " << cold.stats.value("backend", std::string("?")) << "\n";
    std::printf("cold load: %8.1f ms, %llu model bytes fetched\n", cold.load_ms, static_cast<unsigned long long>(cold_bytes));
    std::printf("warm load: %8.1f ms, %llu model bytes fetched%s\n", warm.load_ms, static_cast<unsigned long long>(warm_bytes),
                model_url[0] == '/' ? "" : " (a remote URL: bytes not counted)");
    ctx.teardown();
    return cold.answer.empty() ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "\nlantern-rig demo: " << e.what() << "\n";
    const std::string tail = ctx.last_browser_stderr();
    if (!tail.empty()) std::cerr << "browser stderr (last lines):\n" << tail << "\n";
    ctx.teardown();
    return 1;
  }
}

}  // namespace lantern::rig
