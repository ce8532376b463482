// One timed model load in a new browser process, as `lantern-rig bench`
// runs it: the bench page (fixtures/pages/bench.html) loads the model
// through the SDK and times its requests; around it the rig counts the model
// bytes its server sent (byte log) and the bytes the browser saw arrive (CDP
// Network.loadingFinished encodedDataLength), samples the page's JS heap (CDP
// Performance.getMetrics) and reads the browser tree's peak RSS from /proc,
// then closes the browser cleanly (Browser.close), so that a warm load after
// it finds the Cache API entries on disk.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_options.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig::bench {

struct LoadRunSpec {
  std::string kind;          // "cold" (fresh profile dir) or "warm" (the cold run's dir)
  std::string profile_dir;   // kept profile directory
  std::string page_path;     // the bench page with its query, a server path
  std::string model_url;     // the model as the page fetches it (absolute), for CDP matching
  std::vector<std::string> served_paths;  // the model's byte-log paths (its shards); empty for a remote URL
  ThrottleProfile throttle;
  std::string throttle_via = "none";  // none | server (bandwidth fault on /models/) | cdp (emulateNetworkConditions)
};

// Returns one sample (see bench_summary.h for the fields). Fails the context
// (throws) on a page error, a crash or the context's deadline.
nlohmann::json run_load(ScenarioContext& ctx, const LoadRunSpec& spec);

}  // namespace lantern::rig::bench
