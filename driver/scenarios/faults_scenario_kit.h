// Shared by the "faults" suite's scenarios (faults_*_scenario.cpp): where
// stories260K lives, serving web/ and the models, and running one case of
// fixtures/pages/faults.html to its report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "scenarios/scenario_context.h"

namespace lantern::rig::faults_kit {

// Checks web/dist and the model exist, then serves /web/ and /models/
// (stories260K) plus `extra_models` at /bad/.
void start(ScenarioContext& ctx, const std::string& extra_models = "");

// Opens faults.html?case=...&<query> and returns the case's report; a page
// error or a crash fails the scenario with its reason.
nlohmann::json run_case(ScenarioContext& ctx, Browser& browser, const std::string& which, const std::string& query,
                        std::chrono::milliseconds timeout, const std::string& label);

// "what contains every part" as an expectation.
void expect_mentions(ScenarioContext& ctx, const std::string& text, const std::vector<std::string>& parts,
                     const std::string& label);

}  // namespace lantern::rig::faults_kit
