#include "scenarios/webgpu_errors.h"

namespace lantern::rig {

std::string webgpu_errors_summary(const nlohmann::json& wgsl_errors, const nlohmann::json& gpu_errors, std::size_t keep) {
  std::vector<std::string> all;
  for (const nlohmann::json* list : {&wgsl_errors, &gpu_errors})
    if (list->is_array())
      for (const auto& e : *list) all.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  if (all.empty()) return "";
  std::string out = std::to_string(all.size()) + " WebGPU error" + (all.size() == 1 ? "" : "s") + ", first:";
  for (std::size_t i = 0; i < all.size() && i < keep; ++i) out += " [" + all[i] + "]";
  return out;
}

}  // namespace lantern::rig
