#include "hivemind/telemetry/telemetry_models.hpp"

#include "common/json_fields.hpp"

namespace hivemind {

using detail::read_field;
using detail::read_text;
using nlohmann::json;

namespace {

// An optional member is present only when the server sent an object for it.
template <class T>
void read_optional(const json& j, std::optional<T>& out, const char* key) {
  const auto it = j.find(key);
  if (it != j.end() && it->is_object()) out = it->template get<T>();
}

}  // namespace

// The telemetry_update reads below (AgentPerformance, AgentTelemetry, TopologyChange,
// TelemetryUpdate, with Vec3's) are mirrored by the single-pass scanner in
// telemetry_update_reader.cpp: a key or rule changed here must change there too
// (its differential test and fuzz target compare the two).
void from_json(const json& j, AgentPerformance& out) {
  out = {};
  read_field(j, out.cpu_usage, {"cpu_usage", "cpuUsage"});
  read_field(j, out.memory_mb, {"memory_mb", "memoryMb", "memoryMB"});
  read_field(j, out.tasks_completed, {"tasks_completed", "tasksCompleted"});
}

void to_json(json& j, const AgentPerformance& in) {
  j = json{{"cpu_usage", in.cpu_usage},
           {"memory_mb", in.memory_mb},
           {"tasks_completed", in.tasks_completed}};
}

void from_json(const json& j, AgentTelemetry& out) {
  out = {};
  if (!j.is_object()) return;
  read_text(j, out.agent_id, {"agent_id", "agentId", "id"});
  read_text(j, out.type, {"type", "agent_type", "agentType"});
  read_text(j, out.status, {"status"});
  read_optional(j, out.position, "position");
  read_optional(j, out.velocity, "velocity");
  read_optional(j, out.performance, "performance");
  if (const auto neural = j.find("neural"); neural != j.end()) out.neural = *neural;
  read_field(j, out.removed, {"removed"});
}

void to_json(json& j, const AgentTelemetry& in) {
  j = json{{"agent_id", in.agent_id}, {"status", in.status}};
  if (!in.type.empty()) j["type"] = in.type;
  if (in.position) j["position"] = *in.position;
  if (in.velocity) j["velocity"] = *in.velocity;
  if (in.performance) j["performance"] = *in.performance;
  if (!in.neural.is_null()) j["neural"] = in.neural;
  if (in.removed) j["removed"] = true;
}

void from_json(const json& j, TopologyChange& out) {
  out = {};
  read_text(j, out.type, {"type"});
  read_text(j, out.from, {"from", "source"});
  read_text(j, out.to, {"to", "target"});
  read_field(j, out.strength, {"strength", "weight"});
}

void to_json(json& j, const TopologyChange& in) {
  j = json{{"type", in.type}, {"from", in.from}, {"to", in.to}, {"strength", in.strength}};
}

void from_json(const json& j, TelemetryUpdate& out) {
  out = {};
  read_text(j, out.timestamp, {"timestamp"});
  read_text(j, out.session_id, {"session_id", "sessionId"});
  read_text(j, out.swarm_id, {"swarm_id", "swarmId"});
  if (const auto agents = j.find("agents"); agents != j.end() && agents->is_array()) {
    out.agents.reserve(agents->size());
    for (const json& agent : *agents) {
      if (agent.is_object()) out.agents.push_back(agent.get<AgentTelemetry>());
    }
  }
  const auto changes = j.find("topology_changes");
  if (changes != j.end() && changes->is_array()) {
    out.topology_changes.reserve(changes->size());
    for (const json& change : *changes) {
      if (change.is_object()) out.topology_changes.push_back(change.get<TopologyChange>());
    }
  }
}

void to_json(json& j, const TelemetryUpdate& in) {
  j = json{{"type", "telemetry_update"},  {"timestamp", in.timestamp},
           {"session_id", in.session_id}, {"swarm_id", in.swarm_id},
           {"agents", in.agents},         {"topology_changes", in.topology_changes}};
}

void from_json(const json& j, TelemetryFilters& out) {
  out = {};
  read_field(j, out.include_performance, {"include_performance"});
  read_field(j, out.include_topology, {"include_topology"});
  read_field(j, out.include_neural, {"include_neural"});
  read_field(j, out.update_frequency_hz, {"update_frequency_hz"});
  read_field(j, out.agent_types, {"agent_types"});
}

void to_json(json& j, const TelemetryFilters& in) {
  j = json{{"include_performance", in.include_performance},
           {"include_topology", in.include_topology},
           {"include_neural", in.include_neural},
           {"update_frequency_hz", in.update_frequency_hz},
           {"agent_types", in.agent_types}};
}

void to_json(json& j, const SubscribeRequest& in) {
  j = json{{"action", "subscribe"}};
  if (!in.session_id.empty()) j["session_id"] = in.session_id;
  if (!in.swarm_id.empty()) j["swarm_id"] = in.swarm_id;
  j["filters"] = in.filters;
}

}  // namespace hivemind
