// Where HiveMindFleet::spawn_task puts a new session: a policy picks one of the targets that
// are up, from what the fleet knows of each.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

namespace hivemind {

struct TargetLoad {
  std::string name;
  // Sessions `starting` or `running` in the target's last `list`, plus those placed there
  // since (so a burst of spawns spreads before the next list).
  std::size_t running_sessions = 0;
  std::size_t placed_sessions = 0;  // placed there by this fleet since it was built
};

// Returns the index into `candidates` (never empty: only targets that are up, in name order)
// of the target that gets the session. An index out of range throws invalid_argument.
// Spawns from several threads call it concurrently, without the fleet's lock held.
using PlacementPolicy = std::function<std::size_t(std::span<const TargetLoad> candidates)>;

// The default: fewest running sessions; ties go to the target this fleet placed fewer
// sessions on, then to the first in name order.
PlacementPolicy least_running_sessions();

// Each target in turn, whatever its load.
PlacementPolicy round_robin();

}  // namespace hivemind
