// The state behind one McpTelemetryClient: the connection, its lifecycle
// (connect -> initialize -> authenticate -> ready -> closed -> reconnect), pacing,
// in-flight slots, the tools cache and event subscribers. Everything except the
// subscriber list runs on one strand, so no member needs a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "common/async_signal.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "mcp/age_limit_learner.hpp"
#include "mcp/deadline_queue.hpp"
#include "mcp/pending_call.hpp"
#include "mcp/request_id_generator.hpp"
#include "mcp/slot_pool.hpp"

namespace hivemind::mcp_detail {

using detail::AsyncSignal;
using detail::SignalResult;

struct Connection;

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  using clock = std::chrono::steady_clock;

  ClientCore(const boost::asio::any_io_executor& executor, McpOptions options,
             std::shared_ptr<RateLimiter> limiter);
  ~ClientCore();

  // The strand every coroutine of this client runs on.
  const boost::asio::any_io_executor& strand() const noexcept { return strand_; }
  const McpOptions& options() const noexcept { return options_; }

  boost::asio::awaitable<void> connect();
  boost::asio::awaitable<nlohmann::json> call(std::string method, nlohmann::json params,
                                              CallOptions call_options);
  boost::asio::awaitable<nlohmann::json> call_tool(std::string name, nlohmann::json arguments,
                                                   CallOptions call_options);
  boost::asio::awaitable<std::vector<McpTool>> list_tools(bool refresh);
  boost::asio::awaitable<McpEvent> receive_event();

  // The calls of the public API (any thread). A call finds a ready connection and goes
  // straight into a pending slot, its answer handed to `done` from the read loop, with no
  // coroutine; otherwise it waits on the slow path (connect, pace, free slot) first.
  void start_raw(CallSpec spec, Completion<std::string> done);
  void start_typed(CallSpec spec, Completion<nlohmann::json> done);
  // Cancels a call started with a cancellation slot (on the strand).
  void cancel_call(const std::shared_ptr<CallCancellation>& cancellation);

  // Thread-safe. Closing fails what is pending with `cancelled` and is final.
  void shutdown();

  // Thread-safe.
  int subscribe(McpTelemetryClient::EventCallback callback);
  void unsubscribe(int subscription);
  std::optional<McpServerInfo> server_info() const;
  std::size_t pending_requests() const noexcept { return pending_total_.load(); }
  std::optional<std::chrono::milliseconds> learned_age_limit() const noexcept {
    return age_limits_.learned();
  }

 private:
  class InFlightSlot;
  struct WaitRegistration;

  clock::time_point deadline_for(const CallOptions& call_options) const;
  boost::asio::awaitable<SignalResult> wait(AsyncSignal& signal, clock::time_point deadline);
  // Queues a signal in `line` and waits until it is set; on timeout or close it leaves the
  // line and throws (`what` names what was awaited).
  boost::asio::awaitable<void> wait_in_line(std::deque<std::shared_ptr<AsyncSignal>>& line,
                                            clock::time_point deadline, const char* what);
  boost::asio::awaitable<void> pace(clock::time_point deadline);
  boost::asio::awaitable<InFlightSlot> acquire_slot(clock::time_point deadline);
  void release_slot();

  boost::asio::awaitable<std::shared_ptr<Connection>> ensure_ready(clock::time_point deadline);
  boost::asio::awaitable<void> connect_with_retries();
  boost::asio::awaitable<void> open_connection();
  boost::asio::awaitable<void> tcp_connect(std::shared_ptr<Connection> connection);
  boost::asio::awaitable<void> handshake(std::shared_ptr<Connection> connection);
  // McpOptions::verify_auth (auth_probe.cpp).
  boost::asio::awaitable<void> probe_auth(std::shared_ptr<Connection> connection);
  void finish_connecting(std::exception_ptr failure);
  bool due_for_recycling(const Connection& connection) const;
  void retire(std::shared_ptr<Connection> connection);
  void close_if_drained(const std::shared_ptr<Connection>& connection);

  boost::asio::awaitable<nlohmann::json> request(std::shared_ptr<Connection> connection,
                                                 std::string method, nlohmann::json params,
                                                 clock::time_point deadline);
  boost::asio::awaitable<void> read_loop(std::shared_ptr<Connection> connection);
  boost::asio::awaitable<void> write_loop(std::shared_ptr<Connection> connection);
  // After a request went into the outbox: wakes the writer, unless the read loop is
  // handing out answers and writes the outbox itself when done (flush_outbox).
  void wake_writer(Connection& connection);
  void flush_outbox(Connection& connection);
  void close_connection(std::shared_ptr<Connection> connection, errc failure,
                        const std::string& reason);
  void publish(const McpEvent& event);

