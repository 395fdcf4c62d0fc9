// How hivectl shows the targets of a fleet (list, top).
#pragma once

#include <string>
#include <vector>

#include <hivemind/fleet/hivemind_fleet.hpp>
#include <nlohmann/json.hpp>

#include "output.hpp"

namespace hivectl {

// {"name","health","running","known","placed","last_error"}
nlohmann::json targets_json(const std::vector<hivemind::TargetState>& targets);
// TARGET HEALTH RUNNING KNOWN PLACED LAST_ERROR, one row per target.
void print_targets_table(const Output& output, const std::vector<hivemind::TargetState>& targets);

}  // namespace hivectl
