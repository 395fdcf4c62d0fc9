#include "hivemind/mcp/mcp_models.hpp"

#include "common/json_fields.hpp"

namespace hivemind {

using detail::read_field;
using detail::read_text;
using nlohmann::json;

void from_json(const json& j, McpServerInfo& out) {
  out = {};
  out.raw = j;
  read_text(j, out.protocol_version, {"protocolVersion", "protocol_version"});
  const json& server =
      j.contains("serverInfo") ? j.at("serverInfo") : j.value("server_info", json{});
  read_text(server, out.name, {"name"});
  read_text(server, out.version, {"version"});
  read_field(j, out.capabilities, {"capabilities"});
}

void from_json(const json& j, McpTool& out) {
  out = {};
  out.raw = j;
  read_text(j, out.name, {"name"});
  read_text(j, out.description, {"description"});
  read_field(j, out.input_schema, {"inputSchema", "input_schema"});
}

void from_json(const json& j, AgentMetric& out) {
  out = {};
  out.raw = j;
  read_text(j, out.agent_id, {"agent_id", "agentId", "id"});
  read_text(j, out.type, {"type"});
  read_text(j, out.status, {"status"});
  // The telemetry shape nests these under "performance"; flat keys win when present.
  const json performance = j.value("performance", json::object());
  for (const json* source : {&performance, &j}) {
    read_field(*source, out.cpu_usage, {"cpu_usage", "cpuUsage"});
    read_field(*source, out.memory_mb, {"memory_mb", "memoryMb", "memoryMB"});
    read_field(*source, out.tasks_completed, {"tasks_completed", "tasksCompleted"});
  }
}

void from_json(const json& j, TaskMetrics& out) {
  out = {};
  read_field(j, out.total, {"total"});
  read_field(j, out.completed, {"completed"});
  read_field(j, out.active, {"active", "in_progress", "inProgress"});
  read_field(j, out.pending, {"pending"});
  read_field(j, out.failed, {"failed"});
}

void from_json(const json& j, PerformanceMetrics& out) {
  out = {};
  out.raw = j;
  read_field(j, out.cpu_usage, {"cpu_usage", "cpuUsage"});
  read_field(j, out.memory_mb, {"memory_mb", "memoryMb", "memoryMB"});
  read_field(j, out.avg_response_time_ms,
             {"avg_response_time_ms", "avgResponseTimeMs", "avg_response_time"});
  read_field(j, out.throughput, {"throughput", "tasks_per_minute", "tasksPerMinute"});
}

void from_json(const json& j, SessionMetrics& out) {
  out = {};
  out.raw = j;
  read_text(j, out.session_id, {"session_id", "sessionId"});
  read_text(j, out.swarm_id, {"swarm_id", "swarmId"});
  read_field(j, out.agents, {"agents"});
  read_field(j, out.tasks, {"tasks"});
  read_field(j, out.performance, {"performance"});
}

void from_json(const json& j, SessionStatusReport& out) {
  out = {};
  out.raw = j;
  read_text(j, out.session_id, {"session_id", "sessionId"});
  read_text(j, out.status, {"status"});
  read_text(j, out.swarm_id, {"swarm_id", "swarmId"});
  read_field(j, out.uptime_seconds, {"uptime_seconds", "uptimeSeconds", "uptime"});
  read_text(j, out.last_activity, {"last_activity", "lastActivity"});
}

void from_json(const json& j, Vec3& out) {
  out = {};
  read_field(j, out.x, {"x"});
  read_field(j, out.y, {"y"});
  read_field(j, out.z, {"z"});
}

void from_json(const json& j, SessionAgent& out) {
  out = {};
  read_text(j, out.agent_id, {"agent_id", "agentId", "id"});
  read_text(j, out.type, {"type"});
  read_text(j, out.role, {"role"});
  read_text(j, out.status, {"status"});
  read_field(j, out.position, {"position"});
  read_field(j, out.connections, {"connections"});
  std::string current_task;
  read_text(j, current_task, {"current_task", "currentTask"});
  if (!current_task.empty()) out.current_task = std::move(current_task);
}

void from_json(const json& j, SwarmTopology& out) {
  out = {};
  read_field(j, out.total_agents, {"total_agents", "totalAgents"});
  read_field(j, out.agent_types, {"agent_types", "agentTypes"});
  read_field(j, out.connections, {"connections"});
}

void from_json(const json& j, SessionAgents& out) {
  out = {};
  out.raw = j;
  read_field(j, out.agents, {"agents"});
  read_field(j, out.topology, {"topology"});
}

void from_json(const json& j, SwarmSummary& out) {
  out = {};
  read_text(j, out.swarm_id, {"swarm_id", "swarmId", "id"});
  read_text(j, out.session_id, {"session_id", "sessionId"});
  read_text(j, out.status, {"status"});
  read_field(j, out.agents, {"agents", "agent_count", "agentCount"});
  read_field(j, out.tasks, {"tasks"});
}

void from_json(const json& j, SwarmList& out) {
  out = {};
  out.raw = j;
  read_field(j, out.swarms, {"swarms"});
  read_field(j, out.total_swarms, {"total_swarms", "totalSwarms"});
  read_field(j, out.total_agents, {"total_agents", "totalAgents"});
}

void from_json(const json& j, SwarmInitResult& out) {
  out = {};
  out.raw = j;
  read_text(j, out.swarm_id, {"swarmId", "swarm_id"});
  read_text(j, out.topology, {"topology"});
  read_field(j, out.max_agents, {"maxAgents", "max_agents"});
  read_text(j, out.strategy, {"strategy"});
  read_text(j, out.status, {"status"});
  read_text(j, out.timestamp, {"timestamp"});
}

void from_json(const json& j, AgentInfo& out) {
  out = {};
  out.raw = j;
  read_text(j, out.agent_id, {"agentId", "agent_id", "id"});
  read_text(j, out.type, {"type"});
  read_text(j, out.name, {"name"});
  read_text(j, out.status, {"status"});
  read_field(j, out.capabilities, {"capabilities"});
  read_text(j, out.timestamp, {"timestamp"});
}

void from_json(const json& j, AgentList& out) {
  out = {};
  out.raw = j;
  read_text(j, out.swarm_id, {"swarmId", "swarm_id"});
  read_field(j, out.agents, {"agents"});
  out.count = static_cast<long>(out.agents.size());
  read_field(j, out.count, {"count"});
}

void from_json(const json& j, SwarmStatus& out) {
  out = {};
  out.raw = j;
  read_text(j, out.swarm_id, {"swarmId", "swarm_id"});
  read_text(j, out.topology, {"topology"});
  read_field(j, out.agent_count, {"agentCount", "agent_count"});
  read_field(j, out.active_agents, {"activeAgents", "active_agents"});
  read_field(j, out.task_count, {"taskCount", "task_count"});
  read_field(j, out.pending_tasks, {"pendingTasks", "pending_tasks"});
  read_field(j, out.completed_tasks, {"completedTasks", "completed_tasks"});
  read_text(j, out.timestamp, {"timestamp"});
}

void from_json(const json& j, TaskInfo& out) {
  out = {};
  out.raw = j;
  read_text(j, out.task_id, {"taskId", "task_id", "id"});
  read_text(j, out.task, {"task", "description"});
  read_text(j, out.strategy, {"strategy"});
  read_text(j, out.priority, {"priority"});
  read_text(j, out.status, {"status"});
  read_text(j, out.timestamp, {"timestamp"});
}

void to_json(json& j, const SwarmInitRequest& in) {
  j = json{{"topology", in.topology}};
  if (in.max_agents) j["maxAgents"] = *in.max_agents;
  if (!in.strategy.empty()) j["strategy"] = in.strategy;
}

void to_json(json& j, const AgentSpawnRequest& in) {
  j = json{{"type", in.type}};
  if (!in.name.empty()) j["name"] = in.name;
  if (!in.capabilities.empty()) j["capabilities"] = in.capabilities;
  if (!in.swarm_id.empty()) j["swarmId"] = in.swarm_id;
}

void to_json(json& j, const TaskOrchestrateRequest& in) {
  j = json{{"task", in.task}};
  if (!in.strategy.empty()) j["strategy"] = in.strategy;
  if (!in.priority.empty()) j["priority"] = in.priority;
  if (!in.dependencies.empty()) j["dependencies"] = in.dependencies;
}

void to_json(json& j, const McpServerInfo& in) {
  j = json{{"protocol_version", in.protocol_version},
           {"server_info", {{"name", in.name}, {"version", in.version}}}};
  if (!in.capabilities.is_null()) j["capabilities"] = in.capabilities;
}

void to_json(json& j, const McpTool& in) {
  j = json{{"name", in.name}, {"description", in.description}, {"input_schema", in.input_schema}};
}

void to_json(json& j, const AgentMetric& in) {
  j = json{{"agent_id", in.agent_id},   {"type", in.type},
           {"status", in.status},       {"cpu_usage", in.cpu_usage},
           {"memory_mb", in.memory_mb}, {"tasks_completed", in.tasks_completed}};
}

void to_json(json& j, const TaskMetrics& in) {
  j = json{{"total", in.total},
           {"completed", in.completed},
           {"active", in.active},
           {"pending", in.pending},
           {"failed", in.failed}};
}

void to_json(json& j, const PerformanceMetrics& in) {
  j = json{{"cpu_usage", in.cpu_usage},
           {"memory_mb", in.memory_mb},
           {"avg_response_time_ms", in.avg_response_time_ms},
           {"throughput", in.throughput}};
}

void to_json(json& j, const SessionMetrics& in) {
  j = json{{"session_id", in.session_id},
           {"swarm_id", in.swarm_id},
           {"agents", in.agents},
           {"tasks", in.tasks},
           {"performance", in.performance}};
}

void to_json(json& j, const SessionStatusReport& in) {
  j = json{{"session_id", in.session_id},
           {"status", in.status},
           {"swarm_id", in.swarm_id},
           {"uptime_seconds", in.uptime_seconds},
           {"last_activity", in.last_activity}};
}

void to_json(json& j, const Vec3& in) {
  j = json{{"x", in.x}, {"y", in.y}, {"z", in.z}};
}

void to_json(json& j, const SessionAgent& in) {
  j = json{{"agent_id", in.agent_id}, {"type", in.type},         {"role", in.role},
           {"status", in.status},     {"position", in.position}, {"connections", in.connections}};
  if (in.current_task) j["current_task"] = *in.current_task;
}

void to_json(json& j, const SwarmTopology& in) {
  j = json{{"total_agents", in.total_agents},
           {"agent_types", in.agent_types},
           {"connections", in.connections}};
}

void to_json(json& j, const SessionAgents& in) {
  j = json{{"agents", in.agents}, {"topology", in.topology}};
}

void to_json(json& j, const SwarmSummary& in) {
  j = json{{"swarm_id", in.swarm_id},
           {"session_id", in.session_id},
           {"status", in.status},
           {"agents", in.agents},
           {"tasks", in.tasks}};
}

void to_json(json& j, const SwarmList& in) {
  j = json{
      {"swarms", in.swarms}, {"total_swarms", in.total_swarms}, {"total_agents", in.total_agents}};
}

void to_json(json& j, const SwarmInitResult& in) {
  j = json{{"swarm_id", in.swarm_id}, {"topology", in.topology}, {"max_agents", in.max_agents},
           {"strategy", in.strategy}, {"status", in.status},     {"timestamp", in.timestamp}};
}

void to_json(json& j, const AgentInfo& in) {
  j = json{{"agent_id", in.agent_id},
           {"type", in.type},
           {"name", in.name},
           {"status", in.status},
           {"capabilities", in.capabilities},
           {"timestamp", in.timestamp}};
}

void to_json(json& j, const AgentList& in) {
  j = json{{"swarm_id", in.swarm_id}, {"agents", in.agents}, {"count", in.count}};
}

void to_json(json& j, const SwarmStatus& in) {
  j = json{{"swarm_id", in.swarm_id},
           {"topology", in.topology},
           {"agent_count", in.agent_count},
           {"active_agents", in.active_agents},
           {"task_count", in.task_count},
           {"pending_tasks", in.pending_tasks},
           {"completed_tasks", in.completed_tasks},
           {"timestamp", in.timestamp}};
}

void to_json(json& j, const TaskInfo& in) {
  j = json{{"task_id", in.task_id},   {"task", in.task},     {"strategy", in.strategy},
           {"priority", in.priority}, {"status", in.status}, {"timestamp", in.timestamp}};
}

}  // namespace hivemind
