#include "mcp/rpc_engine.hpp"

#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"

namespace hivemind::mcp_detail {
namespace {

using nlohmann::json;

class RpcEngineTest : public ::testing::Test {
 protected:
  RequestIdGenerator ids{"t"};
  std::vector<McpEvent> events;
  RpcEngine engine{1024, ids, [this](McpEvent event) { events.push_back(std::move(event)); }};

  // Starts a request whose outcome lands in `slot`.
  std::string start(std::optional<RpcOutcome>& slot, const char* method = "tools/list") {
    return engine
        .start_request(method, json::object(),
                       [&slot](RpcOutcome outcome) { slot = std::move(outcome); })
        .id;
  }
};

TEST_F(RpcEngineTest, MatchesOutOfOrderResponsesById) {
  std::optional<RpcOutcome> first, second;
  const std::string first_id = start(first);
  const std::string second_id = start(second);
  EXPECT_EQ(engine.pending_count(), 2u);
  EXPECT_TRUE(engine.receive(R"({"jsonrpc":"2.0","id":")" + second_id +
                             R"(","result":2})"
                             "\n"));
  ASSERT_TRUE(second);
  EXPECT_FALSE(first);
  EXPECT_EQ(second->result, 2);
  EXPECT_TRUE(engine.receive(R"({"jsonrpc":"2.0","id":")" + first_id +
                             R"(","result":1})"
                             "\n"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result, 1);
  EXPECT_EQ(engine.pending_count(), 0u);
}

TEST_F(RpcEngineTest, ABroadcastBetweenRequestAndResponseIsNotTheAnswer) {
  std::optional<RpcOutcome> outcome;
  const std::string id = start(outcome);
  EXPECT_TRUE(engine.receive(
      "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"server.initialized\"}\n"));
  EXPECT_FALSE(outcome);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, McpEvent::Kind::rpc_error);
  EXPECT_EQ(events[1].kind, McpEvent::Kind::notification);
  EXPECT_TRUE(engine.receive(R"({"jsonrpc":"2.0","id":")" + id +
                             R"(","result":"mine"})"
                             "\n"));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->result, "mine");
}

TEST_F(RpcEngineTest, ALateResponseAfterForgetIsDroppedSafely) {
  std::optional<RpcOutcome> outcome;
  const std::string id = start(outcome);
  engine.forget(id);
  EXPECT_TRUE(engine.receive(R"({"jsonrpc":"2.0","id":")" + id +
                             R"(","result":1})"
                             "\n"));
  EXPECT_FALSE(outcome);
  EXPECT_TRUE(events.empty());
}

TEST_F(RpcEngineTest, AResponseForSomeoneElsesIdIsIgnored) {
  std::optional<RpcOutcome> outcome;
  start(outcome);
  EXPECT_TRUE(engine.receive(R"({"jsonrpc":"2.0","id":"other-1","result":1})"
                             "\n"));
  EXPECT_FALSE(outcome);
  EXPECT_EQ(engine.pending_count(), 1u);
}

TEST_F(RpcEngineTest, FailAllCompletesEveryPendingRequestWithTheFailure) {
  std::optional<RpcOutcome> first, second;
  start(first);
  start(second);
  engine.fail_all(make_error_code(errc::connection_lost), "relay closed");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->failure, make_error_code(errc::connection_lost));
  EXPECT_EQ(second->failure_reason, "relay closed");
  EXPECT_EQ(engine.pending_count(), 0u);
}

TEST_F(RpcEngineTest, RemembersTheRelaysRefusalAsTheCloseReason) {
  EXPECT_TRUE(engine.receive("{\"error\":\"Service unavailable - connection limit reached\"}\n"));
  ASSERT_TRUE(engine.relay_error());
  EXPECT_EQ(*engine.relay_error(), "Service unavailable - connection limit reached");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, McpEvent::Kind::relay_error);
}

TEST_F(RpcEngineTest, AnOversizedLineBreaksTheStream) {
  std::optional<RpcOutcome> outcome;
  start(outcome);
  EXPECT_FALSE(engine.receive(std::string(2000, 'x')));
  EXPECT_FALSE(outcome);  // the transport closes, then fails the pending requests
}

}  // namespace
}  // namespace hivemind::mcp_detail
