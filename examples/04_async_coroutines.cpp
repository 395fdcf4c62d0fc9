// Tutorial 4: asynchronous calls and coroutines. The integration guide's "Complete
// Integration Example" in C++20 coroutines: spawn a task with metadata, query its metrics
// over MCP in parallel, wait for the end, then list the outputs (or print the log when it
// did not complete). Every verb's async_ form takes any Asio completion token.
//
// Configured from the environment (HIVEMIND_CONTAINER, HIVEMIND_DOCKER, HIVEMIND_HOST_EXT_DIR,
// HIVEMIND_MCP_HOST, HIVEMIND_MCP_PORT, HIVEMIND_MCP_TOKEN, ...). The program's coroutines
// run on one io_context driven by main's thread, so only the asynchronous forms are used.
#include <chrono>
#include <iostream>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <hivemind/hivemind.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Prints the session's metrics every second until cancelled. The deployed relay does not
// implement session_metrics (tool_unavailable): then it says so once and ends.
asio::awaitable<void> telemetry_loop(hivemind::McpTelemetryClient& mcp, std::string session_id) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    try {
      const hivemind::SessionMetrics metrics =
          co_await mcp.async_query_session_metrics(session_id, asio::use_awaitable);
      std::cout << "Agents active: " << metrics.agents.size()
                << ", tasks completed: " << metrics.tasks.completed << "\n";
    } catch (const hivemind::Error& error) {
      if (error.kind() == hivemind::errc::cancelled) co_return;
      std::cout << "telemetry: " << error.what() << "\n";
      if (error.kind() == hivemind::errc::tool_unavailable) co_return;
    }
    timer.expires_after(1s);
    co_await timer.async_wait(asio::use_awaitable);  // throws when cancelled: the loop ends
  }
}

asio::awaitable<int> run(const hivemind::HiveMindClient& client, hivemind::McpTelemetryClient& mcp,
                         asio::cancellation_signal& stop_telemetry) {
  const std::string task = "Build a Rust CLI tool for parsing log files";
  nlohmann::json metadata = {
      {"project", "log-parser"}, {"requester", "voice-api"}, {"deadline", "2025-10-06T00:00:00Z"}};
  const hivemind::SessionHandle session = co_await client.async_spawn_task(
      task, hivemind::Priority::high, std::move(metadata), asio::use_awaitable);
  std::cout << "Task spawned with UUID: " << session.uuid() << "\n";

  // Monitor in parallel; stop_telemetry ends it.
  asio::co_spawn(co_await asio::this_coro::executor, telemetry_loop(mcp, session.uuid()),
                 asio::bind_cancellation_slot(stop_telemetry.slot(), asio::detached));

  hivemind::WaitOptions wait;
  wait.initial_interval = 250ms;
  wait.max_interval = 2s;
  wait.liveness_interval = 2s;
  wait.timeout = 30min;
  const hivemind::WaitResult result =
      co_await session.async_wait_for_completion(wait, asio::use_awaitable);
  stop_telemetry.emit(asio::cancellation_type::terminal);
  std::cout << "Task finished with status: " << hivemind::to_string(result.outcome) << "\n";

  if (result.outcome == hivemind::WaitOutcome::completed) {
    const auto files = session.list_output_files();  // host files: no container call
    std::cout << "Generated " << files.size() << " output files\n";
    for (const auto& file : files) std::cout << "  - " << file.relative_path.string() << "\n";
    co_return 0;
  }
  // Read the log for debugging.
  std::cout << "Log (" << result.metadata.log_file << "), last lines:\n";
  const std::vector<std::string> lines = co_await session.async_read_log(20, asio::use_awaitable);
  for (const auto& line : lines) std::cout << "  " << line << "\n";
  co_return 1;
}

}  // namespace

int main() {
  try {
    asio::io_context io;
    const hivemind::HiveMindClient client(io.get_executor(),
                                          hivemind::ClientOptions::from_environment());
    // On `io` too: its open connection is work for `io`, so run() returns once it is closed.
    hivemind::McpTelemetryClient mcp(io.get_executor(), hivemind::McpOptions::from_environment());
    // Outlives io.run(), so the telemetry loop's cancellation slot never dangles.
    asio::cancellation_signal stop_telemetry;
    int exit_code = 1;
    asio::co_spawn(io, run(client, mcp, stop_telemetry), [&](std::exception_ptr error, int code) {
      exit_code = code;
      mcp.close();
      if (!error) return;
      stop_telemetry.emit(asio::cancellation_type::terminal);
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        exit_code = 2;
      }
    });
    io.run();
    return exit_code;
  } catch (const hivemind::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
