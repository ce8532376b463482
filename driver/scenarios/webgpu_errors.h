// The WebGPU errors a test page reports (WGSL compile messages and device
// errors), summed up for a failure message: one failing pipeline repeats its
// error on every dispatch, so the count and the first few say it all.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace lantern::rig {

// "" when both lists are empty; else "N WebGPU errors, first: ...".
std::string webgpu_errors_summary(const nlohmann::json& wgsl_errors, const nlohmann::json& gpu_errors,
                                  std::size_t keep = 3);

}  // namespace lantern::rig
