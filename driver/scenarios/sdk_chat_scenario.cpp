// sdk-chat: the web SDK's public API in headless Chromium on stories260K, as
// an app uses it: streamed chunks arrive one by one and concatenate to the
// non-streamed greedy answer, the last chunks carry finish_reason and usage,
// an interrupted stream ends with "abort" and the next request works, a bad
// request is an OpenAI error. Runs in the page and in a worker on WebGPU
// (asked for: the only adapter is SwiftShader), with backend 'auto' on that
// software adapter and on a browser without WebGPU, where the engine falls
// back to the wasm CPU backend and must give the same greedy answer.
#include <filesystem>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

nlohmann::json run_page(ScenarioContext& ctx, Browser& browser, const std::string& query, const std::string& label) {
  ScenarioPage& page = ctx.open_page(browser, "/sdk_chat.html?" + query);
  const PageEvent ev = page.wait_for_event("sdk", ctx.budget(120s, label));
  const nlohmann::json& d = ev.data;
  if (d.contains("error")) ctx.fail(label + ": the page failed: " + d["error"].get<std::string>());
  const std::string whole = d.value("whole_text", std::string());
  ctx.log(label + ": backend " + d["stats"].value("backend", std::string("?")) + ", load " +
          std::to_string(d.value("load_ms", 0.0)) + " ms, " + std::to_string(d.value("content_chunks", 0)) +
          " content chunks over " + std::to_string(d.value("content_spread_ms", 0.0)) + " ms: " + whole.substr(0, 60) + "...");
  ctx.expect(!whole.empty(), label + ": a non-empty greedy answer");
  ctx.expect_eq(label + ": streamed deltas concatenate to the non-streamed answer", whole, d.value("streamed_text", std::string()));
  ctx.expect(d.value("content_chunks", 0) >= 10, label + ": the answer arrives in many chunks, got " + std::to_string(d.value("content_chunks", 0)));
  ctx.expect(d.value("content_spread_ms", 0.0) > 0.0, label + ": chunks arrive over time, not all at once");
  ctx.expect_eq(label + ": first chunk carries the role", std::string("assistant"),
                d["first_chunk"]["choices"][0]["delta"].value("role", std::string()));
  ctx.expect_eq(label + ": finish chunk", std::string("length"), d["finish_chunk"]["choices"][0].value("finish_reason", std::string()));
  ctx.expect(d["usage_chunk"]["choices"].empty(), label + ": the usage chunk has no choices");
  ctx.expect_eq(label + ": streamed usage", 24, d["usage_chunk"]["usage"].value("completion_tokens", 0));
  ctx.expect_eq(label + ": non-streamed usage", 24, d["whole_usage"].value("completion_tokens", 0));
  ctx.expect_eq(label + ": interrupted stream's finish_reason", std::string("abort"), d.value("interrupted_finish", std::string()));
  ctx.expect_eq(label + ": the request after the interrupt", 8, d.value("after_tokens", 0));
  ctx.expect_eq(label + ": a bad request is an OpenAI error", std::string("invalid_request_error"),
                d["bad_request_error"].value("type", std::string()));
  return d;
}

}  // namespace

Scenario make_sdk_chat_scenario() {
  Scenario s;
  s.name = "sdk-chat";
  s.suite = "sdk";
  s.description = "web SDK: streaming equals non-streamed greedy, finish/usage chunks, interrupt then next request, OpenAI errors; page, worker, CPU fallback (no adapter, or only a software one)";
  s.run = [](ScenarioContext& ctx) {
    const std::string stories = ctx.stories_dir();
    const std::string web = ctx.settings().source_dir + "/web";
    ctx.expect(fs::exists(web + "/dist/lantern.mjs"), "the wasm build in web/dist (build it with ci/build_wasm.sh)");
    ctx.expect(fs::exists(stories + "/stories260K.gguf"), "stories260K.gguf in " + stories);
    ctx.start_server({{"/web/", web}, {"/models/", stories}});

    Browser& gpu = ctx.launch_browser({FlagProfile::kSwiftShader, ""});
    const nlohmann::json page = run_page(ctx, gpu, "mode=page&backend=webgpu", "page/webgpu");
    ctx.expect_eq("page: backend", std::string("webgpu"), page["stats"].value("backend", std::string()));
    const nlohmann::json worker = run_page(ctx, gpu, "mode=worker&backend=webgpu", "worker/webgpu");
    ctx.expect_eq("worker: the same greedy answer", page["whole_text"], worker["whole_text"]);
    // 'auto' does not take a software adapter (SwiftShader): the CPU backend
    // runs the model far faster, and runtimeStats() says why it was chosen.
    const nlohmann::json soft = run_page(ctx, gpu, "mode=page&backend=auto", "page/auto on SwiftShader");
    ctx.expect_eq("auto on a software adapter: the CPU backend", std::string("cpu"), soft["stats"].value("backend", std::string()));
    const nlohmann::json& soft_load = soft["stats"]["load"];
    const std::string reason = soft_load.value("fallback_reason", std::string());
    ctx.expect(reason.find("software renderer") != std::string::npos && reason.find("swiftshader") != std::string::npos &&
                   reason.find("allowFallbackAdapter") != std::string::npos,
               "auto on a software adapter: fallback_reason names it and the option that allows it, got '" + reason + "'");
    ctx.expect(soft_load["adapter"].value("isFallbackAdapter", false), "auto on a software adapter: the adapter is still described");
    ctx.expect_eq("auto on a software adapter: the same greedy answer", page["whole_text"], soft["whole_text"]);

    Browser& none = ctx.launch_browser({FlagProfile::kNoWebGpu, ""});
    const nlohmann::json cpu = run_page(ctx, none, "mode=worker&backend=auto", "worker/no-webgpu");
    ctx.expect_eq("no WebGPU: falls back to the CPU backend", std::string("cpu"), cpu["stats"].value("backend", std::string()));
    ctx.expect(!cpu["stats"]["load"]["fallback_reason"].is_null(), "no WebGPU: the fallback says why");
    ctx.expect_eq("CPU fallback: the same greedy answer as WebGPU", page["whole_text"], cpu["whole_text"]);
  };
  return s;
}

}  // namespace lantern::rig
