#include "telemetry/coalescing_queue.hpp"

#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::telemetry_detail {
namespace {

AgentTelemetry agent_at(const std::string& id, double x) {
  AgentTelemetry agent;
  agent.agent_id = id;
  agent.status = "busy";
  agent.position = Vec3{x, 0, 0};
  return agent;
}

TelemetryUpdate update_of(const std::string& session, std::vector<AgentTelemetry> agents,
                          std::vector<TopologyChange> changes = {}) {
  TelemetryUpdate update;
  update.session_id = session;
  update.agents = std::move(agents);
  update.topology_changes = std::move(changes);
  return update;
}

TEST(CoalescingQueue, DeliversInOrderWhileThereIsRoom) {
  CoalescingQueue queue({.max_updates = 4});
  EXPECT_TRUE(queue.push(update_of("s", {agent_at("a", 1)})));
  EXPECT_FALSE(queue.push(update_of("s", {agent_at("a", 2)})));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.pop()->agents.at(0).position->x, 1);
  EXPECT_EQ(queue.pop()->agents.at(0).position->x, 2);
  EXPECT_FALSE(queue.pop());
  EXPECT_EQ(queue.counters().coalesced_agent_updates, 0u);
  EXPECT_EQ(queue.counters().delivered, 2u);
}

TEST(CoalescingQueue, WhenFullTheNewestStateOfAnAgentWins) {
  CoalescingQueue queue({.max_updates = 2});
  queue.push(update_of("s", {agent_at("a", 1)}));
  queue.push(update_of("s", {agent_at("a", 2), agent_at("b", 2)}));
  queue.push(update_of("s", {agent_at("a", 3)}));
  queue.push(update_of("s", {agent_at("c", 4)}));

  const auto updates = queue.drain();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].agents.at(0).position->x, 1);
  // a: 2 then 3 (coalesced); b and c kept.
  std::map<std::string, double> second;
  for (const auto& agent : updates[1].agents) second[agent.agent_id] = agent.position->x;
  EXPECT_EQ(second, (std::map<std::string, double>{{"a", 3}, {"b", 2}, {"c", 4}}));
  const auto counters = queue.counters();
  EXPECT_EQ(counters.coalesced_agent_updates, 1u);
  EXPECT_EQ(counters.merged_updates, 2u);
  EXPECT_EQ(counters.dropped_updates, 0u);
  EXPECT_EQ(counters.max_queued, 2u);
}

TEST(CoalescingQueue, TopologyChangesAreMergedPerEdgeNeverDropped) {
  CoalescingQueue queue({.max_updates = 1});
  queue.push(update_of("s", {}, {{"edge_added", "a", "b", 1.0}}));
  queue.push(update_of("s", {}, {{"edge_added", "a", "c", 1.0}}));
  queue.push(update_of("s", {}, {{"edge_removed", "a", "b", 1.0}}));
  const auto updates = queue.drain();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].topology_changes,
              ::testing::ElementsAre(TopologyChange{"edge_removed", "a", "b", 1.0},
                                     TopologyChange{"edge_added", "a", "c", 1.0}));
  EXPECT_EQ(queue.counters().merged_topology_changes, 1u);
  EXPECT_EQ(queue.counters().dropped_topology_changes, 0u);
}

TEST(CoalescingQueue, ANewStreamCompactsOlderEntriesToMakeRoom) {
  CoalescingQueue queue({.max_updates = 2});
  queue.push(update_of("s1", {agent_at("a", 1)}));
  queue.push(update_of("s1", {agent_at("a", 2)}));
  queue.push(update_of("s2", {agent_at("z", 9)}));
  const auto updates = queue.drain();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].session_id, "s1");
  EXPECT_EQ(updates[0].agents.at(0).position->x, 2);
  EXPECT_EQ(updates[1].session_id, "s2");
}

TEST(CoalescingQueue, DropsAndCountsWhenEveryEntryIsAnotherStream) {
  CoalescingQueue queue({.max_updates = 2});
  queue.push(update_of("s1", {agent_at("a", 1)}));
  queue.push(update_of("s2", {agent_at("b", 1)}));
  queue.push(update_of("s3", {agent_at("c", 1), agent_at("d", 1)}, {{"edge_added", "c", "d", 1}}));
  EXPECT_EQ(queue.size(), 2u);
  const auto counters = queue.counters();
  EXPECT_EQ(counters.dropped_updates, 1u);
  EXPECT_EQ(counters.dropped_agent_updates, 2u);
  EXPECT_EQ(counters.dropped_topology_changes, 1u);
}

TEST(CoalescingQueue, AgentsBeyondThePerUpdateLimitAreDroppedAndCounted) {
  CoalescingQueue queue({.max_updates = 1, .max_agents_per_update = 2});
  queue.push(update_of("s", {agent_at("a", 1), agent_at("b", 1), agent_at("c", 1)}));
  queue.push(update_of("s", {agent_at("d", 1), agent_at("a", 5)}));
  const auto updates = queue.drain();
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_EQ(updates[0].agents.size(), 2u);
  EXPECT_EQ(updates[0].agents[0].position->x, 5);
  EXPECT_EQ(queue.counters().dropped_agent_updates, 2u);
}

// A consumer that never reads: 100 agents x 10 sessions x 500 updates each.
// The queue holds at most max_updates updates and, per update, at most the
// distinct agents of its session, and what it holds is the newest state.
TEST(CoalescingQueue, MemoryStaysBoundedUnderAStalledConsumer) {
  constexpr int sessions = 10;
  constexpr int agents = 100;
  constexpr int rounds = 500;
  const TelemetryQueueLimits limits{.max_updates = 32};
  CoalescingQueue queue(limits);
  std::size_t peak_agent_states = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int session = 0; session < sessions; ++session) {
      std::vector<AgentTelemetry> states;
      for (int agent = 0; agent < agents; ++agent) {
        states.push_back(agent_at("agent-" + std::to_string(agent), round));
      }
      queue.push(
          update_of("session-" + std::to_string(session), std::move(states),
                    {{"edge_added", "agent-0", "agent-" + std::to_string(round % agents), 1}}));
      peak_agent_states = std::max(peak_agent_states, queue.agent_states());
      ASSERT_LE(queue.size(), limits.max_updates);
    }
  }
  EXPECT_LE(peak_agent_states, limits.max_updates * agents);

  const auto counters = queue.counters();
  EXPECT_EQ(counters.pushed, std::uint64_t{sessions} * rounds);
  EXPECT_GT(counters.coalesced_agent_updates, 0u);
  EXPECT_EQ(counters.dropped_updates, 0u);
  EXPECT_EQ(counters.dropped_agent_updates, 0u);
  EXPECT_EQ(counters.dropped_topology_changes, 0u);

  // The last update seen by the consumer for each agent of each session is the newest one.
  std::map<std::string, double> last_x;
  std::map<std::string, std::set<std::string>> edges;
  for (const auto& update : queue.drain()) {
    for (const auto& agent : update.agents) {
      last_x[update.session_id + "/" + agent.agent_id] = agent.position->x;
    }
    for (const auto& change : update.topology_changes) edges[update.session_id].insert(change.to);
  }
  ASSERT_EQ(last_x.size(), std::size_t{sessions} * agents);
  for (const auto& [key, x] : last_x) EXPECT_EQ(x, rounds - 1) << key;
  // Every edge ever added is still there: merged, never dropped.
  for (const auto& [session, targets] : edges)
    EXPECT_EQ(targets.size(), std::size_t{agents}) << session;
}

}  // namespace
}  // namespace hivemind::telemetry_detail
