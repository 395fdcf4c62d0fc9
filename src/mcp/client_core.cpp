#include "mcp/client_core.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "hivemind/common/logging.hpp"
#include "mcp/connection.hpp"
#include "mcp/rpc_engine.hpp"
#include "mcp/rpc_result.hpp"
#include "metrics/call_timer.hpp"

namespace hivemind::mcp_detail {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr const char* kProtocolVersion = "2024-11-05";
constexpr int kMethodNotFound = -32601;

// The relay's {"error": ...} line says why it refused or closed the connection.
errc classify_relay_refusal(const std::string& text) {
  // "Forbidden" is the relay's IP block, which follows exceeding its rate limit.
  if (text == "Rate limit exceeded" || text == "Forbidden") return errc::rate_limited;
  return errc::connection_failed;
}

// Built outside the coroutines: g++ 12 rejects brace-initialised json inside them
// ("array used as initializer").
json initialize_params() {
  return {{"protocolVersion", kProtocolVersion},
          {"capabilities", json::object()},
          {"clientInfo", {{"name", "hivemind-cpp"}, {"version", "0.1.0"}}}};
}

json auth_params(const std::string& token) {
  return {{"token", token}};
}

bool worth_reconnecting(const Error& error) {
  const auto kind = error.kind();
  return kind == errc::connection_failed || kind == errc::connection_lost ||
         kind == errc::timeout || kind == errc::protocol_error;
}

}  // namespace

// Makes a waiting signal reachable for shutdown() for as long as the wait lasts.
struct ClientCore::WaitRegistration {
  WaitRegistration(ClientCore& core, AsyncSignal& signal) : core(core), signal(signal) {
    core.waiting_.insert(&signal);
  }
  ~WaitRegistration() { core.waiting_.erase(&signal); }
  WaitRegistration(const WaitRegistration&) = delete;
  WaitRegistration& operator=(const WaitRegistration&) = delete;
  ClientCore& core;
  AsyncSignal& signal;
};

ClientCore::ClientCore(const asio::any_io_executor& executor, McpOptions options,
                       std::shared_ptr<RateLimiter> limiter)
    : strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      limiter_(limiter ? std::move(limiter) : std::make_shared<RateLimiter>(options_.rate_limit)),
      deadline_timer_(strand_),
      call_id_prefix_(ids_.prefix() + ".") {
  if (options_.max_in_flight == 0 || options_.max_line_size == 0) {
    throw Error(errc::invalid_argument, "McpOptions: max_in_flight and max_line_size must be > 0");
  }
}

ClientCore::~ClientCore() = default;

ClientCore::clock::time_point ClientCore::deadline_for(const CallOptions& call_options) const {
  const auto budget =
      call_options.deadline.count() > 0 ? call_options.deadline : options_.request_deadline;
  return clock::now() + budget;
}

asio::awaitable<SignalResult> ClientCore::wait(AsyncSignal& signal, clock::time_point deadline) {
  if (closed_) co_return SignalResult::cancelled;
  WaitRegistration registration(*this, signal);
  co_return co_await signal.wait_until(deadline);
}

void ClientCore::throw_wait_failure(SignalResult result, const std::string& what) const {
  if (result == SignalResult::deadline) throw Error(errc::timeout, what + ": deadline expired");
  throw Error(errc::cancelled, what + (closed_ ? ": client closed" : ": cancelled"));
}

asio::awaitable<void> ClientCore::pace(clock::time_point deadline) {
  const auto now = clock::now();
  const auto allowed_at = limiter_->reserve(now);
  if (allowed_at <= now) co_return;
  AsyncSignal pause(strand_);
  const SignalResult result = co_await wait(pause, std::min(allowed_at, deadline));
  if (result == SignalResult::cancelled || allowed_at > deadline) {
    throw_wait_failure(result, "waiting for the client-side rate limit");
  }
}

