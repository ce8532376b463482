#include "bench/bench_models.h"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "scenarios/command_setup.h"
#include "synthetic_model.h"

namespace lantern::rig::bench {

namespace fs = std::filesystem;

BenchModel resolve_bench_model(const std::string& spec, const std::string& cache_dir) {
  BenchModel m;
  m.spec = spec;
  if (is_http_url(spec)) {
    m.url = spec;
    const auto slash = spec.find_last_of('/');
    m.name = fs::path(spec.substr(slash + 1)).stem().string();
    return m;
  }
  const std::string prefix = "synthetic:";
  if (spec.rfind(prefix, 0) == 0) {
    const std::string rest = spec.substr(prefix.size());
    const auto colon = rest.find(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("a synthetic model is synthetic:SHAPE:TYPE (e.g. synthetic:qwen2.5-0.5b:q4_0), got '" +
                                  spec + "'");
    const std::string shape = rest.substr(0, colon), type = rest.substr(colon + 1);
    const fixtures::WeightMix mix = fixtures::parse_weight_mix(type);  // throws with the accepted names
    m.name = shape + "-" + type;
    fs::create_directories(cache_dir);
    const fs::path file = fs::path(cache_dir) / (m.name + ".gguf");
    if (!fs::exists(file)) {
      std::cerr << "bench: making " << file.string() << " (synthetic " << shape << ", " << type << ")\n";
      const fs::path partial = file.string() + ".partial";
      fixtures::write_synthetic_model(shape, mix, 1, partial.string());  // throws for an unknown shape
      fs::rename(partial, file);  // a cut-off write never looks complete
    }
    m.local_file = file.string();
  } else {
    if (!fs::is_regular_file(spec)) throw std::invalid_argument("no model file at " + spec);
    m.local_file = spec;
    m.name = fs::path(spec).stem().string();
  }
  m.file_bytes = fs::file_size(m.local_file);
  return m;
}

}  // namespace lantern::rig::bench
