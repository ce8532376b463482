#include "scenarios/scenario_registry.h"

#include <algorithm>

#include "scenarios/builtin_scenarios.h"

namespace lantern::rig {

const char* scenario_status_name(ScenarioStatus status) {
  switch (status) {
    case ScenarioStatus::kPassed: return "PASS";
    case ScenarioStatus::kFailed: return "FAIL";
    case ScenarioStatus::kSkipped: return "SKIP";
  }
  return "?";
}

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = {
      make_webgpu_adapter_scenario(),
      make_streaming_scenario(),
      make_cache_cold_warm_scenario(),
      make_browser_killed_scenario(),
      make_webgpu_parity_scenario(),
      make_webgpu_parity_paths_scenario(),
      make_webgpu_parity_types_scenario(),
      make_webgpu_parity_gemma_scenario(),
      make_webgpu_parity_rope_scenario(),
      make_webgpu_parity_models_scenario(),
      make_webgpu_bench_scenario(),
      make_grammar_bench_scenario(),
      make_sdk_chat_scenario(),
      make_demo_page_scenario(),
      make_npm_package_scenario(),
      make_sdk_cache_scenario(),
      make_loader_cold_warm_scenario(),
      make_loader_resume_scenario(),
      make_loader_corrupt_chunk_scenario(),
      make_loader_quota_scenario(),
      make_loader_http_scenario(),
      make_faults_load_scenario(),
      make_faults_requests_scenario(),
      make_faults_device_lost_scenario(),
      make_faults_renderer_crash_scenario(),
      make_security_loopback_scenario(),
  };
  return scenarios;
}

std::vector<std::string> suite_names() {
  std::vector<std::string> names;
  for (const auto& s : all_scenarios())
    if (std::find(names.begin(), names.end(), s.suite) == names.end()) names.push_back(s.suite);
  return names;
}

const Scenario* find_scenario(const std::string& name) {
  for (const auto& s : all_scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace lantern::rig
