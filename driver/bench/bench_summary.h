// Turns the load samples of one model and throttle profile into the bench's
// JSON object (the DESIGN.md contract: medians at the documented keys, with
// "_stats" spreads, phases and memory beside them), and the record in the
// shape the peers use (peer_bench.h), so Lantern and its peers pair up.
//
// A sample (load_runs.h) holds: kind, throttle_via, load_ms, floor_ms,
// bytes_served, cdp_encoded_bytes, download_mbit_s, phases{...},
// phases_busy{...}, ttft_ms, prefill_tok_s, decode_tok_s (request side) and
// engine_* (the engine's own), memory{...}, backend, adapter, clean_close.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_models.h"
#include "bench/bench_options.h"

namespace lantern::rig::bench {

struct BenchInputs {
  BenchModel model;
  ThrottleProfile throttle;
  int runs = 0;
  std::string flags;  // the flag profile
  std::string browser;
  std::vector<nlohmann::json> samples;  // every load: cold/warm, server/cdp/none
  std::vector<nlohmann::json> peers;    // peer records, as the peers return them
};

nlohmann::json summarize(const BenchInputs& in);

// {"engine":"lantern","config":backend,...} from a summary.
nlohmann::json lantern_record(const nlohmann::json& summary);

// Lantern over peer for each metric both have ("x" means Lantern is x times
// the peer: for tok/s higher is better, for times lower is better).
nlohmann::json pair_with_peers(const nlohmann::json& lantern, const std::vector<nlohmann::json>& peers);

}  // namespace lantern::rig::bench
