// McpTelemetryClient: JSON-RPC 2.0 over TCP to the container's MCP relay (port 9500).
//
// One long-lived connection, requests pipelined and matched to their answers by
// id, id-less traffic delivered to subscribers, transparent reconnect and
// re-authentication when the relay closes the connection (it does every ~5 min).
//
// Every operation has a synchronous form (throws hivemind::Error) and an
// asynchronous form taking an Asio completion token: callbacks
// `void(std::exception_ptr, T)`, asio::use_future, asio::use_awaitable and
// asio::deferred all work. Cancelling through the token's cancellation slot
// fails that operation alone with errc::cancelled. The client is thread-safe.
// Synchronous forms block the calling thread: never call them from the thread
// running the executor the client was given.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/detail/typed_cancellation.hpp"
#include "hivemind/mcp/mcp_event.hpp"
#include "hivemind/mcp/mcp_models.hpp"
#include "hivemind/mcp/mcp_options.hpp"
#include "hivemind/mcp/rate_limiter.hpp"

namespace hivemind {

// Metrics of one session from query_many(): `metrics` or `error`, never both.
struct SessionMetricsResult {
  std::string session_id;
  std::optional<SessionMetrics> metrics;
  std::exception_ptr error;
};

namespace detail {
struct OwnedIoContext;
}
namespace mcp_detail {
class ClientCore;
boost::asio::awaitable<void> connect(std::shared_ptr<ClientCore> core);
boost::asio::awaitable<nlohmann::json> call(std::shared_ptr<ClientCore> core, std::string method,
                                            nlohmann::json params, CallOptions options);
boost::asio::awaitable<nlohmann::json> call_tool(std::shared_ptr<ClientCore> core, std::string name,
                                                 nlohmann::json arguments, CallOptions options);
boost::asio::awaitable<std::vector<McpTool>> list_tools(std::shared_ptr<ClientCore> core,
                                                        bool refresh);
boost::asio::awaitable<McpEvent> receive_event(std::shared_ptr<ClientCore> core);
boost::asio::awaitable<std::vector<SessionMetricsResult>> query_many(
    std::shared_ptr<ClientCore> core, std::vector<std::string> session_ids);
const boost::asio::any_io_executor& strand_of(const ClientCore& core) noexcept;
[[noreturn]] void throw_bad_payload(const std::string& tool, const std::exception& error);

// call_tool() with the payload converted to `Model` through its from_json.
template <class Model>
boost::asio::awaitable<Model> call_tool_as(std::shared_ptr<ClientCore> core, std::string name,
                                           nlohmann::json arguments, CallOptions options) {
  const nlohmann::json payload =
      co_await call_tool(std::move(core), name, std::move(arguments), options);
  try {
    co_return payload.get<Model>();
  } catch (const nlohmann::json::exception& error) {
    throw_bad_payload(name, error);
  }
}
}  // namespace mcp_detail

class McpTelemetryClient {
 public:
  using executor_type = boost::asio::any_io_executor;
  // Runs on the client's strand: keep it short, do not call sync forms from it.
  using EventCallback = std::function<void(const McpEvent&)>;

  // Owns an io_context and one background thread.
  explicit McpTelemetryClient(McpOptions options = {});
  // Runs on the caller's executor (wrapped in a strand).
  McpTelemetryClient(const executor_type& executor, McpOptions options = {});
  // Paces against `shared_limiter` instead of options.rate_limit (connection pools).
  McpTelemetryClient(const executor_type& executor, McpOptions options,
                     std::shared_ptr<RateLimiter> shared_limiter);
  // Closes the connection; operations still pending fail with errc::cancelled.
  ~McpTelemetryClient();

  McpTelemetryClient(const McpTelemetryClient&) = delete;
  McpTelemetryClient& operator=(const McpTelemetryClient&) = delete;

  // The client's strand.
  executor_type get_executor() const noexcept;
  const McpOptions& options() const noexcept;

  // Connects (initialize, authenticate) now instead of on the first call.
  void connect();
  template <class Token>
  auto async_connect(Token&& token) {
    return detail::co_spawn_typed(get_executor(), mcp_detail::connect(core_),
                                  std::forward<Token>(token));
  }

  // Final: fails pending operations with errc::cancelled and refuses new ones.
  void close();

  // Any JSON-RPC method; returns `result`.
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nullptr,
                      const CallOptions& options = {});
  template <class Token>
  auto async_call(std::string method, nlohmann::json params, CallOptions options, Token&& token) {
    return detail::co_spawn_typed(
        get_executor(), mcp_detail::call(core_, std::move(method), std::move(params), options),
        std::forward<Token>(token));
  }

  // `tools/list`, cached after the first success. Once cached, call_tool() fails
  // with tool_unavailable for a name the server does not list.
  std::vector<McpTool> list_tools(bool refresh = false);
  template <class Token>
  auto async_list_tools(bool refresh, Token&& token) {
    return detail::co_spawn_typed(get_executor(), mcp_detail::list_tools(core_, refresh),
                                  std::forward<Token>(token));
  }

