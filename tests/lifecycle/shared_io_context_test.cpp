// HiveMindClient and McpTelemetryClient on one io_context run by one thread, as
// examples/04_async_coroutines uses them. Launching a container call used to tell that
// io_context about the fork, which stopped Asio's resolver thread: an MCP connect
// resolving at that moment never completed, and run() never returned.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "mock_relay.hpp"
#include "support/mock_container.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

TEST(SharedIoContext, McpConnectsWhileContainerCallsLaunchProcesses) {
  hivemind::testing::MockContainer container;
  hivemind::testing::MockRelay relay;
  asio::io_context io;
  const hivemind::HiveMindClient client(io.get_executor(), container.options());
  hivemind::McpOptions mcp_options;
  mcp_options.host = "127.0.0.1";
  mcp_options.port = relay.port();
  hivemind::McpTelemetryClient mcp(io.get_executor(), mcp_options);

  std::optional<std::size_t> tools;
  std::size_t listings = 0;
  std::exception_ptr failure;
  const auto record_failure = [&](std::exception_ptr error) {
    if (error && !failure) failure = error;
  };
  // Started in the same turn of the loop: the connect's resolve is queued while the
  // container calls fork.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto listed = co_await mcp.async_list_tools(false, asio::use_awaitable);
        tools = listed.size();
      },
      [&](std::exception_ptr error) {
        record_failure(error);
        mcp.close();  // the open connection is work for `io` until closed
      });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 5; ++i) {
          co_await client.async_list(asio::use_awaitable);
          ++listings;
        }
      },
      record_failure);

  // Generous: a healthy run takes well under a second; a hang would last forever.
  io.run_for(120s);
  ASSERT_FALSE(failure) << "an operation failed";
  EXPECT_TRUE(io.stopped()) << "io_context still had work: something never completed";
  ASSERT_TRUE(tools.has_value()) << "the MCP client never connected";
  EXPECT_GT(*tools, 0u);
  EXPECT_EQ(listings, 5u);
}

}  // namespace
