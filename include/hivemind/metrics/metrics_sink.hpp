// MetricsSink: the observer the SDK reports its work to (container execs, MCP requests,
// session lifecycle). Injected through ClientOptions::metrics and McpOptions::metrics;
// every hook defaults to doing nothing, so an application overrides only what it needs.
// LifecycleMetrics (lifecycle_metrics.hpp) is the implementation the SDK ships.
//
// Hooks are called from the SDK's I/O threads, possibly from several at once: an
// implementation must be thread-safe and must not block.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hivemind {

// How a session the application created ended, as far as the SDK observed it.
enum class SessionEnd {
  completed,
  failed,  // status `failed`
  dead,    // still `running` in the container, but its process is gone
  lost,    // the container no longer knows it (recreated, cleaned up)
};

std::string_view to_string(SessionEnd end) noexcept;

class MetricsSink {
 public:
  virtual ~MetricsSink() = default;

  // One container CLI invocation (`docker exec ...`), successful or not. `failed`: the
  // CLI could not run, the container was unavailable, or the call timed out or was
  // cancelled; a command that ran and exited non-zero is not an exec failure.
  virtual void on_docker_exec(std::chrono::nanoseconds /*latency*/, bool /*failed*/) {}

  // One MCP JSON-RPC call from issue to answer (or error).
  virtual void on_mcp_request(std::chrono::nanoseconds /*latency*/, bool /*failed*/) {}
  // A new MCP connection replaced an earlier one.
  virtual void on_mcp_reconnect() {}

  // A session was created by this application (it now counts as active).
  virtual void on_session_created(std::string_view /*session_id*/) {}
  // A session created earlier (e.g. before a restart) was found still running.
  virtual void on_session_resumed(std::string_view /*session_id*/) {}
  // A session ended; `duration` from its creation to its end when known. The SDK may
  // report the same session more than once (several waiters): count it once.
  virtual void on_session_ended(std::string_view /*session_id*/, SessionEnd /*end*/,
                                std::optional<std::chrono::milliseconds> /*duration*/) {}
};

}  // namespace hivemind
