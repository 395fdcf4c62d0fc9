#include "hivemind/mcp/mcp_client.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include "common/owned_io_context.hpp"
#include "common/typed_cancellation.hpp"
#include "mcp/client_core.hpp"

namespace hivemind {

namespace asio = boost::asio;
using nlohmann::json;

namespace mcp_detail {
namespace {

std::exception_ptr unexpected_payload(const std::string& tool, const std::exception& error) {
  return std::make_exception_ptr(
      Error(errc::protocol_error, "tool " + tool + ": unexpected payload: " + error.what()));
}

asio::awaitable<void> connect(std::shared_ptr<ClientCore> core) {
  co_await core->connect();
}

asio::awaitable<std::vector<McpTool>> list_tools(std::shared_ptr<ClientCore> core, bool refresh) {
  co_return co_await core->list_tools(refresh);
}

asio::awaitable<McpEvent> receive_event(std::shared_ptr<ClientCore> core) {
  co_return co_await core->receive_event();
}

template <class Model>
asio::awaitable<Model> call_tool_as(std::shared_ptr<ClientCore> core, std::string name,
                                    json arguments, CallOptions options) {
  const json payload = co_await core->call_tool(name, std::move(arguments), options);
  try {
    co_return payload.get<Model>();
  } catch (const json::exception& error) {
    std::rethrow_exception(unexpected_payload(name, error));
  }
}

asio::awaitable<std::vector<SessionMetricsResult>> query_many(
    std::shared_ptr<ClientCore> core, std::vector<std::string> session_ids) {
  const auto executor = core->strand();
  std::vector<SessionMetricsResult> results(session_ids.size());
  // One cancellation signal per query, so cancelling query_many cancels them all.
  std::vector<asio::cancellation_signal> cancel_signals(session_ids.size());
  std::size_t remaining = session_ids.size();
  AsyncSignal all_done(executor);
  for (std::size_t i = 0; i < session_ids.size(); ++i) {
    results[i].session_id = session_ids[i];
    json arguments = json::object();
    arguments["session_id"] = session_ids[i];
    asio::co_spawn(
        executor,
        call_tool_as<SessionMetrics>(core, "session_metrics", std::move(arguments), CallOptions{}),
        asio::bind_cancellation_slot(
            cancel_signals[i].slot(),
            [&results, &remaining, &all_done, i](std::exception_ptr error, SessionMetrics metrics) {
              if (error) {
                results[i].error = std::move(error);
              } else {
                results[i].metrics = std::move(metrics);
              }
              if (--remaining == 0) all_done.set();
            }));
  }
  if (remaining == 0) co_return results;
  if (co_await all_done.wait_until(AsyncSignal::clock::time_point::max()) ==
      SignalResult::signalled) {
    co_return results;
  }
  // Cancelled: cancel every query, then wait for all of them, since their
  // handlers reference this frame.
  for (auto& signal : cancel_signals) signal.emit(asio::cancellation_type::terminal);
  co_await asio::this_coro::reset_cancellation_state();
  co_await all_done.wait_until(AsyncSignal::clock::time_point::max());
  throw Error(errc::cancelled, "query_many: cancelled");
}

}  // namespace
}  // namespace mcp_detail

std::exception_ptr McpTelemetryClient::bad_payload(const std::string& tool,
                                                   const std::exception& error) {
  return mcp_detail::unexpected_payload(tool, error);
}

void McpTelemetryClient::launch_connect(Completion<void> done) {
  detail::co_spawn_typed(get_executor(), mcp_detail::connect(core_), std::move(done));
}
void McpTelemetryClient::launch_call(std::string method, json params, CallOptions options,
                                     Completion<json> done) {
  mcp_detail::CallSpec spec;
  spec.answer = mcp_detail::CallSpec::Answer::json;
  spec.method = std::move(method);
  spec.params = std::move(params);
  spec.options = options;
  core_->start_typed(std::move(spec), std::move(done));
}
void McpTelemetryClient::launch_call_raw(std::string method, std::string params_json,
                                         CallOptions options, Completion<std::string> done) {
  mcp_detail::CallSpec spec;
  spec.answer = mcp_detail::CallSpec::Answer::raw;
  spec.method = std::move(method);
  spec.params_text = std::move(params_json);
  spec.options = options;
  core_->start_raw(std::move(spec), std::move(done));
}
void McpTelemetryClient::launch_list_tools(bool refresh, Completion<std::vector<McpTool>> done) {
  detail::co_spawn_typed(get_executor(), mcp_detail::list_tools(core_, refresh), std::move(done));
}
void McpTelemetryClient::launch_call_tool(std::string name, json arguments, CallOptions options,
                                          Completion<json> done) {
  mcp_detail::CallSpec spec;
  spec.answer = mcp_detail::CallSpec::Answer::tool_payload;
  spec.method = "tools/call";
  spec.tool = std::move(name);
  spec.params = std::move(arguments);
  spec.options = options;
  core_->start_typed(std::move(spec), std::move(done));
}
void McpTelemetryClient::launch_query_many(std::vector<std::string> session_ids,
                                           Completion<std::vector<SessionMetricsResult>> done) {
  detail::co_spawn_typed(get_executor(), mcp_detail::query_many(core_, std::move(session_ids)),
                         std::move(done));
}
void McpTelemetryClient::launch_receive_event(Completion<McpEvent> done) {
  detail::co_spawn_typed(get_executor(), mcp_detail::receive_event(core_), std::move(done));
}

McpTelemetryClient::McpTelemetryClient(McpOptions options)
    : owned_(std::make_unique<detail::OwnedIoContext>()),
      core_(std::make_shared<mcp_detail::ClientCore>(owned_->context.get_executor(),
                                                     std::move(options), nullptr)) {}

McpTelemetryClient::McpTelemetryClient(const executor_type& executor, McpOptions options)
    : McpTelemetryClient(executor, std::move(options), nullptr) {}

McpTelemetryClient::McpTelemetryClient(const executor_type& executor, McpOptions options,
                                       std::shared_ptr<RateLimiter> shared_limiter)
    : core_(std::make_shared<mcp_detail::ClientCore>(executor, std::move(options),
                                                     std::move(shared_limiter))) {}

McpTelemetryClient::~McpTelemetryClient() {
  core_->shutdown();
  // The core holds a strand of the owned io_context: let go of it before the context dies
  // (handlers still holding the core release it during the context's shutdown, while the
  // strand service is still there).
  core_.reset();
  owned_.reset();
}

McpTelemetryClient::executor_type McpTelemetryClient::get_executor() const noexcept {
  return core_->strand();
}

const McpOptions& McpTelemetryClient::options() const noexcept {
  return core_->options();
}

void McpTelemetryClient::connect() {
  async_connect(asio::use_future).get();
}

void McpTelemetryClient::close() {
  core_->shutdown();
}

json McpTelemetryClient::call(const std::string& method, const json& params,
                              const CallOptions& options) {
  return async_call(method, params, options, asio::use_future).get();
}

std::string McpTelemetryClient::call_raw(const std::string& method, std::string_view params_json,
                                         const CallOptions& options) {
  return async_call_raw(method, std::string(params_json), options, asio::use_future).get();
}

std::vector<McpTool> McpTelemetryClient::list_tools(bool refresh) {
  return async_list_tools(refresh, asio::use_future).get();
}

json McpTelemetryClient::call_tool(const std::string& name, const json& arguments,
                                   const CallOptions& options) {
  return async_call_tool(name, arguments, options, asio::use_future).get();
}

SessionMetrics McpTelemetryClient::query_session_metrics(const std::string& session_id) {
  return async_query_session_metrics(session_id, asio::use_future).get();
}

SessionStatusReport McpTelemetryClient::session_status(const std::string& session_id) {
  return async_session_status(session_id, asio::use_future).get();
}

SessionAgents McpTelemetryClient::session_agents(const std::string& session_id) {
  return async_session_agents(session_id, asio::use_future).get();
}

SwarmList McpTelemetryClient::swarm_list() {
  return async_swarm_list(asio::use_future).get();
}

json McpTelemetryClient::swarm_monitor(const json& arguments) {
  return call_tool("swarm_monitor", arguments);
}

json McpTelemetryClient::agent_metrics(const json& arguments) {
  return call_tool("agent_metrics", arguments);
}

json McpTelemetryClient::performance_summary(const json& arguments) {
  return call_tool("performance_summary", arguments);
}

std::vector<SessionMetricsResult> McpTelemetryClient::query_many(
    const std::vector<std::string>& session_ids) {
  return async_query_many(session_ids, asio::use_future).get();
}

SwarmInitResult McpTelemetryClient::swarm_init(const SwarmInitRequest& request) {
  return async_swarm_init(request, asio::use_future).get();
}

AgentInfo McpTelemetryClient::agent_spawn(const AgentSpawnRequest& request) {
  return async_agent_spawn(request, asio::use_future).get();
}

AgentList McpTelemetryClient::agent_list(const std::string& swarm_id) {
  return async_agent_list(swarm_id, asio::use_future).get();
}

SwarmStatus McpTelemetryClient::swarm_status(const std::string& swarm_id) {
  return async_swarm_status(swarm_id, asio::use_future).get();
}

TaskInfo McpTelemetryClient::task_orchestrate(const TaskOrchestrateRequest& request) {
  return async_task_orchestrate(request, asio::use_future).get();
}

TaskInfo McpTelemetryClient::task_status(const std::string& task_id) {
  json arguments = json::object();
  if (!task_id.empty()) arguments["taskId"] = task_id;
  return async_call_tool_as<TaskInfo>("task_status", std::move(arguments), {}, asio::use_future)
      .get();
}

json McpTelemetryClient::memory_usage(const json& arguments) {
  return call_tool("memory_usage", arguments);
}

int McpTelemetryClient::subscribe(EventCallback callback) {
  return core_->subscribe(std::move(callback));
}

void McpTelemetryClient::unsubscribe(int subscription) {
  core_->unsubscribe(subscription);
}

McpEvent McpTelemetryClient::receive_event() {
  return async_receive_event(asio::use_future).get();
}

std::optional<McpServerInfo> McpTelemetryClient::server_info() const {
  return core_->server_info();
}

std::size_t McpTelemetryClient::pending_requests() const noexcept {
  return core_->pending_requests();
}

std::optional<std::chrono::milliseconds> McpTelemetryClient::learned_age_limit() const noexcept {
  return core_->learned_age_limit();
}

json McpTelemetryClient::session_arguments(const std::string& session_id) {
  return json{{"session_id", session_id}};
}

json McpTelemetryClient::swarm_arguments(const std::string& swarm_id) {
  json arguments = json::object();
  if (!swarm_id.empty()) arguments["swarmId"] = swarm_id;
  return arguments;
}

}  // namespace hivemind
