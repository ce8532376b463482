// What the loader scenarios (loader_*_scenario.cpp) share: a deterministic
// model file in the scratch dir and its hash, the server with /web/ and
// /models/ mounted, the loader page (fixtures/pages/loader_page.*), calls
// into its window.loaderTest, and the checks every successful load must pass
// (the bytes equal the file, every chunk delivered once, sane progress).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_context.h"

namespace lantern::rig::loader_kit {

struct ModelFile {
  std::string url_path;  // "/models/NAME"
  uint64_t size = 0;
  uint32_t fnv = 0;      // FNV-1a 32 of the bytes (the page computes the same)
};

// Writes `size` pseudo-random bytes (seeded) to dir/name, the first four
// "GGUF" (hasModelInCache checks a stored model starts like a GGUF file).
ModelFile write_model_file(ScenarioContext& ctx, const std::string& dir, const std::string& name, uint64_t size,
                           uint32_t seed);

// The server: fixtures/pages at "/", web/ at "/web/", `models_dir` at "/models/".
void start_server(ScenarioContext& ctx, const std::string& models_dir);

// loader_page.html, its module loaded ('ready'). persistent: the default
// browser context (storage on the profile dir), else an isolated one.
ScenarioPage& open_page(ScenarioContext& ctx, Browser& browser, bool persistent);

// The start most loader scenarios share: the model file `name` (size, seed)
// in the scratch dir, the server, a new browser and the loader page on it.
struct Session {
  ModelFile model;
  ScenarioPage& page;
};
Session start_session(ScenarioContext& ctx, const std::string& name, uint64_t size, uint32_t seed, bool persistent);

// loaderTest.<fn>(<args as JSON>), awaited; the value it resolved with.
nlohmann::json call(ScenarioContext& ctx, ScenarioPage& page, const std::string& fn, const nlohmann::json& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A whole load (open, header read, stream); logs a one-line summary.
nlohmann::json load(ScenarioContext& ctx, ScenarioPage& page, const nlohmann::json& opts, const std::string& label,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Fails unless `r` is a successful load of `m`: hash, size, every chunk of
// `chunk_size` delivered exactly once, header read equal, progress monotone
// and ending at the total.
void expect_complete_load(ScenarioContext& ctx, const nlohmann::json& r, const ModelFile& m, uint64_t chunk_size,
                          const std::string& label);

// Fails unless `r` is a failed load whose error has `code` and contains each of `parts`.
void expect_failed_load(ScenarioContext& ctx, const nlohmann::json& r, const std::string& code,
                        const std::vector<std::string>& parts, const std::string& label);

// Body bytes the server sent for `m` since the last reset (after waiting for
// responses in flight to be recorded).
uint64_t served(ScenarioContext& ctx, const ModelFile& m);

// The Range headers of the GETs for `m` since the last reset, in order.
std::vector<std::string> ranges_requested(ScenarioContext& ctx, const ModelFile& m);

// "bytes=S-E" for the chunk starting at `start`.
std::string chunk_range(uint64_t start, uint64_t chunk_size, uint64_t size);

// Every chunk's range of `m`, in file order.
std::vector<std::string> chunk_ranges(const ModelFile& m, uint64_t chunk_size);

// Bytes in the chunks of `m` that start at `starts`.
uint64_t chunk_bytes(const ModelFile& m, uint64_t chunk_size, const std::vector<uint64_t>& starts);

// Fails unless the GETs for `m` since the last reset asked for exactly the
// ranges in `want`, each as often as it appears there (in any order).
void expect_ranges_requested(ScenarioContext& ctx, const ModelFile& m, std::vector<std::string> want,
                             const std::string& label);

// hasModelInCache(url, {cache}) on the page.
bool has_model(ScenarioContext& ctx, ScenarioPage& page, const ModelFile& m, const std::string& cache);

// The chunk starts stored for `m` in `cache`.
std::vector<uint64_t> stored_chunks(ScenarioContext& ctx, ScenarioPage& page, const ModelFile& m,
                                    const std::string& cache);

}  // namespace lantern::rig::loader_kit
