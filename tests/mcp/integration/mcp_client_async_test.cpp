// The asynchronous forms: completion tokens, cancellation, executors, closing.
#include <gmock/gmock.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

TEST(McpClientAsync, CompletesACallback) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  std::promise<std::string> topology;
  client.async_swarm_init(SwarmInitRequest{"mesh", {}, ""},
                          [&](std::exception_ptr error, SwarmInitResult result) {
                            if (error) {
                              topology.set_exception(error);
                            } else {
                              topology.set_value(result.topology);
                            }
                          });
  auto future = topology.get_future();
  EXPECT_EQ(get_within_patience(future), "mesh");
}

TEST(McpClientAsync, CompletesAFutureWithTheTypedError) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  auto future = client.async_call("ping", json::object(), {}, asio::use_future);
  EXPECT_EQ(error_kind_of([&] { get_within_patience(future); }), errc::rpc_error);
}

TEST(McpClientAsync, WorksInsideACoroutineOnTheCallersExecutor) {
  MockRelay relay;
  asio::io_context context;
  McpTelemetryClient client(context.get_executor(), options_for(relay));
  std::string swarm_topology;
  std::size_t tool_count = 0;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        tool_count = (co_await client.async_list_tools(false, asio::use_awaitable)).size();
        // A named request: g++ 12 destroys a temporary inside co_await twice.
        const SwarmInitRequest request{"ring", 4, ""};
        const SwarmInitResult swarm =
            co_await client.async_swarm_init(request, asio::use_awaitable);
        swarm_topology = swarm.topology;
        client.close();
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  context.run();  // returns once the client is closed and idle
  EXPECT_EQ(tool_count, 9u);
  EXPECT_EQ(swarm_topology, "ring");
}

TEST(McpClientAsync, WorksWithDeferred) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  auto operation = client.async_call_tool("agent_list", json::object(), {}, asio::deferred);
  std::promise<json> payload;
  std::move(operation)([&](std::exception_ptr error, json result) {
    if (error) {
      payload.set_exception(error);
    } else {
      payload.set_value(std::move(result));
    }
  });
  auto future = payload.get_future();
  EXPECT_EQ(get_within_patience(future)["success"], true);
}

TEST(McpClientAsync, CancellingOneCallLeavesTheConnectionAndOtherCallsAlone) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_response_delay(300ms);
  asio::cancellation_signal cancel;
  std::promise<void> cancelled;
  client.async_call_tool(
      "agent_list", json::object(), {},
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr error, json) {
        if (error) {
          cancelled.set_exception(error);
        } else {
          cancelled.set_value();
        }
      }));
  auto other = client.async_task_orchestrate({"other", "", "", {}}, asio::use_future);
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 2; }));
  // Emitted from the client's strand, as Asio requires for cancellation slots.
  asio::post(client.get_executor(), [&] { cancel.emit(asio::cancellation_type::terminal); });
  auto cancelled_future = cancelled.get_future();
  EXPECT_EQ(error_kind_of([&] { get_within_patience(cancelled_future); }), errc::cancelled);
  EXPECT_EQ(get_within_patience(other).task, "other");
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

// The emit is queued ahead of the step that starts the operation (co_spawn posts that step,
// being called from outside the executor), so the cancellation lands before the first step,
// where Asio itself reports it, as it can when several threads run the context.
TEST(McpClientAsync, ACancellationBeforeTheCallStartsIsCancelledToo) {
  MockRelay relay;
  asio::io_context context;
  McpTelemetryClient client(context.get_executor(), options_for(relay));
  asio::cancellation_signal cancel;
  std::exception_ptr failure;
  asio::post(client.get_executor(), [&] { cancel.emit(asio::cancellation_type::terminal); });
  client.async_call("ping", json::object(), {},
                    asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, json) {
                      failure = e;
                      client.close();
                    }));
  context.run();  // returns once the client is closed and idle
  ASSERT_TRUE(failure);
  EXPECT_EQ(error_kind_of([&] { std::rethrow_exception(failure); }), errc::cancelled);
}

TEST(McpClientAsync, MaxInFlightQueuesTheRestInsteadOfFailing) {
  MockRelay relay;
  relay.set_response_delay(5ms);
  auto options = options_for(relay);
  options.max_in_flight = 2;
  McpTelemetryClient client(options);
  std::vector<std::future<TaskInfo>> answers;
  for (int i = 0; i < 12; ++i) {
    answers.push_back(
        client.async_task_orchestrate({std::to_string(i), "", "", {}}, asio::use_future));
  }
  for (int i = 0; i < 12; ++i) EXPECT_EQ(get_within_patience(answers[i]).task, std::to_string(i));
}

TEST(McpClientAsync, CloseFailsPendingCallsWithCancelledAndRefusesNewOnes) {
  MockRelay relay;
  relay.set_never_answer(true);
  McpTelemetryClient client(options_for(relay));
  client.connect();
  auto pending = client.async_call_tool("agent_list", json::object(), {}, asio::use_future);
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 1; }));
  client.close();
  EXPECT_EQ(error_kind_of([&] { get_within_patience(pending); }), errc::cancelled);
  EXPECT_EQ(error_kind_of([&] { client.swarm_init(); }), errc::cancelled);
}

TEST(McpClientAsync, DestroyingTheClientWithCallsInFlightDoesNotHang) {
  MockRelay relay;
  relay.set_never_answer(true);
  std::future<json> pending;
  {
    McpTelemetryClient client(options_for(relay));
    client.connect();
    pending = client.async_call_tool("agent_list", json::object(), {}, asio::use_future);
    ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 1; }));
  }
  EXPECT_EQ(error_kind_of([&] { get_within_patience(pending); }), errc::cancelled);
}

TEST(McpClientAsync, ReceivesQueuedEventsInOrderAndWaitsForTheNext) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.broadcast(json{{"jsonrpc", "2.0"}, {"method", "first"}});
  relay.broadcast(json{{"jsonrpc", "2.0"}, {"error", {{"code", -32601}, {"message", "x"}}}});
  EXPECT_EQ(client.receive_event().method, "first");
  const McpEvent error = client.receive_event();
  EXPECT_EQ(error.kind, McpEvent::Kind::rpc_error);
  EXPECT_EQ(error.code, -32601);
  auto next = client.async_receive_event(asio::use_future);
  relay.broadcast(json{{"jsonrpc", "2.0"}, {"method", "later"}, {"params", {{"k", 1}}}});
  const McpEvent later = get_within_patience(next);
  EXPECT_EQ(later.method, "later");
  EXPECT_EQ(later.params["k"], 1);
}

TEST(McpClientAsync, WaitingForAnEventEndsWhenTheClientCloses) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  auto next = client.async_receive_event(asio::use_future);
  client.close();
  EXPECT_EQ(error_kind_of([&] { get_within_patience(next); }), errc::cancelled);
}

TEST(McpClientAsync, CallsWaitingForTheConnectionShareOneConnect) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  std::vector<std::future<json>> answers;
  for (int i = 0; i < 10; ++i) {
    answers.push_back(client.async_call_tool("agent_list", json::object(), {}, asio::use_future));
  }
  for (auto& answer : answers) EXPECT_EQ(get_within_patience(answer)["success"], true);
  EXPECT_EQ(relay.connections_accepted(), 1u);
  EXPECT_EQ(count_received(relay, "initialize"), 1u);
}

}  // namespace
}  // namespace hivemind::testing