asio::awaitable<void> ClientCore::wait_in_line(std::deque<std::shared_ptr<AsyncSignal>>& line,
                                               clock::time_point deadline, const char* what) {
  auto waiter = std::make_shared<AsyncSignal>(strand_);
  line.push_back(waiter);
  const SignalResult result = co_await wait(*waiter, deadline);
  if (result != SignalResult::signalled) {
    std::erase(line, waiter);
    throw_wait_failure(result, what);
  }
}

asio::awaitable<ClientCore::InFlightSlot> ClientCore::acquire_slot(clock::time_point deadline) {
  while (in_flight_ >= options_.max_in_flight) {
    co_await wait_in_line(slot_waiters_, deadline, "waiting for a free in-flight slot");
  }
  ++in_flight_;
  co_return InFlightSlot(this);
}

void ClientCore::release_slot() {
  --in_flight_;
  if (!slot_waiters_.empty()) {
    slot_waiters_.front()->set();
    slot_waiters_.pop_front();
  }
}

asio::awaitable<void> ClientCore::connect() {
  co_await ensure_ready(clock::now() + options_.request_deadline);
}

asio::awaitable<std::shared_ptr<Connection>> ClientCore::ensure_ready(clock::time_point deadline) {
  for (;;) {
    if (closed_) throw Error(errc::cancelled, "MCP client closed");
    if (current_ && current_->ready) {
      if (!due_for_recycling(*current_)) co_return current_;
      retire(current_);
    }
    if (!connecting_) {
      connecting_ = true;
      asio::co_spawn(strand_, connect_with_retries(),
                     [self = shared_from_this()](std::exception_ptr failure) {
                       self->finish_connecting(std::move(failure));
                     });
    }
    co_await wait_in_line(connect_waiters_, deadline, "connecting to the MCP relay");
    if (!(current_ && current_->ready) && last_connect_failure_) {
      std::rethrow_exception(last_connect_failure_);
    }
  }
}

bool ClientCore::due_for_recycling(const Connection& connection) const {
  return connection.used &&
         age_limits_.due(clock::now() - connection.opened_at, options_.recycle_after);
}

void ClientCore::retire(std::shared_ptr<Connection> connection) {
  logger()->info("mcp: recycling a connection before the relay's age limit closes it");
  connection->ready = false;
  connection->draining = true;
  if (current_ == connection) current_.reset();
  close_if_drained(connection);
}

void ClientCore::close_if_drained(const std::shared_ptr<Connection>& connection) {
  if (connection->draining && connection->engine.pending_count() == 0 &&
      connection->pending_calls == 0) {
    close_connection(connection, errc::connection_lost, "connection recycled");
  }
}

void ClientCore::finish_connecting(std::exception_ptr failure) {
  connecting_ = false;
  last_connect_failure_ = std::move(failure);
  for (auto& waiter : std::exchange(connect_waiters_, {})) waiter->set();
}

asio::awaitable<void> ClientCore::connect_with_retries() {
  const int attempts = std::max(options_.reconnect.max_attempts, 1);
  for (int attempt = 1;; ++attempt) {
    try {
      co_await open_connection();
      if (std::exchange(connected_before_, true) && options_.metrics) {
        options_.metrics->on_mcp_reconnect();
      }
      co_return;
    } catch (const Error& error) {
      if (closed_ || attempt >= attempts || !worth_reconnecting(error)) throw;
      logger()->warn("mcp: connecting to {}:{} failed (attempt {}/{}): {}", options_.host,
                     options_.port, attempt, attempts, error.what());
    }
    AsyncSignal backoff(strand_);
    const auto delay = backoff_delay(options_.reconnect, attempt);
    if (co_await wait(backoff, clock::now() + delay) == SignalResult::cancelled) {
      throw Error(errc::cancelled, "MCP client closed while reconnecting");
    }
  }
}

