// Factories of the built-in scenarios (one file each); the registry lists them.
#pragma once

#include "scenarios/scenario.h"

namespace lantern::rig {

Scenario make_webgpu_adapter_scenario();
Scenario make_streaming_scenario();
Scenario make_cache_cold_warm_scenario();
Scenario make_browser_killed_scenario();
Scenario make_webgpu_parity_scenario();
Scenario make_webgpu_parity_paths_scenario();
Scenario make_webgpu_parity_types_scenario();
Scenario make_webgpu_parity_gemma_scenario();
Scenario make_webgpu_parity_rope_scenario();
Scenario make_webgpu_parity_models_scenario();
Scenario make_webgpu_bench_scenario();
Scenario make_grammar_bench_scenario();
Scenario make_sdk_chat_scenario();
Scenario make_demo_page_scenario();
Scenario make_npm_package_scenario();
Scenario make_sdk_cache_scenario();
Scenario make_loader_cold_warm_scenario();
Scenario make_loader_resume_scenario();
Scenario make_loader_corrupt_chunk_scenario();
Scenario make_loader_quota_scenario();
Scenario make_loader_http_scenario();
Scenario make_faults_load_scenario();
Scenario make_faults_requests_scenario();
Scenario make_faults_device_lost_scenario();
Scenario make_faults_renderer_crash_scenario();
Scenario make_security_loopback_scenario();

}  // namespace lantern::rig
