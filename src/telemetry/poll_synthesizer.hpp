// Poll mode against the deployed relay, sans-IO: successive `agent_list` (and
// `swarm_status`) payloads in, TelemetryUpdates out. An update carries the agents
// that appeared, changed or vanished since the previous poll, and the topology
// edges that changed. The relay has no edges, so they are computed client-side
// from the swarm's topology kind and the agent order of agent_list.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hivemind/mcp/mcp_models.hpp"
#include "hivemind/telemetry/telemetry_models.hpp"

namespace hivemind::telemetry_detail {

using Edge = std::pair<std::string, std::string>;  // from, to

// The edges a swarm of `topology` ("mesh", "star", "ring", "hierarchical") has
// between `agent_ids`, in this order. Star and hierarchical hang every agent
// below the first (the coordinator); an unknown kind has no edges.
std::set<Edge> topology_edges(const std::string& topology,
                              const std::vector<std::string>& agent_ids);

class PollSynthesizer {
 public:
  // The update describing what changed since the previous call; nullopt when
  // nothing did. `status` is absent when swarm_status was not polled or failed
  // (the edges are then left as they were).
  std::optional<TelemetryUpdate> next(const AgentList& agents,
                                      const std::optional<SwarmStatus>& status,
                                      const std::string& session_id, const std::string& timestamp);

  // Forgets what was seen, so the next poll reports every agent again.
  void reset();

 private:
  std::map<std::string, AgentTelemetry> known_agents_;
  std::set<Edge> known_edges_;
};

}  // namespace hivemind::telemetry_detail
