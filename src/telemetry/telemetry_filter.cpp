#include "telemetry/telemetry_filter.hpp"

#include <algorithm>
#include <vector>

namespace hivemind::telemetry_detail {
namespace {

// An update without the id says nothing about belonging elsewhere.
bool belongs_elsewhere(const std::string& wanted, const std::string& actual) {
  return !wanted.empty() && !actual.empty() && wanted != actual;
}

}  // namespace

bool TelemetryFilter::wanted_type(const std::string& type) const {
  // An agent of unknown type cannot be shown to match, so it goes too.
  const auto& types = selection_.filters.agent_types;
  return std::find(types.begin(), types.end(), type) != types.end();
}

void TelemetryFilter::filter_by_type(TelemetryUpdate& update) {
  std::vector<std::string> removed;
  for (const AgentTelemetry& agent : update.agents) {
    agents_[{update.session_id, agent.agent_id}] = wanted_type(agent.type);
    if (agent.removed) removed.push_back(agent.agent_id);
  }
  std::erase_if(update.agents,
                [&](const AgentTelemetry& agent) { return !wanted_type(agent.type); });
  const auto wanted_agent = [&](const std::string& agent_id) {
    const auto known = agents_.find({update.session_id, agent_id});
    return known != agents_.end() && known->second;
  };
  std::erase_if(update.topology_changes, [&](const TopologyChange& change) {
    return !wanted_agent(change.from) || !wanted_agent(change.to);
  });
  // After the changes of this update: an agent's last edges leave with it.
  for (const std::string& agent_id : removed) agents_.erase({update.session_id, agent_id});
}

bool TelemetryFilter::apply(TelemetryUpdate& update) {
  if (belongs_elsewhere(selection_.session_id, update.session_id) ||
      belongs_elsewhere(selection_.swarm_id, update.swarm_id)) {
    return false;
  }
  const TelemetryFilters& filters = selection_.filters;
  if (!filters.include_topology) update.topology_changes.clear();
  if (!filters.agent_types.empty()) filter_by_type(update);
  for (AgentTelemetry& agent : update.agents) {
    if (!filters.include_performance) agent.performance.reset();
    if (!filters.include_neural) agent.neural = nullptr;
  }
  return !update.agents.empty() || !update.topology_changes.empty();
}

}  // namespace hivemind::telemetry_detail
