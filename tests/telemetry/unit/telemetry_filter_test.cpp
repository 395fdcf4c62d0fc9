#include "telemetry/detail/telemetry_filter.hpp"

#include <gtest/gtest.h>

namespace hivemind::telemetry_detail {
namespace {

AgentTelemetry agent(const std::string& id, const std::string& type) {
  AgentTelemetry out;
  out.agent_id = id;
  out.type = type;
  out.status = "idle";
  return out;
}

StreamSelection selecting(const std::string& session_id, const std::string& swarm_id) {
  StreamSelection selection;
  selection.session_id = session_id;
  selection.swarm_id = swarm_id;
  return selection;
}

TelemetryUpdate sample() {
  TelemetryUpdate update;
  update.session_id = "s1";
  update.swarm_id = "w1";
  AgentTelemetry coder = agent("a", "coder");
  coder.performance = AgentPerformance{10, 20, 3};
  coder.neural = nlohmann::json{{"weights", 3}};
  update.agents = {coder, agent("b", "tester"), agent("c", "")};
  update.topology_changes = {{"connect", "a", "b", 1.0}};
  return update;
}

TEST(TelemetryFilter, KeepsOnlyTheWantedAgentTypes) {
  TelemetryUpdate update = sample();
  StreamSelection selection;
  selection.filters.agent_types = {"coder"};
  EXPECT_TRUE(apply_filters(update, selection));
  ASSERT_EQ(update.agents.size(), 1u);
  EXPECT_EQ(update.agents[0].agent_id, "a");
}

TEST(TelemetryFilter, RemovesExcludedSections) {
  TelemetryUpdate update = sample();
  StreamSelection selection;
  selection.filters.include_performance = false;
  selection.filters.include_topology = false;
  selection.filters.include_neural = false;
  EXPECT_TRUE(apply_filters(update, selection));
  EXPECT_EQ(update.agents.size(), 3u);
  EXPECT_FALSE(update.agents[0].performance.has_value());
  EXPECT_TRUE(update.agents[0].neural.is_null());
  EXPECT_TRUE(update.topology_changes.empty());
}

TEST(TelemetryFilter, KeepsNeuralDataWhenAskedFor) {
  TelemetryUpdate update = sample();
  StreamSelection selection;
  selection.filters.include_neural = true;
  EXPECT_TRUE(apply_filters(update, selection));
  EXPECT_EQ(update.agents[0].neural.at("weights"), 3);
  EXPECT_TRUE(update.agents[0].performance.has_value());
}

TEST(TelemetryFilter, RejectsOtherSessionsAndSwarmsAndEmptyResults) {
  StreamSelection other_session = selecting("s2", "");
  TelemetryUpdate update = sample();
  EXPECT_FALSE(apply_filters(update, other_session));

  StreamSelection other_swarm = selecting("", "w2");
  update = sample();
  EXPECT_FALSE(apply_filters(update, other_swarm));

  StreamSelection same = selecting("s1", "w1");
  same.filters.agent_types = {"reviewer"};
  same.filters.include_topology = false;
  update = sample();
  EXPECT_FALSE(apply_filters(update, same));
}

}  // namespace
}  // namespace hivemind::telemetry_detail
