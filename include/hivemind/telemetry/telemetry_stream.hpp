// TelemetryStream: live agent telemetry from port 3002 for visualisers.
//
// Serves both servers the container may run there (contract §3): the documented
// telemetry stream (`subscribe`, then `telemetry_update` messages) and the
// deployed MCP JSON-RPC relay (poll `agent_list` / `swarm_status`, synthesise
// updates). TelemetryMode::automatic subscribes and switches to polling on the
// same connection when the server answers like a relay. Either way the
// application receives one kind of value, TelemetryUpdate, filtered the same way.
//
// Updates go through a bounded queue that coalesces per agent when the consumer
// falls behind (see TelemetryQueueLimits). Consume them with one of:
//   - on_update(callback): called on the stream's strand for every update;
//   - next() / async_next(token): the oldest queued update, waiting for one;
//   - drain(): everything queued since the last call, never waiting (render loops).
// Only one next()/async_next() may wait at a time.
//
// The stream reconnects with backoff and re-subscribes (poll mode: re-initializes)
// after the server closes the connection, e.g. at its ~5-minute age limit (1001).
// Thread-safe; synchronous forms block the calling thread, so never call them
// from the thread running the executor the stream was given.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/telemetry/telemetry_models.hpp"
#include "hivemind/telemetry/telemetry_options.hpp"

namespace hivemind {

struct TelemetryStats {
  // automatic until the first connection showed which server it is.
  TelemetryMode active_mode = TelemetryMode::automatic;
  std::uint64_t connections = 0;  // connections established
  std::uint64_t reconnects = 0;   // connections established after the first
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_received = 0;  // WebSocket messages
  std::uint64_t lines = 0;
  std::uint64_t noise_lines = 0;       // plain log text between the JSON lines, skipped
  std::uint64_t updates_received = 0;  // decoded (subscribe) or synthesised (poll)
  std::uint64_t agent_updates_received = 0;
  std::uint64_t filtered_out = 0;      // updates left empty by the client-side filters
  std::uint64_t polls = 0;             // poll rounds completed
  std::optional<int> last_close_code;  // the last close code the server sent
  std::string last_close_reason;
  std::optional<int> last_http_status;  // the status of the last refused handshake (401, 503 ...)
  std::string last_error;               // why the last connection ended
  TelemetryQueueCounters queue;
};

class McpTelemetryClient;
namespace detail {
struct OwnedIoContext;
}
namespace telemetry_detail {
class StreamCore;
}  // namespace telemetry_detail

class TelemetryStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using UpdateCallback = std::function<void(TelemetryUpdate)>;

  // Owns an io_context and one background thread.
  explicit TelemetryStream(TelemetryOptions options = {});
  // Runs on the caller's executor (wrapped in a strand).
  TelemetryStream(const executor_type& executor, TelemetryOptions options = {});
  // Poll mode through an MCP client (the TCP relay, port 9500) on the client's
  // executor; the client reconnects by itself and must outlive the stream.
  // options.host/port/token/mode/reconnect do not apply.
  TelemetryStream(McpTelemetryClient& client, TelemetryOptions options = {});
  // Stops the stream (unsubscribes and closes when connected).
  ~TelemetryStream();

  TelemetryStream(const TelemetryStream&) = delete;
  TelemetryStream& operator=(const TelemetryStream&) = delete;

  executor_type get_executor() const noexcept;
  const TelemetryOptions& options() const noexcept;

  // Delivers every update to `callback` on the stream's strand instead of queueing
  // it for next()/drain() (the queue still absorbs bursts). Set it before start().
  void on_update(UpdateCallback callback);

  // Connects and subscribes (poll mode: initializes). Returns once the first
  // connection is ready; the stream then runs until stop(). Throws auth_failed
  // (HTTP 401/403), connection_failed (other refusals, unreachable), timeout, or
  // protocol_error when a subscribe-mode server turns out to be a relay. A refused
  // handshake's status is in the message, in the error's context().http_status and
  // in stats().last_http_status.
  void start();
  template <class Token>
  auto async_start(Token&& token) {
    return async_complete<void>(std::forward<Token>(token),
                                [this](Completion<void> done) { launch_start(std::move(done)); });
  }

  // Final: unsubscribes, closes, and fails waiting next() calls with errc::cancelled.
  void stop();

  // The oldest queued update, waiting for one. Throws the error that ended the
  // stream (reconnect attempts exhausted, auth_failed) once the queue is empty,
  // or errc::cancelled after stop().
  TelemetryUpdate next();
  template <class Token>
  auto async_next(Token&& token) {
    return async_complete<TelemetryUpdate>(
        std::forward<Token>(token),
        [this](Completion<TelemetryUpdate> done) { launch_next(std::move(done)); });
  }

  // Everything queued since the last call, oldest first; never waits.
  std::vector<TelemetryUpdate> drain();

  TelemetryStats stats() const;

 private:
  // The asynchronous operations, compiled into the library (async_complete).
  void launch_start(Completion<void> done);
  void launch_next(Completion<TelemetryUpdate> done);

  std::unique_ptr<detail::OwnedIoContext> owned_;  // only with the first constructor
  std::shared_ptr<telemetry_detail::StreamCore> core_;
};

}  // namespace hivemind
