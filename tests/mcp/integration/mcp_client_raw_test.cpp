// call_raw / async_call_raw: params as JSON text in, the result's JSON text out.
#include <functional>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"

namespace hivemind::testing {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

TEST(McpClientRaw, SendsTheParamsTextAndReturnsTheResultText) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  const std::string result =
      client.call_raw("tools/call", "{\"name\":\"agent_list\",\n \"arguments\":{}}");
  const json parsed = json::parse(result);
  ASSERT_TRUE(parsed.contains("content"));
  EXPECT_EQ(json::parse(parsed["content"][0]["text"].get<std::string>())["success"], true);
  bool seen = false;
  for (const auto& message : relay.received()) {
    if (message.value("method", "") == "tools/call") {
      seen = true;
      EXPECT_EQ(message["params"]["name"], "agent_list");
    }
  }
  EXPECT_TRUE(seen);
}

TEST(McpClientRaw, EmptyParamsSendNone) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EXPECT_EQ(json::parse(client.call_raw("resources/list"))["resources"], json::array());
  for (const auto& message : relay.received()) {
    if (message.value("method", "") == "resources/list") {
      EXPECT_FALSE(message.contains("params"));
    }
  }
}

TEST(McpClientRaw, ErrorResponsesAreTypedErrorsWithTheirCode) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  try {
    client.call_raw("ping", "{}");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), errc::rpc_error);
    EXPECT_EQ(error.context().rpc_code, -32601);
  }
}

TEST(McpClientRaw, PipelinedCallsEachGetTheirOwnAnswer) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < 50; ++i) {
    answers.push_back(client.async_call_raw(
        "tools/call",
        R"({"name":"task_orchestrate","arguments":{"task":"t)" + std::to_string(i) + R"("}})", {},
        asio::use_future));
  }
  for (int i = 0; i < 50; ++i) {
    const json result = json::parse(answers[i].get());
    const json payload = json::parse(result["content"][0]["text"].get<std::string>());
    EXPECT_EQ(payload["task"], "t" + std::to_string(i));
  }
  EXPECT_EQ(client.pending_requests(), 0u);
}

// A call made from a completion handler is written as the read that answered the last
// one ends; a request larger than the socket takes at once (9 MiB, under the relay's
// 10 MiB limit) is finished by the writer.
TEST(McpClientRaw, CallsChainedFromCompletionHandlersGoOutWhateverTheirSize) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  const std::vector<std::size_t> sizes = {10, 3 * 1024 * 1024, 20, 9 * 1024 * 1024, 30};
  std::vector<std::string> tasks;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    tasks.push_back(std::string(sizes[i], static_cast<char>('a' + i)));
  }
  std::vector<std::string> answered;
  std::promise<void> finished;
  std::function<void(std::size_t)> call_next = [&](std::size_t index) {
    client.async_call_raw(
        "tools/call", R"({"name":"task_orchestrate","arguments":{"task":")" + tasks[index] + "\"}}",
        {}, [&, index](std::exception_ptr error, std::string result) {
          if (error) {
            finished.set_exception(error);
            return;
          }
          const json payload =
              json::parse(json::parse(result)["content"][0]["text"].get<std::string>());
          answered.push_back(payload["task"].get<std::string>());
          if (index + 1 < tasks.size()) {
            call_next(index + 1);
          } else {
            finished.set_value();
          }
        });
  };
  call_next(0);
  finished.get_future().get();
  EXPECT_TRUE(answered == tasks) << answered.size() << " of " << tasks.size() << " answered";
  EXPECT_EQ(client.pending_requests(), 0u);
}

TEST(McpClientRaw, ADeadlineWithoutAnAnswerIsATimeoutAndTheClientGoesOn) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_never_answer(true);
  CallOptions quick;
  quick.deadline = 50ms;
  // Two deadlines, the later one queued first: the timer re-arms for the earlier one.
  CallOptions slower;
  slower.deadline = 150ms;
  auto second = client.async_call_raw("tools/list", "{}", slower, asio::use_future);
  auto first = client.async_call_raw("tools/list", "{}", quick, asio::use_future);
  EXPECT_EQ(error_kind_of([&] { first.get(); }), errc::timeout);
  EXPECT_EQ(error_kind_of([&] { second.get(); }), errc::timeout);
  EXPECT_EQ(client.pending_requests(), 0u);
  relay.set_never_answer(false);
  EXPECT_FALSE(client.call_raw("tools/list", "{}").empty());
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

TEST(McpClientRaw, ClosingFailsPendingRawCallsWithCancelled) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_never_answer(true);
  auto pending = client.async_call_raw("tools/list", "{}", {}, asio::use_future);
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/list") == 1; }));
  client.close();
  EXPECT_EQ(error_kind_of([&] { pending.get(); }), errc::cancelled);
}

}  // namespace
}  // namespace hivemind::testing
