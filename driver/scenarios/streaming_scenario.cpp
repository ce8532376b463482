// streaming: the page streams N chunks, D ms apart. The rig checks the count,
// the order, that they arrived spread over time (stamped by the rig as they
// came, so a page that buffered everything and sent it at the end fails), and
// that the chunks concatenate to the final text.
#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

Scenario make_streaming_scenario() {
  Scenario s;
  s.name = "streaming";
  s.suite = "basic";
  s.description = "N chunks with delays: count, order, arrival spread, concatenation equals the final text";
  s.run = [](ScenarioContext& ctx) {
    constexpr int kChunks = 12;
    constexpr int kDelayMs = 50;
    ctx.start_server();
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/streaming.html?chunks=" + std::to_string(kChunks) +
                                                    "&delay=" + std::to_string(kDelayMs));
    auto chunks = page.wait_for_events("chunk", kChunks, 30s);
    PageEvent done = page.wait_for_event("done", 10s);

    ctx.expect_eq("number of chunk events", std::size_t{kChunks}, page.events("chunk").size());
    std::string concatenated;
    for (int i = 0; i < kChunks; ++i) {
      ctx.expect_eq("index of chunk #" + std::to_string(i) + " (arrival order)", i, chunks[i].data.value("index", -1));
      concatenated += chunks[i].data.value("text", std::string());
    }
    ctx.expect_eq("concatenated chunks vs final text", done.data.value("text", std::string()), concatenated);
    ctx.expect(done.received >= chunks.back().received, "'done' to arrive after the last chunk");

    // Spread as the rig saw it. The page waits kDelayMs before each chunk, so
    // the first-to-last spread is at least (N-1)*D on the page; allow half for
    // bunching on a loaded machine, which still rules out one late burst.
    const double spread_ms = std::chrono::duration<double, std::milli>(chunks.back().received - chunks.front().received).count();
    const double min_spread = 0.5 * (kChunks - 1) * kDelayMs;
    ctx.metric("arrival_spread_ms", spread_ms);
    ctx.metric("first_chunk_after_ms", ctx.elapsed_ms(chunks.front().received));
    if (spread_ms < min_spread)
      ctx.fail("chunks arrived in a burst: first-to-last spread " + std::to_string(spread_ms) + " ms, expected >= " +
               std::to_string(min_spread) + " ms for " + std::to_string(kChunks) + " chunks " +
               std::to_string(kDelayMs) + " ms apart");
    // Page-side stamps: each chunk no earlier than the delay after the last.
    for (int i = 1; i < kChunks; ++i) {
      double gap = chunks[i].data.value("page_ms", 0.0) - chunks[i - 1].data.value("page_ms", 0.0);
      if (gap < 0.8 * kDelayMs)
        ctx.fail("page-side gap before chunk " + std::to_string(i) + " is " + std::to_string(gap) +
                 " ms, expected >= " + std::to_string(kDelayMs) + " ms");
    }
    ctx.log("received " + std::to_string(kChunks) + " chunks over " + std::to_string(static_cast<int>(spread_ms)) + " ms");
  };
  return s;
}

}  // namespace lantern::rig