asio::awaitable<void> ClientCore::open_connection() {
  co_await pace(clock::now() + options_.connect_deadline);  // the relay counts connections too
  auto connection = std::make_shared<Connection>(strand_, options_.max_line_size, ids_,
                                                 [this](const McpEvent& event) { publish(event); });
  co_await tcp_connect(connection);
  if (closed_) throw Error(errc::cancelled, "MCP client closed while connecting");
  asio::co_spawn(strand_, read_loop(connection), asio::detached);
  asio::co_spawn(strand_, write_loop(connection), asio::detached);
  std::exception_ptr failure;
  try {
    co_await handshake(connection);
    co_await probe_auth(connection);
  } catch (const Error&) {
    failure = std::current_exception();
    // The relay writes its reason ({"error": "..."}) before closing on us.
    if (const auto& refusal = connection->engine.relay_error()) {
      failure = std::make_exception_ptr(
          Error(classify_relay_refusal(*refusal), "MCP relay refused the connection: " + *refusal));
    }
  }
  if (failure) {
    close_connection(connection, errc::connection_lost, "handshake failed");
    std::rethrow_exception(failure);
  }
  connection->ready = true;
  current_ = connection;
  logger()->info("mcp: connected to {}:{}", options_.host, options_.port);
}

asio::awaitable<void> ClientCore::tcp_connect(std::shared_ptr<Connection> connection) {
  // The watchdog closes the socket at the deadline, which ends the resolve or
  // connect in progress; `expired` tells that apart from a refusal. It is shared
  // with the timer's handler, which may run after this coroutine moved on.
  struct Watchdog {
    explicit Watchdog(const asio::any_io_executor& executor)
        : timer(executor), resolver(executor) {}
    asio::steady_timer timer;
    tcp::resolver resolver;
    bool expired = false;
    bool finished = false;
  };
  auto watchdog = std::make_shared<Watchdog>(strand_);
  watchdog->timer.expires_after(options_.connect_deadline);
  watchdog->timer.async_wait([watchdog, connection](boost::system::error_code ec) {
    if (ec || watchdog->finished) return;
    watchdog->expired = true;
    watchdog->resolver.cancel();
    boost::system::error_code ignored;
    connection->socket.close(ignored);
  });
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  auto [resolve_error, endpoints] = co_await watchdog->resolver.async_resolve(
      options_.host, std::to_string(options_.port), asio::as_tuple(asio::use_awaitable));
  boost::system::error_code connect_error = resolve_error;
  if (!resolve_error) {
    std::tie(connect_error, std::ignore) = co_await asio::async_connect(
        connection->socket, endpoints, asio::as_tuple(asio::use_awaitable));
  }
  watchdog->finished = true;
  watchdog->timer.cancel();
  if (watchdog->expired)
    throw Error(errc::timeout, "connecting to " + where + ": deadline expired");
  if (connect_error) {
    throw Error(errc::connection_failed, "connecting to " + where + ": " + connect_error.message());
  }
  connection->socket.set_option(tcp::no_delay(true));
  connection->socket.non_blocking(true);  // flush_outbox writes what the socket takes now
}

asio::awaitable<void> ClientCore::handshake(std::shared_ptr<Connection> connection) {
  const auto deadline = clock::now() + options_.connect_deadline;
  if (options_.send_initialize) {
    co_await pace(deadline);
    const json result = co_await request(connection, "initialize", initialize_params(), deadline);
    std::lock_guard lock(shared_mutex_);
    server_info_ = result.get<McpServerInfo>();
  }
  if (!options_.token.empty()) {
    // The params carry the token: nothing on this path logs requests.
    co_await pace(deadline);
    json result;
    try {
      result = co_await request(connection, "authenticate", auth_params(options_.token), deadline);
    } catch (const Error& error) {
      // A relay without auth forwards `authenticate` to the backend: -32601.
      if (error.context().rpc_code != kMethodNotFound) throw;
      logger()->info("mcp: the relay does not use authentication; continuing without");
      co_return;
    }
    if (!result.is_object() || !result.value("authenticated", false)) {
      throw Error(errc::auth_failed, "authenticate: the relay did not confirm authentication");
    }
  }
}

