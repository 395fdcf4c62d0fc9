// The state behind one TelemetryStream: the reconnect loop, one connection at a
// time (subscribe or poll on it), the client-side filters and the queue to the
// consumer. Everything except the queue and the stats runs on one strand.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/async_signal.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/mcp/mcp_event.hpp"
#include "hivemind/telemetry/telemetry_stream.hpp"
#include "mcp/request_id_generator.hpp"
#include "telemetry/coalescing_queue.hpp"
#include "telemetry/poll_synthesizer.hpp"
#include "telemetry/telemetry_filter.hpp"
#include "telemetry/websocket_transport.hpp"

namespace hivemind {
class McpTelemetryClient;
}

namespace hivemind::telemetry_detail {

struct LiveConnection;

class StreamCore : public std::enable_shared_from_this<StreamCore> {
 public:
  using clock = std::chrono::steady_clock;

  // With `mcp`, polls through that client (TCP relay, port 9500) instead of
  // opening WebSocket connections.
  StreamCore(const boost::asio::any_io_executor& executor, TelemetryOptions options,
             McpTelemetryClient* mcp = nullptr);
  ~StreamCore();

  const boost::asio::any_io_executor& strand() const noexcept { return strand_; }
  const TelemetryOptions& options() const noexcept { return options_; }

  boost::asio::awaitable<void> start();
  boost::asio::awaitable<TelemetryUpdate> next();
  void set_callback(TelemetryStream::UpdateCallback callback);
  std::vector<TelemetryUpdate> drain() { return queue_.drain(); }
  // Thread-safe; final.
  void shutdown();
  TelemetryStats stats() const;

 private:
  boost::asio::awaitable<void> run();
  // Serves one connection until it ends; returns why it ended (null after stop()).
  boost::asio::awaitable<std::exception_ptr> serve(std::shared_ptr<LiveConnection> live);
  boost::asio::awaitable<void> read_loop(std::shared_ptr<LiveConnection> live);
  boost::asio::awaitable<void> subscribe(LiveConnection& live);
  boost::asio::awaitable<void> poll(LiveConnection& live);
  // One agent_list (+ swarm_status) round through `call`, whichever transport it uses.
  using ToolCaller = std::function<boost::asio::awaitable<nlohmann::json>(
      const std::string& tool, const nlohmann::json& arguments)>;
  boost::asio::awaitable<void> poll_round(const ToolCaller& call);
  clock::duration poll_period() const;
  boost::asio::awaitable<void> run_over_mcp();
  boost::asio::awaitable<nlohmann::json> request(LiveConnection& live, std::string method,
                                                 nlohmann::json params);
  boost::asio::awaitable<nlohmann::json> call_tool(LiveConnection& live, std::string name,
                                                   nlohmann::json arguments);
  boost::asio::awaitable<void> goodbye(LiveConnection& live);
  boost::asio::awaitable<void> deliver_to_callback();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);

  void mark_ready();
  // The server showed which protocol it speaks; later connections start with it.
  void settle_mode(TelemetryMode mode);
  void fail(std::exception_ptr failure);
  void deliver(TelemetryUpdate update);
  void on_rpc_event(LiveConnection& live, const McpEvent& event);
  void count_noise_line();
  static void log_server_error(const std::string& message);
  void note_relay_traffic(LiveConnection& live, const McpEvent& event);
  void record_end(const std::exception_ptr& ended, const LiveConnection& live);

  McpTelemetryClient* mcp_;  // null: WebSocket
  boost::asio::any_io_executor strand_;
  const TelemetryOptions options_;
  WsEndpoint endpoint_;
  TelemetryFilter filter_;  // on the strand
  mcp_detail::RequestIdGenerator ids_;
  CoalescingQueue queue_;
  PollSynthesizer synthesizer_;

  TelemetryMode mode_;  // resolved: automatic until the server showed what it is
  bool running_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  bool wrong_server_ = false;  // a relay met in subscribe-only mode
  std::exception_ptr failure_;
  std::shared_ptr<LiveConnection> live_;
  detail::AsyncSignal ready_signal_;
  detail::AsyncSignal consumer_signal_;
  detail::AsyncSignal pause_signal_;
  TelemetryStream::UpdateCallback callback_;

  mutable std::mutex stats_mutex_;  // stats are read from any thread
  TelemetryStats stats_;
};

}  // namespace hivemind::telemetry_detail
