// The fleet file of `hivectl --fleet FILE` (docs/hivectl.md, "Fleets"): a JSON document of
// fixed targets, Docker hosts to discover and Kubernetes selectors, read into one
// TargetDiscovery. Every entry starts from the options hivectl would use without a fleet.
#pragma once

#include <filesystem>

#include <hivemind/fleet/target_discovery.hpp>

namespace hivectl {

// Reads and checks `file` now (the discovery itself runs when the fleet calls it). An
// unreadable file, invalid JSON, an unknown key, a wrong type or a missing required field
// throws hivemind::Error(invalid_argument) naming the file and the key.
hivemind::TargetDiscovery read_fleet_file(const std::filesystem::path& file,
                                          const hivemind::ClientOptions& base);

}  // namespace hivectl
