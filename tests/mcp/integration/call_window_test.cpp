// call_all / call_each / async forms: K calls in flight over a sequence.
#include "hivemind/mcp/call_window.hpp"

#include <atomic>
#include <future>
#include <set>

#include <gmock/gmock.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"
#include "support/capture_error.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

std::vector<json> spawn_arguments(std::size_t count) {
  std::vector<json> arguments;
  for (std::size_t i = 0; i < count; ++i) {
    json item = json::object();
    item["type"] = "worker";
    item["name"] = "agent-" + std::to_string(i);
    arguments.push_back(std::move(item));
  }
  return arguments;
}

errc kind_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.kind().value_or(errc::docker_exec_failed);
  }
}

TEST(CallWindow, CallAllKeepsTheWindowAndTheInputOrder) {
  MockRelay relay;
  relay.set_response_delay(5ms);  // answers overlap, so the window fills
  McpTelemetryClient client(options_for(relay));
  const auto results = call_all(client, "agent_spawn", spawn_arguments(40), 4);
  ASSERT_EQ(results.size(), 40u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(results[i].result.value("name", ""), "agent-" + std::to_string(i));
  }
  EXPECT_LE(relay.max_pending_requests(), 4u);
  EXPECT_GE(relay.max_pending_requests(), 1u);
  EXPECT_EQ(count_received(relay, "tools/call"), 40u);
}

TEST(CallWindow, OneFailingItemDoesNotStopTheOthers) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  auto arguments = spawn_arguments(10);
  arguments[3] = json::array({"not", "an", "object"});  // refused before sending
  const auto results = call_all(client, "agent_spawn", std::move(arguments), 3);
  ASSERT_EQ(results.size(), 10u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 3) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(kind_of(results[i].error), errc::invalid_argument);
    } else {
      ASSERT_TRUE(results[i].ok()) << i;
      EXPECT_EQ(results[i].result.value("name", ""), "agent-" + std::to_string(i));
    }
  }
}

TEST(CallWindow, AToolFailureIsCapturedForItsItemOnly) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  relay.fail_next_tool_call("agent_spawn", "boom");
  const auto results = call_all(client, "agent_spawn", spawn_arguments(6), 2);
  std::size_t failed = 0;
  for (const auto& result : results) {
    if (result.ok()) continue;
    ++failed;
    EXPECT_EQ(kind_of(result.error), errc::tool_failed);
  }
  EXPECT_EQ(failed, 1u);
}

TEST(CallWindow, CallEachReportsEveryIndexOnceWithinTheWindow) {
  MockRelay relay;
  relay.set_response_delay(5ms);
  McpTelemetryClient client(options_for(relay));
  std::multiset<std::size_t> seen;  // the handler runs on the client's strand, one at a time
  call_each(client, "agent_spawn", spawn_arguments(25), 5,
            [&seen](std::size_t index, CallResult result) {
              EXPECT_TRUE(result.ok());
              EXPECT_EQ(result.result.value("name", ""), "agent-" + std::to_string(index));
              seen.insert(index);
            });
  ASSERT_EQ(seen.size(), 25u);
  for (std::size_t i = 0; i < 25; ++i) EXPECT_EQ(seen.count(i), 1u);
  EXPECT_LE(relay.max_pending_requests(), 5u);
}

TEST(CallWindow, AsyncFormsComplete) {
  MockRelay relay;
  relay.set_response_delay(2ms);
  McpTelemetryClient client(options_for(relay));
  auto all = async_call_all(client, "agent_spawn", spawn_arguments(12), 3, asio::use_future);
  const auto results = get_within_patience(all);
  ASSERT_EQ(results.size(), 12u);
  EXPECT_EQ(results[11].result.value("name", ""), "agent-11");

  std::atomic<std::size_t> count{0};
  auto each = async_call_each(
      client, "agent_spawn", spawn_arguments(7), 2,
      [&count](std::size_t, CallResult result) {
        if (result.ok()) ++count;
      },
      asio::use_future);
  get_within_patience(each);
  EXPECT_EQ(count.load(), 7u);
  EXPECT_LE(relay.max_pending_requests(), 3u);
}

TEST(CallWindow, AThrowingHandlerStopsNewItemsAndFailsTheOperation) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  std::size_t calls = 0;
  const auto error = capture_error([&] {
    call_each(client, "agent_spawn", spawn_arguments(20), 1, [&calls](std::size_t, CallResult) {
      ++calls;
      throw Error(errc::invalid_argument, "stop here");
    });
  });
  EXPECT_THAT(error.what(), ::testing::HasSubstr("stop here"));
  EXPECT_EQ(calls, 1u);
  EXPECT_LT(count_received(relay, "tools/call"), 20u);
}

TEST(CallWindow, CancellingCancelsTheCallsInFlight) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_never_answer(true);
  asio::cancellation_signal cancel;
  std::promise<void> finished;
  std::atomic<std::size_t> reported{0};
  async_call_each(
      client, "agent_spawn", spawn_arguments(10), 3,
      [&reported](std::size_t, CallResult result) {
        if (!result.ok()) ++reported;
      },
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr error) {
        if (error) {
          finished.set_exception(error);
        } else {
          finished.set_value();
        }
      }));
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 3; }));
  asio::post(client.get_executor(), [&] { cancel.emit(asio::cancellation_type::terminal); });
  auto future = finished.get_future();
  EXPECT_EQ(error_kind_of([&] { get_within_patience(future); }), errc::cancelled);
  EXPECT_EQ(reported.load(), 3u) << "the three in flight were cancelled, no more started";
  EXPECT_EQ(count_received(relay, "tools/call"), 3u);
  EXPECT_EQ(client.pending_requests(), 0u);
}

TEST(CallWindow, EmptyInputAndAZeroWindow) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EXPECT_TRUE(call_all(client, "agent_spawn", {}, 4).empty());
  EXPECT_EQ(error_kind_of([&] { (void)call_all(client, "agent_spawn", spawn_arguments(2), 0); }),
            errc::invalid_argument);
}

}  // namespace
}  // namespace hivemind::testing
