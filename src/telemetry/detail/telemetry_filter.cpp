#include "telemetry/detail/telemetry_filter.hpp"

#include <algorithm>

namespace hivemind::telemetry_detail {
namespace {

// An update without the id says nothing about belonging elsewhere.
bool belongs_elsewhere(const std::string& wanted, const std::string& actual) {
  return !wanted.empty() && !actual.empty() && wanted != actual;
}

}  // namespace

bool apply_filters(TelemetryUpdate& update, const StreamSelection& selection) {
  if (belongs_elsewhere(selection.session_id, update.session_id) ||
      belongs_elsewhere(selection.swarm_id, update.swarm_id)) {
    return false;
  }
  const TelemetryFilters& filters = selection.filters;
  if (!filters.agent_types.empty()) {
    // An agent of unknown type cannot be shown to match, so it goes too.
    std::erase_if(update.agents, [&](const AgentTelemetry& agent) {
      return std::find(filters.agent_types.begin(), filters.agent_types.end(), agent.type) ==
             filters.agent_types.end();
    });
  }
  for (AgentTelemetry& agent : update.agents) {
    if (!filters.include_performance) agent.performance.reset();
    if (!filters.include_neural) agent.neural = nullptr;
  }
  if (!filters.include_topology) update.topology_changes.clear();
  return !update.agents.empty() || !update.topology_changes.empty();
}

}  // namespace hivemind::telemetry_detail
