#include "telemetry/poll_synthesizer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::telemetry_detail {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

AgentList list_of(std::vector<std::pair<std::string, std::string>> id_status) {
  nlohmann::json payload{{"success", true}, {"swarmId", "w1"}, {"agents", nlohmann::json::array()}};
  for (const auto& [id, status] : id_status) {
    payload["agents"].push_back({{"id", id}, {"type", "coder"}, {"status", status}});
  }
  return payload.get<AgentList>();
}

SwarmStatus status_of(const std::string& topology) {
  SwarmStatus status;
  status.swarm_id = "w1";
  status.topology = topology;
  return status;
}

std::vector<std::string> ids(const TelemetryUpdate& update) {
  std::vector<std::string> out;
  for (const auto& agent : update.agents)
    out.push_back(agent.agent_id + (agent.removed ? "-" : ""));
  return out;
}

TEST(TopologyEdges, FollowTheSwarmKind) {
  const std::vector<std::string> agents{"a", "b", "c"};
  EXPECT_EQ(topology_edges("mesh", agents), (std::set<Edge>{{"a", "b"}, {"a", "c"}, {"b", "c"}}));
  EXPECT_EQ(topology_edges("star", agents), (std::set<Edge>{{"a", "b"}, {"a", "c"}}));
  EXPECT_EQ(topology_edges("hierarchical", agents), (std::set<Edge>{{"a", "b"}, {"a", "c"}}));
  EXPECT_EQ(topology_edges("ring", agents), (std::set<Edge>{{"a", "b"}, {"b", "c"}, {"c", "a"}}));
  EXPECT_EQ(topology_edges("ring", {"a", "b"}), (std::set<Edge>{{"a", "b"}}));
  EXPECT_TRUE(topology_edges("unknown", agents).empty());
  EXPECT_TRUE(topology_edges("mesh", {"a"}).empty());
}

TEST(PollSynthesizer, ReportsAgentsThatAppearedChangedAndVanished) {
  PollSynthesizer synthesizer;
  auto first = synthesizer.next(list_of({{"a", "idle"}, {"b", "idle"}}), std::nullopt, "s", "t1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->session_id, "s");
  EXPECT_EQ(first->swarm_id, "w1");
  EXPECT_EQ(first->timestamp, "t1");
  EXPECT_THAT(ids(*first), ElementsAre("a", "b"));

  EXPECT_FALSE(synthesizer.next(list_of({{"a", "idle"}, {"b", "idle"}}), std::nullopt, "s", "t2"));

  auto changed = synthesizer.next(list_of({{"a", "busy"}, {"c", "idle"}}), std::nullopt, "s", "t3");
  ASSERT_TRUE(changed);
  EXPECT_THAT(ids(*changed), UnorderedElementsAre("a", "c", "b-"));
  EXPECT_TRUE(changed->topology_changes.empty());
}

TEST(PollSynthesizer, ComputesTopologyChangesClientSide) {
  PollSynthesizer synthesizer;
  auto first =
      synthesizer.next(list_of({{"a", "idle"}, {"b", "idle"}}), status_of("star"), "", "t");
  ASSERT_TRUE(first);
  EXPECT_THAT(first->topology_changes, ElementsAre(TopologyChange{"edge_added", "a", "b", 1.0}));

  auto grown =
      synthesizer.next(list_of({{"a", "idle"}, {"c", "idle"}}), status_of("star"), "", "t");
  ASSERT_TRUE(grown);
  EXPECT_THAT(grown->topology_changes, ElementsAre(TopologyChange{"edge_removed", "a", "b", 1.0},
                                                   TopologyChange{"edge_added", "a", "c", 1.0}));

  // Without swarm_status the edges are left as they were.
  EXPECT_FALSE(synthesizer.next(list_of({{"a", "idle"}, {"c", "idle"}}), std::nullopt, "", "t"));
}

TEST(PollSynthesizer, ResetReportsEverythingAgain) {
  PollSynthesizer synthesizer;
  ASSERT_TRUE(synthesizer.next(list_of({{"a", "idle"}}), std::nullopt, "", "t"));
  synthesizer.reset();
  auto again = synthesizer.next(list_of({{"a", "idle"}}), std::nullopt, "", "t");
  ASSERT_TRUE(again);
  EXPECT_THAT(ids(*again), ElementsAre("a"));
}

}  // namespace
}  // namespace hivemind::telemetry_detail