asio::awaitable<json> ClientCore::request(std::shared_ptr<Connection> connection,
                                          std::string method, json params,
                                          clock::time_point deadline) {
  if (!connection->open) {
    throw Error(errc::connection_lost, method + ": connection closed before sending");
  }
  struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : done(executor) {}
    AsyncSignal done;
    RpcOutcome outcome;
  };
  auto pending = std::make_shared<Pending>(strand_);
  auto started = connection->engine.start_request(method, params, [pending](RpcOutcome outcome) {
    pending->outcome = std::move(outcome);
    pending->done.set();
  });
  connection->outbox.append(started.line);
  wake_writer(*connection);
  ++pending_total_;
  const SignalResult result = co_await wait(pending->done, deadline);
  --pending_total_;
  if (result != SignalResult::signalled) {
    connection->engine.forget(started.id);
    close_if_drained(connection);
    throw_wait_failure(result, method);
  }
  co_return take_result(std::move(pending->outcome), method);
}

asio::awaitable<void> ClientCore::read_loop(std::shared_ptr<Connection> connection) {
  std::vector<char> buffer(kReadChunk);
  const detail::LineFramer::LineHandler on_line = [this, &connection](std::string_view line) {
    this->on_line(connection, line);
  };
  while (connection->open) {
    const auto [error, size] = co_await connection->socket.async_read_some(
        asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (error) {
      const auto& refusal = connection->engine.relay_error();
      // Closed by the relay, unannounced (our own closes set `open` first).
      if (connection->open && !refusal) {
        age_limits_.on_relay_close(clock::now() - connection->opened_at, options_.connect_deadline);
      }
      close_connection(connection, errc::connection_lost,
                       refusal ? "relay closed the connection: " + *refusal
                               : "connection closed: " + error.message());
      co_return;
    }
    connection->handing_out = true;
    const bool framed = connection->framer.feed(std::string_view(buffer.data(), size), on_line);
    connection->handing_out = false;
    if (!framed) {
      close_connection(connection, errc::protocol_error,
                       "a line from the relay exceeds max_line_size (" +
                           std::to_string(options_.max_line_size) + " bytes)");
      co_return;
    }
    flush_outbox(*connection);
    close_if_drained(connection);
  }
}

asio::awaitable<void> ClientCore::write_loop(std::shared_ptr<Connection> connection) {
  std::string batch;
  while (connection->open) {
    if (connection->outbox.empty()) {
      connection->outbox_ready.reset();
      co_await connection->outbox_ready.wait_until(clock::time_point::max());
      continue;
    }
    // Everything queued goes out in one write: pipelining for free.
    batch.swap(connection->outbox);
    connection->writing = true;
    const auto [error, size] = co_await asio::async_write(connection->socket, asio::buffer(batch),
                                                          asio::as_tuple(asio::use_awaitable));
    connection->writing = false;
    batch.clear();
    if (error) {
      close_connection(connection, errc::connection_lost, "write failed: " + error.message());
      co_return;
    }
  }
}

void ClientCore::wake_writer(Connection& connection) {
  if (!connection.handing_out && !connection.outbox_ready.is_set()) connection.outbox_ready.set();
}

// The answers of one read usually queue the next requests (a window kept full, callers
// that chain calls): they go out in one write here, as the read ends, with no hop to the
// writer. What the socket does not take now, and any failure, is the writer's.
void ClientCore::flush_outbox(Connection& connection) {
  if (!connection.open || connection.outbox.empty()) return;
  if (!connection.writing) {
    boost::system::error_code error;
    const std::size_t written =
        connection.socket.write_some(asio::buffer(connection.outbox), error);
    if (!error) connection.outbox.erase(0, written);
    if (connection.outbox.empty()) return;
  }
  wake_writer(connection);
}

void ClientCore::close_connection(std::shared_ptr<Connection> connection, errc failure,
                                  const std::string& reason) {
  if (!connection->open) return;
  connection->open = false;
  connection->ready = false;
  boost::system::error_code ignored;
  connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
  connection->socket.close(ignored);
  connection->outbox_ready.set();
  if (current_ == connection) current_.reset();
  if (const std::size_t in_flight = connection->engine.pending_count() + connection->pending_calls;
      in_flight > 0) {
    logger()->warn("mcp: {}; {} request(s) in flight fail", reason, in_flight);
  } else {
    logger()->info("mcp: {}", reason);
  }
  connection->engine.fail_all(make_error_code(failure), reason);
  fail_calls(connection.get(), failure, reason);
  McpEvent event;
  event.kind = McpEvent::Kind::disconnected;
  event.message = reason;
  publish(event);
}

void ClientCore::shutdown() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    if (self->current_) self->close_connection(self->current_, errc::cancelled, "client closed");
    // Calls still waiting on recycled connections.
    self->fail_calls(nullptr, errc::cancelled, "client closed");
    self->deadline_timer_armed_ = false;
    self->deadline_timer_.cancel();
    for (AsyncSignal* signal : self->waiting_) signal->interrupt();
  });
}

