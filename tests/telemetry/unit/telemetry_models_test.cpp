#include "hivemind/telemetry/telemetry_models.hpp"

#include <gtest/gtest.h>

namespace hivemind {
namespace {

using nlohmann::json;

TEST(TelemetryModels, ParsesTheDocumentedUpdate) {
  const json message = json::parse(R"({
    "type": "telemetry_update", "timestamp": "2026-01-01T00:00:00Z",
    "session_id": "s-1", "swarm_id": "w-1",
    "agents": [{"agent_id": "a1", "type": "coder", "status": "busy",
                "position": {"x": 1.5, "y": -2, "z": 3},
                "velocity": {"x": 0.1, "y": 0.2, "z": 0.3},
                "performance": {"cpu_usage": 41.5, "memory_mb": 120, "tasks_completed": 7}}],
    "topology_changes": [{"type": "connect", "from": "a1", "to": "a2", "strength": 0.5}]})");
  const auto update = message.get<TelemetryUpdate>();
  EXPECT_EQ(update.timestamp, "2026-01-01T00:00:00Z");
  EXPECT_EQ(update.session_id, "s-1");
  EXPECT_EQ(update.swarm_id, "w-1");
  ASSERT_EQ(update.agents.size(), 1u);
  const AgentTelemetry& agent = update.agents[0];
  EXPECT_EQ(agent.agent_id, "a1");
  EXPECT_EQ(agent.type, "coder");
  EXPECT_EQ(agent.status, "busy");
  EXPECT_EQ(agent.position, (Vec3{1.5, -2, 3}));
  EXPECT_EQ(agent.velocity, (Vec3{0.1, 0.2, 0.3}));
  EXPECT_EQ(agent.performance, (AgentPerformance{41.5, 120, 7}));
  ASSERT_EQ(update.topology_changes.size(), 1u);
  EXPECT_EQ(update.topology_changes[0], (TopologyChange{"connect", "a1", "a2", 0.5}));
}

TEST(TelemetryModels, ToleratesMissingWrongTypedAndCamelCaseFields) {
  const json message = json::parse(R"({
    "timestamp": 1700000000, "sessionId": "s", "agents": [
      {"agentId": 42, "position": "nowhere", "performance": {"cpuUsage": "high", "memoryMb": 3}},
      "not an agent", {"id": "b"}],
    "topology_changes": {"not": "a list"}, "extra": [1, 2]})");
  const auto update = message.get<TelemetryUpdate>();
  EXPECT_EQ(update.timestamp, "1700000000");
  EXPECT_EQ(update.session_id, "s");
  EXPECT_EQ(update.swarm_id, "");
  ASSERT_EQ(update.agents.size(), 2u);
  EXPECT_EQ(update.agents[0].agent_id, "42");
  EXPECT_FALSE(update.agents[0].position.has_value());
  EXPECT_EQ(update.agents[0].performance, (AgentPerformance{0, 3, 0}));
  EXPECT_EQ(update.agents[1].agent_id, "b");
  EXPECT_FALSE(update.agents[1].performance.has_value());
  EXPECT_TRUE(update.topology_changes.empty());
}

TEST(TelemetryModels, UpdateRoundTripsThroughJson) {
  TelemetryUpdate update;
  update.timestamp = "t";
  update.session_id = "s";
  update.swarm_id = "w";
  AgentTelemetry agent;
  agent.agent_id = "a";
  agent.status = "idle";
  agent.position = Vec3{1, 2, 3};
  agent.removed = true;
  update.agents.push_back(agent);
  update.topology_changes.push_back({"edge_added", "a", "b", 1.0});

  const json written = update;
  EXPECT_EQ(written.at("type"), "telemetry_update");
  const auto read = written.get<TelemetryUpdate>();
  EXPECT_EQ(read.session_id, "s");
  ASSERT_EQ(read.agents.size(), 1u);
  EXPECT_EQ(read.agents[0].position, (Vec3{1, 2, 3}));
  EXPECT_FALSE(read.agents[0].velocity.has_value());
  EXPECT_TRUE(read.agents[0].removed);
  EXPECT_EQ(read.topology_changes, update.topology_changes);
}

TEST(TelemetryModels, SubscribeRequestLeavesOutEmptyIds) {
  SubscribeRequest request;
  request.session_id = "s-9";
  request.filters.include_topology = false;
  request.filters.update_frequency_hz = 20;
  request.filters.agent_types = {"coder"};
  const json written = request;
  EXPECT_EQ(written.at("action"), "subscribe");
  EXPECT_EQ(written.at("session_id"), "s-9");
  EXPECT_FALSE(written.contains("swarm_id"));
  const auto filters = written.at("filters").get<TelemetryFilters>();
  EXPECT_FALSE(filters.include_topology);
  EXPECT_TRUE(filters.include_performance);
  EXPECT_EQ(filters.update_frequency_hz, 20);
  EXPECT_EQ(filters.agent_types, std::vector<std::string>{"coder"});
}

}  // namespace
}  // namespace hivemind
