// loader-http: what the server (or the network) does wrong.
//   404 and 500 (server fault knob): fail at once (one HEAD, no retry) with
//     an error naming the URL and the status; 503 is retried, then fails
//     naming the status and the attempts;
//   a stalled server (latency fault beyond the stall timeout): fails with a
//     clear error instead of hanging;
//   a server that ignores Range (the page's fetch drops the header): the
//     whole-file answers are sliced, the bytes still equal the file;
//   a body cut short once, a wrong Content-Range once (the page's fetch):
//     that chunk is retried (its range served twice), the bytes equal;
//   a size of 1e20 by Content-Length or by Content-Range (the page's fetch):
//     refused at once ('too-large'), naming the size and maxModelBytes.

#include "scenarios/builtin_scenarios.h"
#include "scenarios/loader_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr uint64_t kHttpChunk = 1 << 20;
constexpr uint64_t kHttpSize = 4 * kHttpChunk + 999;

json base(const loader_kit::ModelFile& m) {
  return {{"url", m.url_path}, {"cache", "none"}, {"chunkSize", kHttpChunk}, {"retryDelayMs", 20}};
}

size_t requests_for(ScenarioContext& ctx, const loader_kit::ModelFile& m) {
  ctx.expect(ctx.server().wait_idle(ctx.budget(5s, "waiting for the server")), "the server to finish its responses");
  size_t n = 0;
  for (const auto& r : ctx.server().byte_log().requests) n += r.path == m.url_path;
  return n;
}

void status_fault(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, int status, size_t attempts) {
  const std::string label = "HTTP " + std::to_string(status);
  Fault f;
  f.force_status = status;
  ctx.server().set_fault(m.url_path, f);
  ctx.server().reset_byte_log();
  json opts = base(m);
  opts["cache"] = "cache";
  json r = loader_kit::load(ctx, page, opts, label);
  ctx.server().clear_fault(m.url_path);
  std::vector<std::string> parts = {"HTTP " + std::to_string(status), ctx.url(m.url_path)};
  if (attempts > 1) parts.push_back("after " + std::to_string(attempts) + " attempts");
  loader_kit::expect_failed_load(ctx, r, "http", parts, label);
  ctx.expect_eq(label + ": HTTP status on the error", status, r.value("status", 0));
  ctx.expect_eq(label + ": requests for the model", attempts, requests_for(ctx, m));
  ctx.expect(!loader_kit::has_model(ctx, page, m, "cache"), label + ": hasModelInCache false");
}

// A retried chunk: its range twice in the byte log, every other range once.
void one_retry(ScenarioContext& ctx, ScenarioPage& page, const loader_kit::ModelFile& m, const std::string& what, uint64_t start) {
  const std::string label = what + " once at " + std::to_string(start);
  json opts = base(m);
  opts[what] = start;
  ctx.server().reset_byte_log();
  json r = loader_kit::load(ctx, page, opts, label);
  loader_kit::expect_complete_load(ctx, r, m, kHttpChunk, label);
  std::vector<std::string> want = loader_kit::chunk_ranges(m, kHttpChunk);
  want.push_back(loader_kit::chunk_range(start, kHttpChunk, kHttpSize));
  loader_kit::expect_ranges_requested(ctx, m, want, label + ": ranges fetched (the bad one twice)");
}

}  // namespace

Scenario make_loader_http_scenario() {
  Scenario s;
  s.name = "loader-http";
  s.suite = "loader";
  s.description = "loader.js: 404/500 fail at once naming the status, 503 retried, stalls time out, ignored Range sliced, short or mislabelled bodies retried, a size of 1e20 refused at once";
  s.run = [](ScenarioContext& ctx) {
    const loader_kit::Session session = loader_kit::start_session(ctx, "http.bin", kHttpSize, 5, false);
    const loader_kit::ModelFile& m = session.model;
    ScenarioPage& page = session.page;

    status_fault(ctx, page, m, 404, 1);
    status_fault(ctx, page, m, 500, 1);
    status_fault(ctx, page, m, 503, 4);  // retries: 3

    {  // A server that answers nothing within the stall timeout.
      Fault slow;
      slow.latency = 3000ms;
      ctx.server().set_fault(m.url_path, slow);
      json opts = base(m);
      opts["stallTimeoutMs"] = 300;
      opts["retries"] = 1;
      json r = loader_kit::load(ctx, page, opts, "stalled server");
      ctx.server().clear_fault(m.url_path);
      loader_kit::expect_failed_load(ctx, r, "network", {"no data from " + ctx.url(m.url_path) + " for 0.3 s", "after 2 attempts"}, "stalled server");
      ctx.expect(r.value("ms", 1e9) < 2000, "the stalled load to fail within 2 s (2 x 0.3 s stall timeout), took " +
                                               std::to_string(r.value("ms", 0.0)) + " ms");
    }

    {  // Range ignored: every answer is the whole file.
      json opts = base(m);
      opts["noRange"] = true;
      ctx.server().reset_byte_log();
      json r = loader_kit::load(ctx, page, opts, "Range ignored");
      loader_kit::expect_complete_load(ctx, r, m, kHttpChunk, "Range ignored");
      ctx.metric("range_ignored_served_bytes", loader_kit::served(ctx, m));
    }

    // A size of 1e20 bytes from the server (Content-Length of a HEAD, or the
    // total of a ranged GET's Content-Range): refused at once, before any
    // chunk is laid out (it froze the tab for 103 s and took 3.8 GB of heap).
    for (const std::string how : {"content-length", "content-range"}) {
      json opts = base(m);
      opts["hugeSize"] = how;
      const std::string label = "a size of 1e20 by " + how;
      json r = loader_kit::load(ctx, page, opts, label);
      loader_kit::expect_failed_load(ctx, r, "too-large", {"100000000000000000000 bytes", "maxModelBytes", ctx.url(m.url_path)}, label);
      ctx.expect(r.value("ms", 1e9) < 2000, label + ": to fail within 2 s, took " + std::to_string(r.value("ms", 0.0)) + " ms");
    }

    one_retry(ctx, page, m, "shortOnce", 2 * kHttpChunk);
    one_retry(ctx, page, m, "wrongRangeOnce", 3 * kHttpChunk);
  };
  return s;
}

}  // namespace lantern::rig
