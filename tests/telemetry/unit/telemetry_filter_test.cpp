#include "telemetry/telemetry_filter.hpp"

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
  EXPECT_TRUE(TelemetryFilter(selection).apply(update));
  ASSERT_EQ(update.agents.size(), 1u);
  EXPECT_EQ(update.agents[0].agent_id, "a");
}

TEST(TelemetryFilter, DropsTopologyChangesTouchingFilteredOutAgents) {
  TelemetryUpdate update = sample();
  update.agents.push_back(agent("d", "coder"));
  update.topology_changes = {{"connect", "a", "b", 1.0},    // b is a tester
                             {"connect", "a", "d", 1.0},    // both coders
                             {"connect", "c", "a", 1.0},    // c has no type
                             {"connect", "a", "zz", 1.0}};  // never seen: type unknown
  StreamSelection selection;
  selection.filters.agent_types = {"coder"};
  EXPECT_TRUE(TelemetryFilter(selection).apply(update));
  EXPECT_EQ(update.topology_changes, (std::vector<TopologyChange>{{"connect", "a", "d", 1.0}}));
}

TEST(TelemetryFilter, RemembersAgentsFromEarlierUpdatesUntilTheyAreRemoved) {
  StreamSelection selection;
  selection.filters.agent_types = {"coder"};
  TelemetryFilter filter(selection);
  TelemetryUpdate first = sample();  // a: coder, b: tester, c: no type
  first.agents.push_back(agent("d", "coder"));
  EXPECT_TRUE(filter.apply(first));

  // Poll mode: a later update carries only changes, the agents came before.
  TelemetryUpdate edges_only;
  edges_only.session_id = "s1";
  edges_only.topology_changes = {{"edge_added", "a", "d", 1.0}, {"edge_added", "b", "d", 1.0}};
  EXPECT_TRUE(filter.apply(edges_only));
  EXPECT_EQ(edges_only.topology_changes,
            (std::vector<TopologyChange>{{"edge_added", "a", "d", 1.0}}));

  // Another session's agent of the same id is not the same agent.
  TelemetryUpdate other_session = edges_only;
  other_session.session_id = "s2";
  other_session.topology_changes = {{"edge_added", "a", "d", 1.0}};
  EXPECT_FALSE(filter.apply(other_session));

  // d vanishes: its last edge goes with it; afterwards d is unknown again.
  TelemetryUpdate gone;
  gone.session_id = "s1";
  gone.agents = {agent("d", "coder")};
  gone.agents[0].removed = true;
  gone.topology_changes = {{"edge_removed", "a", "d", 1.0}};
  EXPECT_TRUE(filter.apply(gone));
  EXPECT_EQ(gone.topology_changes.size(), 1u);
  TelemetryUpdate late;
  late.session_id = "s1";
  late.topology_changes = {{"edge_added", "a", "d", 1.0}};
  EXPECT_FALSE(filter.apply(late));
}

TEST(TelemetryFilter, RemovesExcludedSections) {
  TelemetryUpdate update = sample();
  StreamSelection selection;
  selection.filters.include_performance = false;
  selection.filters.include_topology = false;
  selection.filters.include_neural = false;
  EXPECT_TRUE(TelemetryFilter(selection).apply(update));
  EXPECT_EQ(update.agents.size(), 3u);
  EXPECT_FALSE(update.agents[0].performance.has_value());
  EXPECT_TRUE(update.agents[0].neural.is_null());
  EXPECT_TRUE(update.topology_changes.empty());
}

TEST(TelemetryFilter, KeepsNeuralDataWhenAskedFor) {
  TelemetryUpdate update = sample();
  StreamSelection selection;
  selection.filters.include_neural = true;
  EXPECT_TRUE(TelemetryFilter(selection).apply(update));
  EXPECT_EQ(update.agents[0].neural.at("weights"), 3);
  EXPECT_TRUE(update.agents[0].performance.has_value());
}

TEST(TelemetryFilter, RejectsOtherSessionsAndSwarmsAndEmptyResults) {
  StreamSelection other_session = selecting("s2", "");
  TelemetryUpdate update = sample();
  EXPECT_FALSE(TelemetryFilter(other_session).apply(update));

  StreamSelection other_swarm = selecting("", "w2");
  update = sample();
  EXPECT_FALSE(TelemetryFilter(other_swarm).apply(update));

  StreamSelection same = selecting("s1", "w1");
  same.filters.agent_types = {"reviewer"};
  same.filters.include_topology = false;
  update = sample();
  EXPECT_FALSE(TelemetryFilter(same).apply(update));
}

}  // namespace
}  // namespace hivemind::telemetry_detail
