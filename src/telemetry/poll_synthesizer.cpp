#include "telemetry/poll_synthesizer.hpp"

namespace hivemind::telemetry_detail {
namespace {

AgentTelemetry agent_from_list_entry(const AgentInfo& info) {
  AgentTelemetry agent;
  agent.agent_id = info.agent_id;
  agent.type = info.type;
  agent.status = info.status;
  // Relays that know more (positions, performance) send it in the same shape as the
  // documented stream; absent members simply stay absent.
  if (info.raw.is_object()) {
    const AgentTelemetry extra = info.raw.get<AgentTelemetry>();
    agent.position = extra.position;
    agent.velocity = extra.velocity;
    agent.performance = extra.performance;
    agent.neural = extra.neural;
  }
  return agent;
}

bool same_state(const AgentTelemetry& a, const AgentTelemetry& b) {
  return a.type == b.type && a.status == b.status && a.position == b.position &&
         a.velocity == b.velocity && a.performance == b.performance && a.neural == b.neural;
}

TopologyChange edge_change(const char* type, const Edge& edge) {
  return TopologyChange{type, edge.first, edge.second, 1.0};
}

}  // namespace

std::set<Edge> topology_edges(const std::string& topology,
                              const std::vector<std::string>& agent_ids) {
  std::set<Edge> edges;
  const std::size_t count = agent_ids.size();
  if (topology == "mesh") {
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = i + 1; j < count; ++j) edges.emplace(agent_ids[i], agent_ids[j]);
    }
  } else if (topology == "star" || topology == "hierarchical") {
    for (std::size_t i = 1; i < count; ++i) edges.emplace(agent_ids[0], agent_ids[i]);
  } else if (topology == "ring" && count > 1) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t next = (i + 1) % count;
      if (count == 2 && i == 1) break;  // two agents: one edge, not the same edge twice
      edges.emplace(agent_ids[i], agent_ids[next]);
    }
  }
  return edges;
}

std::optional<TelemetryUpdate> PollSynthesizer::next(const AgentList& list,
                                                     const std::optional<SwarmStatus>& status,
                                                     const std::string& session_id,
                                                     const std::string& timestamp) {
  TelemetryUpdate update;
  update.timestamp = timestamp;
  update.session_id = session_id;
  update.swarm_id = !list.swarm_id.empty() ? list.swarm_id : (status ? status->swarm_id : "");

  std::map<std::string, AgentTelemetry> current;
  std::vector<std::string> order;
  for (const AgentInfo& info : list.agents) {
    if (info.agent_id.empty() || current.contains(info.agent_id)) continue;
    order.push_back(info.agent_id);
    current.emplace(info.agent_id, agent_from_list_entry(info));
  }
  for (const auto& [id, agent] : current) {
    const auto known = known_agents_.find(id);
    if (known == known_agents_.end() || !same_state(known->second, agent)) {
      update.agents.push_back(agent);
    }
  }
  for (const auto& [id, agent] : known_agents_) {
    if (current.contains(id)) continue;
    AgentTelemetry gone = agent;
    gone.removed = true;
    update.agents.push_back(std::move(gone));
  }
  known_agents_ = std::move(current);

  if (status) {
    std::set<Edge> edges = topology_edges(status->topology, order);
    for (const Edge& edge : known_edges_) {
      if (!edges.contains(edge))
        update.topology_changes.push_back(edge_change("edge_removed", edge));
    }
    for (const Edge& edge : edges) {
      if (!known_edges_.contains(edge))
        update.topology_changes.push_back(edge_change("edge_added", edge));
    }
    known_edges_ = std::move(edges);
  }

  if (update.agents.empty() && update.topology_changes.empty()) return std::nullopt;
  return update;
}

void PollSynthesizer::reset() {
  known_agents_.clear();
  known_edges_.clear();
}

}  // namespace hivemind::telemetry_detail