  // `tools/call`; returns the tool's payload (see docs/mcp.md for the unwrapping).
  nlohmann::json call_tool(const std::string& name,
                           const nlohmann::json& arguments = nlohmann::json::object(),
                           const CallOptions& options = {});
  template <class Token>
  auto async_call_tool(std::string name, nlohmann::json arguments, CallOptions options,
                       Token&& token) {
    return detail::co_spawn_typed(
        get_executor(),
        mcp_detail::call_tool(core_, std::move(name), std::move(arguments), options),
        std::forward<Token>(token));
  }
  template <class Model, class Token>
  auto async_call_tool_as(std::string name, nlohmann::json arguments, CallOptions options,
                          Token&& token) {
    return detail::co_spawn_typed(
        get_executor(),
        mcp_detail::call_tool_as<Model>(core_, std::move(name), std::move(arguments), options),
        std::forward<Token>(token));
  }

  // --- typed helpers: documented session tools (not implemented by the deployed
  // backend, which makes them fail with tool_unavailable there) ---
  SessionMetrics query_session_metrics(const std::string& session_id);
  template <class Token>
  auto async_query_session_metrics(const std::string& session_id, Token&& token) {
    return async_call_tool_as<SessionMetrics>("session_metrics", session_arguments(session_id), {},
                                              std::forward<Token>(token));
  }
  SessionStatusReport session_status(const std::string& session_id);
  template <class Token>
  auto async_session_status(const std::string& session_id, Token&& token) {
    return async_call_tool_as<SessionStatusReport>("session_status", session_arguments(session_id),
                                                   {}, std::forward<Token>(token));
  }
  SessionAgents session_agents(const std::string& session_id);
  template <class Token>
  auto async_session_agents(const std::string& session_id, Token&& token) {
    return async_call_tool_as<SessionAgents>("session_agents", session_arguments(session_id), {},
                                             std::forward<Token>(token));
  }
  SwarmList swarm_list();
  template <class Token>
  auto async_swarm_list(Token&& token) {
    return async_call_tool_as<SwarmList>("swarm_list", nlohmann::json::object(), {},
                                         std::forward<Token>(token));
  }
  // Listed by the deployed backend but not implemented; payload returned as is.
  nlohmann::json swarm_monitor(const nlohmann::json& arguments = nlohmann::json::object());
  nlohmann::json agent_metrics(const nlohmann::json& arguments = nlohmann::json::object());
  nlohmann::json performance_summary(const nlohmann::json& arguments = nlohmann::json::object());

  // Metrics of many sessions at once, pipelined on the one connection (the relay
  // has no JSON-RPC batches). One session failing does not fail the others.
  std::vector<SessionMetricsResult> query_many(const std::vector<std::string>& session_ids);
  template <class Token>
  auto async_query_many(std::vector<std::string> session_ids, Token&& token) {
    return detail::co_spawn_typed(get_executor(),
                                  mcp_detail::query_many(core_, std::move(session_ids)),
                                  std::forward<Token>(token));
  }

  // --- typed helpers: tools of the deployed backend ---
  SwarmInitResult swarm_init(const SwarmInitRequest& request = {});
  template <class Token>
  auto async_swarm_init(const SwarmInitRequest& request, Token&& token) {
    return async_call_tool_as<SwarmInitResult>("swarm_init", request, {},
                                               std::forward<Token>(token));
  }
  AgentInfo agent_spawn(const AgentSpawnRequest& request);
  template <class Token>
  auto async_agent_spawn(const AgentSpawnRequest& request, Token&& token) {
    return async_call_tool_as<AgentInfo>("agent_spawn", request, {}, std::forward<Token>(token));
  }
  // An empty swarm id means the active swarm.
  AgentList agent_list(const std::string& swarm_id = {});
  template <class Token>
  auto async_agent_list(const std::string& swarm_id, Token&& token) {
    return async_call_tool_as<AgentList>("agent_list", swarm_arguments(swarm_id), {},
                                         std::forward<Token>(token));
  }
  SwarmStatus swarm_status(const std::string& swarm_id = {});
  template <class Token>
  auto async_swarm_status(const std::string& swarm_id, Token&& token) {
    return async_call_tool_as<SwarmStatus>("swarm_status", swarm_arguments(swarm_id), {},
                                           std::forward<Token>(token));
  }
  TaskInfo task_orchestrate(const TaskOrchestrateRequest& request);
  template <class Token>
  auto async_task_orchestrate(const TaskOrchestrateRequest& request, Token&& token) {
    return async_call_tool_as<TaskInfo>("task_orchestrate", request, {},
                                        std::forward<Token>(token));
  }
  TaskInfo task_status(const std::string& task_id = {});
  nlohmann::json memory_usage(const nlohmann::json& arguments);

  // Id-less traffic and disconnects (see McpEvent). Returns an id for unsubscribe().
  int subscribe(EventCallback callback);
  void unsubscribe(int subscription);

  // The oldest queued event, waiting for one if none is queued (see
  // McpOptions::event_queue_size). Cancel the async form to stop waiting.
  McpEvent receive_event();
  template <class Token>
  auto async_receive_event(Token&& token) {
    return detail::co_spawn_typed(get_executor(), mcp_detail::receive_event(core_),
                                  std::forward<Token>(token));
  }

  // What the relay answered to `initialize`, once connected with send_initialize.
  std::optional<McpServerInfo> server_info() const;
  // Requests sent and not answered yet (diagnostics, benchmarks).
  std::size_t pending_requests() const noexcept;

 private:
  static nlohmann::json session_arguments(const std::string& session_id);
  static nlohmann::json swarm_arguments(const std::string& swarm_id);

  std::unique_ptr<detail::OwnedIoContext> owned_;  // only with the first constructor
  std::shared_ptr<mcp_detail::ClientCore> core_;
};

}  // namespace hivemind