  // The hot path (client_calls.cpp).
  std::shared_ptr<CallCancellation> watch_cancellation(
      const boost::asio::cancellation_slot& caller_slot);
  // Moves the call onto the strand, then begin()s it there.
  void begin_on_strand(CallSpec spec, PendingCall call);
  void begin(CallSpec spec, PendingCall call);
  bool fast_path_open(const CallOptions& call_options) const;
  // Queues the request on `connection` and parks `call` in a slot until its answer.
  SlotName submit(const std::shared_ptr<Connection>& connection, const CallSpec& spec,
                  PendingCall call, clock::time_point deadline);
  boost::asio::awaitable<std::string> slow_raw(CallSpec spec, clock::time_point deadline);
  boost::asio::awaitable<nlohmann::json> slow_typed(CallSpec spec, clock::time_point deadline);
  // Waits for what the hot path takes as given, submits and waits for the answer.
  boost::asio::awaitable<void> call_slow(const CallSpec& spec, clock::time_point deadline,
                                         CallWaiter& answer);
  void on_line(const std::shared_ptr<Connection>& connection, std::string_view line);
  // Ends the call in slot `index`; `result` may point into the read buffer.
  void finish_call(std::uint32_t index, std::string_view result, std::optional<RpcErrorBody> error,
                   std::error_code failure, std::string_view reason);
  void deliver(PendingCall& call, std::string_view result, std::optional<RpcErrorBody> error,
               std::error_code failure, std::string_view reason);
  // Fails the calls sent on `connection` (every call when null).
  void fail_calls(const Connection* connection, errc failure, const std::string& reason);
  void arm_deadline_timer(clock::time_point at);
  void on_deadline_timer(clock::time_point at);
  [[noreturn]] void throw_wait_failure(SignalResult result, const std::string& what) const;

  boost::asio::any_io_executor strand_;
  McpOptions options_;
  std::shared_ptr<RateLimiter> limiter_;
  RequestIdGenerator ids_;

  std::shared_ptr<Connection> current_;
  bool connecting_ = false;
  bool connected_before_ = false;  // a later connection is a reconnect
  std::exception_ptr last_connect_failure_;
  std::deque<std::shared_ptr<AsyncSignal>> connect_waiters_;
  bool closed_ = false;

  std::size_t in_flight_ = 0;
  std::deque<std::shared_ptr<AsyncSignal>> slot_waiters_;
  std::unordered_set<AsyncSignal*> waiting_;  // interrupted by shutdown()
  std::optional<std::vector<McpTool>> tools_;
  std::deque<McpEvent> event_queue_;
  std::deque<std::shared_ptr<AsyncSignal>> event_waiters_;
  std::atomic<std::size_t> pending_total_{0};
  AgeLimitLearner age_limits_;  // the relay's closes (issue 17)

  SlotPool<PendingCall> calls_;  // requests of the hot path awaiting their answer
  DeadlineQueue deadlines_;      // their deadlines, served by one timer
  boost::asio::steady_timer deadline_timer_;
  bool deadline_timer_armed_ = false;
  clock::time_point deadline_timer_at_{};
  std::string call_id_prefix_;  // "<ids_ prefix>." ; a call's id adds "<slot>.<generation>"

  mutable std::mutex shared_mutex_;  // guards the members below, touched from any thread
  std::map<int, McpTelemetryClient::EventCallback> subscribers_;
  int next_subscription_ = 1;
  std::optional<McpServerInfo> server_info_;
};

// Keeps a request's place among the `max_in_flight`; released on destruction.
class ClientCore::InFlightSlot {
 public:
  explicit InFlightSlot(ClientCore* core) : core_(core) {}
  InFlightSlot(InFlightSlot&& other) noexcept : core_(std::exchange(other.core_, nullptr)) {}
  InFlightSlot& operator=(InFlightSlot&&) = delete;
  // release_slot() throws only if a steady_timer's cancel() fails, which Asio's timer
  // queues never report.
  // NOLINTNEXTLINE(bugprone-exception-escape)
  ~InFlightSlot() {
    if (core_) core_->release_slot();
  }

 private:
  ClientCore* core_;
};

}  // namespace hivemind::mcp_detail
