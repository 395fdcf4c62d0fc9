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

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <nlohmann/json.hpp>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/common/error.hpp"
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
    return async_complete<void>(std::forward<Token>(token),
                                [this](Completion<void> done) { launch_connect(std::move(done)); });
  }

  // Final: fails pending operations with errc::cancelled and refuses new ones.
  void close();

  // Any JSON-RPC method; returns `result`.
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nullptr,
                      const CallOptions& options = {});
  template <class Token>
  auto async_call(std::string method, nlohmann::json params, CallOptions options, Token&& token) {
    return async_complete<nlohmann::json>(
        std::forward<Token>(token), [this, method = std::move(method), params = std::move(params),
                                     options](Completion<nlohmann::json> done) mutable {
          launch_call(std::move(method), std::move(params), options, std::move(done));
        });
  }

  // Any JSON-RPC method with the params already serialized (`params_json`, JSON text;
  // empty sends none) and the result's JSON text returned byte for byte as the relay
  // sent it: no JSON tree is built either way. The params are sent as given (line breaks
  // become spaces), so they must be valid JSON. Errors are those of call().
  std::string call_raw(const std::string& method, std::string_view params_json = {},
                       const CallOptions& options = {});
  template <class Token>
  auto async_call_raw(std::string method, std::string params_json, CallOptions options,
                      Token&& token) {
    return async_complete<std::string>(
        std::forward<Token>(token),
        [this, method = std::move(method), params_json = std::move(params_json),
         options](Completion<std::string> done) mutable {
          launch_call_raw(std::move(method), std::move(params_json), options, std::move(done));
        });
  }

  // `tools/list`, cached after the first success. Once cached, call_tool() fails
  // with tool_unavailable for a name the server does not list.
  std::vector<McpTool> list_tools(bool refresh = false);
  template <class Token>
  auto async_list_tools(bool refresh, Token&& token) {
    return async_complete<std::vector<McpTool>>(
        std::forward<Token>(token), [this, refresh](Completion<std::vector<McpTool>> done) {
          launch_list_tools(refresh, std::move(done));
        });
  }

  // `tools/call`; returns the tool's payload (see docs/mcp.md for the unwrapping).
  nlohmann::json call_tool(const std::string& name,
                           const nlohmann::json& arguments = nlohmann::json::object(),
                           const CallOptions& options = {});
  template <class Token>
  auto async_call_tool(std::string name, nlohmann::json arguments, CallOptions options,
                       Token&& token) {
    return async_complete<nlohmann::json>(
        std::forward<Token>(token), [this, name = std::move(name), arguments = std::move(arguments),
                                     options](Completion<nlohmann::json> done) mutable {
          launch_call_tool(std::move(name), std::move(arguments), options, std::move(done));
        });
  }
  template <class Model, class Token>
  auto async_call_tool_as(std::string name, nlohmann::json arguments, CallOptions options,
                          Token&& token) {
    // The payload is converted in a handler that keeps the caller's executor and
    // cancellation slot, so the typed call behaves as call_tool does.
    return async_complete<Model>(
        std::forward<Token>(token), [this, name = std::move(name), arguments = std::move(arguments),
                                     options](Completion<Model> done) mutable {
          namespace asio = boost::asio;
          auto slot = asio::get_associated_cancellation_slot(done);
          auto executor = asio::get_associated_executor(done, get_executor());
          auto convert = [done = std::move(done), name](std::exception_ptr failure,
                                                        nlohmann::json payload) mutable {
            Model model{};
            if (!failure) {
              try {
                model = payload.get<Model>();
              } catch (const nlohmann::json::exception& error) {
                failure = bad_payload(name, error);
              }
            }
            std::move(done)(std::move(failure), std::move(model));
          };
          launch_call_tool(std::move(name), std::move(arguments), options,
                           asio::bind_cancellation_slot(
                               slot, asio::bind_executor(executor, std::move(convert))));
        });
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
    return async_complete<std::vector<SessionMetricsResult>>(
        std::forward<Token>(token),
        [this, session_ids = std::move(session_ids)](
            Completion<std::vector<SessionMetricsResult>> done) mutable {
          launch_query_many(std::move(session_ids), std::move(done));
        });
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
    return async_complete<McpEvent>(std::forward<Token>(token), [this](Completion<McpEvent> done) {
      launch_receive_event(std::move(done));
    });
  }

  // What the relay answered to `initialize`, once connected with send_initialize.
  std::optional<McpServerInfo> server_info() const;
  // Requests sent and not answered yet (diagnostics, benchmarks).
  std::size_t pending_requests() const noexcept;
  // The relay's connection age limit as learned from its unannounced closes (0.9 x the
  // youngest close at least connect_deadline old); nullopt until one happened. Once
  // learned, connections are recycled at min(recycle_after, this).
  std::optional<std::chrono::milliseconds> learned_age_limit() const noexcept;

 private:
  // The asynchronous operations, compiled into the library (async_complete).
  void launch_connect(Completion<void> done);
  void launch_call(std::string method, nlohmann::json params, CallOptions options,
                   Completion<nlohmann::json> done);
  void launch_call_raw(std::string method, std::string params_json, CallOptions options,
                       Completion<std::string> done);
  void launch_list_tools(bool refresh, Completion<std::vector<McpTool>> done);
  void launch_call_tool(std::string name, nlohmann::json arguments, CallOptions options,
                        Completion<nlohmann::json> done);
  void launch_query_many(std::vector<std::string> session_ids,
                         Completion<std::vector<SessionMetricsResult>> done);
  void launch_receive_event(Completion<McpEvent> done);
  // protocol_error naming the tool whose payload did not convert to its model.
  static std::exception_ptr bad_payload(const std::string& tool, const std::exception& error);

  static nlohmann::json session_arguments(const std::string& session_id);
  static nlohmann::json swarm_arguments(const std::string& swarm_id);

  std::unique_ptr<detail::OwnedIoContext> owned_;  // only with the first constructor
  std::shared_ptr<mcp_detail::ClientCore> core_;
};

}  // namespace hivemind
