// The subscription's filters applied on the client side, in both modes: a relay
// ignores them and a documented server may apply them loosely, yet the
// application must see the same thing whichever server it meets.
#pragma once

#include <string>

#include "hivemind/telemetry/telemetry_models.hpp"

namespace hivemind::telemetry_detail {

struct StreamSelection {
  std::string session_id;  // empty: any
  std::string swarm_id;    // empty: any
  TelemetryFilters filters;
};

// Removes what the filters exclude (agents of other types, performance, topology,
// neural data). Returns false when nothing of the update is left for the
// application: another session or swarm, or no agents and no topology changes.
bool apply_filters(TelemetryUpdate& update, const StreamSelection& selection);

}  // namespace hivemind::telemetry_detail
