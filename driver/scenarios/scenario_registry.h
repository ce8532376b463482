// Every scenario lantern-rig knows, by suite. Add a scenario by writing its
// factory (see builtin_scenarios.h) and listing it in scenario_registry.cpp.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace lantern::rig {

const std::vector<Scenario>& all_scenarios();
// Suite names in first-seen order.
std::vector<std::string> suite_names();
const Scenario* find_scenario(const std::string& name);

}  // namespace lantern::rig
