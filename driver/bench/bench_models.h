// The models a bench runs on: a local GGUF path, an http(s) URL, or
// synthetic:SHAPE:TYPE, made once by fixtures/make_gguf's generator into a
// cache folder (same arguments, same bytes, so a cached file is reused).
#pragma once

#include <cstdint>
#include <string>

namespace lantern::rig::bench {

struct BenchModel {
  std::string spec;        // as given
  std::string name;        // short label for tables and plots: "stories260K", "qwen2.5-0.5b-q4_0"
  std::string local_file;  // the file served (empty for a URL)
  std::string url;         // the URL given (empty for a file)
  uint64_t file_bytes = 0; // 0 for a URL
};

// Throws std::invalid_argument for a bad synthetic spec or a missing file.
BenchModel resolve_bench_model(const std::string& spec, const std::string& cache_dir);

}  // namespace lantern::rig::bench
