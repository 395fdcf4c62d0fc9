// Typed telemetry for visualisers: what the documented port-3002 stream sends
// (`telemetry_update`), and what TelemetryStream synthesises from the deployed
// relay's `agent_list` / `swarm_status` in poll mode. Parsing is tolerant: missing
// fields keep their defaults, unknown fields are ignored, snake_case and camelCase
// keys are both accepted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/mcp/mcp_models.hpp"  // Vec3, shared with the documented session tools

namespace hivemind {

struct AgentPerformance {
  double cpu_usage = 0;
  double memory_mb = 0;
  long tasks_completed = 0;
  friend bool operator==(const AgentPerformance&, const AgentPerformance&) = default;
};

// The state of one agent as of one update. Optional members are absent when the
// server did not send them (the deployed relay knows no positions) or a filter
// removed them.
struct AgentTelemetry {
  std::string agent_id;
  std::string type;
  std::string status;
  std::optional<Vec3> position;
  std::optional<Vec3> velocity;
  std::optional<AgentPerformance> performance;
  nlohmann::json neural;  // null unless the server sent it and include_neural is set
  // Poll mode: the agent vanished from agent_list (the subscribe stream has no
  // equivalent; its servers stop sending the agent).
  bool removed = false;
};

// An edge of the swarm's topology appearing, changing or disappearing.
struct TopologyChange {
  std::string type;  // as sent by the server; poll mode uses "edge_added" / "edge_removed"
  std::string from;
  std::string to;
  double strength = 1.0;
  friend bool operator==(const TopologyChange&, const TopologyChange&) = default;
};

struct TelemetryUpdate {
  std::string timestamp;  // as sent (numbers as their decimal text)
  std::string session_id;
  std::string swarm_id;
  std::vector<AgentTelemetry> agents;
  std::vector<TopologyChange> topology_changes;
};

// What to subscribe to; also applied client-side in both modes, so the application
// sees the same thing whichever server it meets.
struct TelemetryFilters {
  bool include_performance = true;
  bool include_topology = true;
  bool include_neural = false;
  double update_frequency_hz = 10.0;
  std::vector<std::string> agent_types;  // empty: every type
};

// The documented `subscribe` message; empty ids are left out.
struct SubscribeRequest {
  std::string session_id;
  std::string swarm_id;
  TelemetryFilters filters;
};

void from_json(const nlohmann::json& j, AgentPerformance& out);
void to_json(nlohmann::json& j, const AgentPerformance& in);
void from_json(const nlohmann::json& j, AgentTelemetry& out);
void to_json(nlohmann::json& j, const AgentTelemetry& in);
void from_json(const nlohmann::json& j, TopologyChange& out);
void to_json(nlohmann::json& j, const TopologyChange& in);
// Reads the members of a `telemetry_update` message (its `type` is not checked).
void from_json(const nlohmann::json& j, TelemetryUpdate& out);
// Writes a complete `telemetry_update` message, `type` included.
void to_json(nlohmann::json& j, const TelemetryUpdate& in);
void from_json(const nlohmann::json& j, TelemetryFilters& out);
void to_json(nlohmann::json& j, const TelemetryFilters& in);
// {"action":"subscribe", ...}
void to_json(nlohmann::json& j, const SubscribeRequest& in);

}  // namespace hivemind
