// Typed payloads of the MCP relay's tools. Parsing is tolerant: missing fields keep
// their defaults, unknown fields are ignored, snake_case and camelCase keys are both
// accepted (the deployed backend and the docs disagree), and `raw` keeps the whole
// payload for what the struct does not model.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivemind {

// The relay's answer to `initialize`; the deployed relay sends no `capabilities`.
struct McpServerInfo {
  std::string protocol_version;
  std::string name;
  std::string version;
  nlohmann::json capabilities;  // null when absent
  nlohmann::json raw;
};

struct McpTool {
  std::string name;
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json raw;
};

// --- the documented session tools (snake_case in the docs) ---

struct AgentMetric {
  std::string agent_id;
  std::string type;
  std::string status;
  double cpu_usage = 0;
  double memory_mb = 0;
  long tasks_completed = 0;
  nlohmann::json raw;
};

struct TaskMetrics {
  long total = 0;
  long completed = 0;
  long active = 0;
  long pending = 0;
  long failed = 0;
};

struct PerformanceMetrics {
  double cpu_usage = 0;
  double memory_mb = 0;
  double avg_response_time_ms = 0;
  double throughput = 0;
  nlohmann::json raw;
};

struct SessionMetrics {
  std::string session_id;
  std::string swarm_id;
  std::vector<AgentMetric> agents;
  TaskMetrics tasks;
  PerformanceMetrics performance;
  nlohmann::json raw;
};

struct SessionStatusReport {
  std::string session_id;
  std::string status;
  std::string swarm_id;
  double uptime_seconds = 0;
  std::string last_activity;
  nlohmann::json raw;
};

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
  friend bool operator==(const Vec3&, const Vec3&) = default;
};

struct SessionAgent {
  std::string agent_id;
  std::string type;
  std::string role;
  std::string status;
  Vec3 position;
  std::vector<std::string> connections;
  std::optional<std::string> current_task;
};

struct SwarmTopology {
  long total_agents = 0;
  std::map<std::string, long> agent_types;
  long connections = 0;
};

struct SessionAgents {
  std::vector<SessionAgent> agents;
  SwarmTopology topology;
  nlohmann::json raw;
};

struct SwarmSummary {
  std::string swarm_id;
  std::string session_id;
  std::string status;
  long agents = 0;
  TaskMetrics tasks;
};

struct SwarmList {
  std::vector<SwarmSummary> swarms;
  long total_swarms = 0;
  long total_agents = 0;
  nlohmann::json raw;
};

// --- the deployed tools (camelCase payloads) ---

struct SwarmInitRequest {
  std::string topology = "hierarchical";  // hierarchical | mesh | ring | star
  std::optional<int> max_agents;
  std::string strategy;  // omitted when empty
};

struct SwarmInitResult {
  std::string swarm_id;
  std::string topology;
  long max_agents = 0;
  std::string strategy;
  std::string status;
  std::string timestamp;
  nlohmann::json raw;
};

struct AgentSpawnRequest {
  std::string type;
  std::string name;                       // omitted when empty
  std::vector<std::string> capabilities;  // omitted when empty
  std::string swarm_id;                   // omitted when empty
};

// One agent, as agent_spawn returns it and as agent_list lists it.
struct AgentInfo {
  std::string agent_id;
  std::string type;
  std::string name;
  std::string status;
  std::vector<std::string> capabilities;
  std::string timestamp;
  nlohmann::json raw;
};

struct AgentList {
  std::string swarm_id;
  std::vector<AgentInfo> agents;
  long count = 0;
  nlohmann::json raw;
};

struct SwarmStatus {
  std::string swarm_id;
  std::string topology;
  long agent_count = 0;
  long active_agents = 0;
  long task_count = 0;
  long pending_tasks = 0;
  long completed_tasks = 0;
  std::string timestamp;
  nlohmann::json raw;
};

struct TaskOrchestrateRequest {
  std::string task;
  std::string strategy;                   // omitted when empty
  std::string priority;                   // omitted when empty
  std::vector<std::string> dependencies;  // omitted when empty
};

// One task, as task_orchestrate and task_status return it.
struct TaskInfo {
  std::string task_id;
  std::string task;
  std::string strategy;
  std::string priority;
  std::string status;
  std::string timestamp;
  nlohmann::json raw;
};

void from_json(const nlohmann::json& j, McpServerInfo& out);
void from_json(const nlohmann::json& j, McpTool& out);
void from_json(const nlohmann::json& j, AgentMetric& out);
void from_json(const nlohmann::json& j, TaskMetrics& out);
void from_json(const nlohmann::json& j, PerformanceMetrics& out);
void from_json(const nlohmann::json& j, SessionMetrics& out);
void from_json(const nlohmann::json& j, SessionStatusReport& out);
void from_json(const nlohmann::json& j, Vec3& out);
void from_json(const nlohmann::json& j, SessionAgent& out);
void from_json(const nlohmann::json& j, SwarmTopology& out);
void from_json(const nlohmann::json& j, SessionAgents& out);
void from_json(const nlohmann::json& j, SwarmSummary& out);
void from_json(const nlohmann::json& j, SwarmList& out);
void from_json(const nlohmann::json& j, SwarmInitResult& out);
void from_json(const nlohmann::json& j, AgentInfo& out);
void from_json(const nlohmann::json& j, AgentList& out);
void from_json(const nlohmann::json& j, SwarmStatus& out);
void from_json(const nlohmann::json& j, TaskInfo& out);

// Requests serialize to the tool's `arguments` (camelCase, as the backend expects).
void to_json(nlohmann::json& j, const SwarmInitRequest& in);
void to_json(nlohmann::json& j, const AgentSpawnRequest& in);
void to_json(nlohmann::json& j, const TaskOrchestrateRequest& in);

// Results serialize their modelled fields in snake_case (`raw` is not repeated);
// from_json reads them back.
void to_json(nlohmann::json& j, const McpServerInfo& in);
void to_json(nlohmann::json& j, const McpTool& in);
void to_json(nlohmann::json& j, const AgentMetric& in);
void to_json(nlohmann::json& j, const TaskMetrics& in);
void to_json(nlohmann::json& j, const PerformanceMetrics& in);
void to_json(nlohmann::json& j, const SessionMetrics& in);
void to_json(nlohmann::json& j, const SessionStatusReport& in);
void to_json(nlohmann::json& j, const Vec3& in);
void to_json(nlohmann::json& j, const SessionAgent& in);
void to_json(nlohmann::json& j, const SwarmTopology& in);
void to_json(nlohmann::json& j, const SessionAgents& in);
void to_json(nlohmann::json& j, const SwarmSummary& in);
void to_json(nlohmann::json& j, const SwarmList& in);
void to_json(nlohmann::json& j, const SwarmInitResult& in);
void to_json(nlohmann::json& j, const AgentInfo& in);
void to_json(nlohmann::json& j, const AgentList& in);
void to_json(nlohmann::json& j, const SwarmStatus& in);
void to_json(nlohmann::json& j, const TaskInfo& in);

}  // namespace hivemind
