// Runs one scenario against one browser/profile: a fresh ScenarioContext per
// attempt, a watchdog that kills the scenario's browsers if it overruns its
// timeout (so every blocked wait ends), teardown, a check that no browser
// process was left behind, and optional retries.
#pragma once

#include "scenarios/scenario.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

// retries: extra attempts after a failure (0 = run once).
ScenarioResult run_scenario(const Scenario& scenario, const ScenarioSettings& settings, int retries = 0);

}  // namespace lantern::rig
