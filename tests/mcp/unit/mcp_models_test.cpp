#include "hivemind/mcp/mcp_models.hpp"

#include <gtest/gtest.h>

namespace hivemind {
namespace {

using nlohmann::json;

TEST(McpModels, ServerInfoWithoutCapabilitiesAsTheRelaySendsIt) {
  const auto info = json::parse(R"({"protocolVersion":"2024-11-05",
      "serverInfo":{"name":"claude-flow","version":"2.0.0"}})")
                        .get<McpServerInfo>();
  EXPECT_EQ(info.protocol_version, "2024-11-05");
  EXPECT_EQ(info.name, "claude-flow");
  EXPECT_TRUE(info.capabilities.is_null());
}

TEST(McpModels, SessionMetricsFromTheDocsShapeKeepsExtrasInRaw) {
  const auto metrics = json::parse(R"({"session_id":"u1","swarm_id":"s1",
      "agents":[{"agent_id":"a1","type":"coder","status":"busy",
                 "performance":{"cpu_usage":12.5,"memory_mb":256,"tasks_completed":3}}],
      "tasks":{"total":5,"completed":3,"active":2},
      "performance":{"cpu_usage":40.0},"extra":{"x":1}})")
                           .get<SessionMetrics>();
  EXPECT_EQ(metrics.session_id, "u1");
  ASSERT_EQ(metrics.agents.size(), 1u);
  EXPECT_EQ(metrics.agents[0].agent_id, "a1");
  EXPECT_DOUBLE_EQ(metrics.agents[0].cpu_usage, 12.5);
  EXPECT_EQ(metrics.agents[0].tasks_completed, 3);
  EXPECT_EQ(metrics.tasks.completed, 3);
  EXPECT_DOUBLE_EQ(metrics.performance.cpu_usage, 40.0);
  EXPECT_EQ(metrics.raw["extra"]["x"], 1);
}

TEST(McpModels, CamelCaseAndMissingFieldsAreTolerated) {
  const auto metrics = json::parse(R"({"sessionId":"u2","swarmId":"s2","tasks":{"inProgress":4}})")
                           .get<SessionMetrics>();
  EXPECT_EQ(metrics.session_id, "u2");
  EXPECT_EQ(metrics.swarm_id, "s2");
  EXPECT_EQ(metrics.tasks.active, 4);
  EXPECT_TRUE(metrics.agents.empty());
}

TEST(McpModels, AWrongTypeKeepsTheDefaultInsteadOfFailing) {
  const auto status =
      json::parse(R"({"swarmId":"s","agentCount":"many","activeAgents":2})").get<SwarmStatus>();
  EXPECT_EQ(status.swarm_id, "s");
  EXPECT_EQ(status.agent_count, 0);
  EXPECT_EQ(status.active_agents, 2);
}

// A count sent as a float out of a long's range was cast regardless (undefined
// behaviour; on x86 it read as LONG_MIN); fuzz/fuzz_tool_payload reports it under UBSan.
TEST(McpModels, AnOutOfRangeFloatCountKeepsTheDefault) {
  const auto status = json::parse(R"({"agentCount":1e300,"activeAgents":-1e19,
      "taskCount":3.0,"pendingTasks":-2.5})")
                          .get<SwarmStatus>();
  EXPECT_EQ(status.agent_count, 0);
  EXPECT_EQ(status.active_agents, 0);
  EXPECT_EQ(status.task_count, 3);
  EXPECT_EQ(status.pending_tasks, -2);
  const auto topology =
      json::parse(R"({"agent_types":{"coder":2,"huge":9.3e18}})").get<SwarmTopology>();
  EXPECT_TRUE(topology.agent_types.empty());
}

TEST(McpModels, DeployedAgentListUsesIdForAgents) {
  const auto list = json::parse(R"({"success":true,"swarmId":"s1",
      "agents":[{"id":"agent_1","name":"n","type":"coder","status":"active","capabilities":["x"]}],
      "count":1})")
                        .get<AgentList>();
  ASSERT_EQ(list.agents.size(), 1u);
  EXPECT_EQ(list.agents[0].agent_id, "agent_1");
  EXPECT_EQ(list.agents[0].capabilities, std::vector<std::string>{"x"});
  EXPECT_EQ(list.count, 1);
}

TEST(McpModels, SessionAgentsWithPositionsAndTopology) {
  const auto agents = json::parse(R"({"agents":[{"agent_id":"a1","role":"worker",
      "position":{"x":1,"y":2,"z":3},"connections":["a2"],"current_task":"t1"}],
      "topology":{"total_agents":1,"agent_types":{"coder":1},"connections":1}})")
                          .get<SessionAgents>();
  ASSERT_EQ(agents.agents.size(), 1u);
  EXPECT_DOUBLE_EQ(agents.agents[0].position.z, 3);
  EXPECT_EQ(agents.agents[0].current_task, "t1");
  EXPECT_EQ(agents.topology.agent_types.at("coder"), 1);
}

TEST(McpModels, RequestsSerializeToCamelCaseArgumentsOmittingEmptyOptionals) {
  const json init = SwarmInitRequest{"mesh", 5, ""};
  EXPECT_EQ(init, json::parse(R"({"topology":"mesh","maxAgents":5})"));
  const json spawn = AgentSpawnRequest{"coder", "", {}, "s1"};
  EXPECT_EQ(spawn, json::parse(R"({"type":"coder","swarmId":"s1"})"));
  const json task = TaskOrchestrateRequest{"build it", "", "high", {}};
  EXPECT_EQ(task, json::parse(R"({"task":"build it","priority":"high"})"));
}

TEST(McpModels, ResultsRoundTripThroughTheirSnakeCaseJson) {
  const auto metrics = json::parse(R"({"sessionId":"u1","swarmId":"s1",
      "agents":[{"agentId":"a1","cpuUsage":2.5,"tasksCompleted":4}],
      "tasks":{"total":3,"completed":1},"performance":{"memoryMb":64}})")
                           .get<SessionMetrics>();
  const json written = metrics;
  EXPECT_EQ(written["session_id"], "u1");
  EXPECT_EQ(written["agents"][0]["cpu_usage"], 2.5);
  const auto read_back = written.get<SessionMetrics>();
  EXPECT_EQ(read_back.swarm_id, "s1");
  EXPECT_EQ(read_back.agents.at(0).tasks_completed, 4);
  EXPECT_EQ(read_back.tasks.total, 3);
  EXPECT_DOUBLE_EQ(read_back.performance.memory_mb, 64);

  SessionAgent agent;
  agent.agent_id = "a";
  agent.position = {1, 2, 3};
  agent.current_task = "t";
  const auto agent_back = json(agent).get<SessionAgent>();
  EXPECT_DOUBLE_EQ(agent_back.position.y, 2);
  EXPECT_EQ(agent_back.current_task, "t");

  const auto info = json::parse(R"({"protocolVersion":"2024-11-05","serverInfo":{"name":"n"}})")
                        .get<McpServerInfo>();
  EXPECT_EQ(json(info).get<McpServerInfo>().name, "n");
  SwarmStatus status;
  status.agent_count = 3;
  status.topology = "mesh";
  const auto status_back = json(status).get<SwarmStatus>();
  EXPECT_EQ(status_back.agent_count, 3);
  EXPECT_EQ(status_back.topology, "mesh");
}

}  // namespace
}  // namespace hivemind