void ClientCore::publish(const McpEvent& event) {
  if (options_.event_queue_size > 0) {
    if (event_queue_.size() == options_.event_queue_size) event_queue_.pop_front();
    event_queue_.push_back(event);
    if (!event_waiters_.empty()) {
      event_waiters_.front()->set();
      event_waiters_.pop_front();
    }
  }
  std::vector<McpTelemetryClient::EventCallback> callbacks;
  {
    std::lock_guard lock(shared_mutex_);
    for (const auto& [id, callback] : subscribers_) callbacks.push_back(callback);
  }
  for (const auto& callback : callbacks) {
    try {
      callback(event);
    } catch (const std::exception& error) {
      logger()->error("mcp: event subscriber threw: {}", error.what());
    }
  }
}

asio::awaitable<McpEvent> ClientCore::receive_event() {
  if (options_.event_queue_size == 0) {
    throw Error(errc::invalid_argument, "receive_event: McpOptions::event_queue_size is 0");
  }
  while (event_queue_.empty()) {
    auto waiter = std::make_shared<AsyncSignal>(strand_);
    event_waiters_.push_back(waiter);
    const SignalResult result = co_await wait(*waiter, clock::time_point::max());
    if (result != SignalResult::signalled) {
      std::erase(event_waiters_, waiter);
      throw_wait_failure(result, "waiting for an MCP event");
    }
  }
  McpEvent event = std::move(event_queue_.front());
  event_queue_.pop_front();
  co_return event;
}

int ClientCore::subscribe(McpTelemetryClient::EventCallback callback) {
  std::lock_guard lock(shared_mutex_);
  const int id = next_subscription_++;
  subscribers_.emplace(id, std::move(callback));
  return id;
}

void ClientCore::unsubscribe(int subscription) {
  std::lock_guard lock(shared_mutex_);
  subscribers_.erase(subscription);
}

std::optional<McpServerInfo> ClientCore::server_info() const {
  std::lock_guard lock(shared_mutex_);
  return server_info_;
}

asio::awaitable<std::vector<McpTool>> ClientCore::list_tools(bool refresh) {
  if (tools_ && !refresh) co_return *tools_;
  const json result = co_await call("tools/list", json::object(), CallOptions{{}, true});
  std::vector<McpTool> tools;
  if (const auto list = result.find("tools"); list != result.end() && list->is_array()) {
    tools = list->get<std::vector<McpTool>>();
  }
  tools_ = tools;
  co_return tools;
}

}  // namespace hivemind::mcp_detail
