#include "telemetry/stream_core.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/common/logging.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "hivemind/mcp/mcp_models.hpp"
#include "mcp/rpc_engine.hpp"
#include "mcp/rpc_result.hpp"
#include "telemetry/telemetry_decoder.hpp"

namespace hivemind::telemetry_detail {

namespace asio = boost::asio;
using detail::AsyncSignal;
using detail::SignalResult;
using nlohmann::json;

namespace {

constexpr auto forever = std::chrono::steady_clock::time_point::max();
constexpr int method_not_found = -32601;

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, ".%03dZ", static_cast<int>(millis));
  return std::string(text, length) + suffix;
}

std::optional<errc> kind_of(const std::exception_ptr& failure) {
  if (!failure) return std::nullopt;
  try {
    std::rethrow_exception(failure);
  } catch (const Error& error) {
    return error.kind();
  } catch (...) {
    return std::nullopt;
  }
}

std::string what_of(const std::exception_ptr& failure) {
  if (!failure) return {};
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

// One WebSocket connection and what runs on it.
struct LiveConnection {
  LiveConnection(std::shared_ptr<WsConnection> connection, const asio::any_io_executor& strand,
                 std::size_t max_line_size, mcp_detail::RequestIdGenerator& ids,
                 std::function<void(LiveConnection&, const McpEvent&)> on_event,
                 TelemetryDecoder::UpdateHandler on_update)
      : ws(std::move(connection)),
        engine(max_line_size, ids,
               [this, on_event = std::move(on_event)](const McpEvent& event) {
                 on_event(*this, event);
               }),
        decoder(max_line_size, std::move(on_update),
                [this](std::string_view line) { engine.receive_line(line); }),
        wake(strand) {}

  std::shared_ptr<WsConnection> ws;
  mcp_detail::RpcEngine engine;
  TelemetryDecoder decoder;
  AsyncSignal wake;  // the read loop ended, the server showed it is a relay, or stop()
  bool ready = false;
  bool ended = false;
  bool relay_detected = false;
  std::string relay_evidence;
  std::exception_ptr end_reason;
};

StreamCore::StreamCore(const asio::any_io_executor& executor, TelemetryOptions options,
                       McpTelemetryClient* mcp)
    : mcp_(mcp),
      strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      endpoint_{options_.host,
                options_.port,
                options_.path.empty() ? "/" : options_.path,
                options_.token,
                options_.connect_deadline,
                options_.read_deadline,
                options_.keep_alive_pings,
                options_.max_message_size},
      filter_({options_.session_id, options_.swarm_id, options_.filters}),
      queue_(options_.queue),
      mode_(options_.mode),
      ready_signal_(strand_),
      consumer_signal_(strand_),
      pause_signal_(strand_) {
  stats_.active_mode = mode_;
}

StreamCore::~StreamCore() = default;

void StreamCore::set_callback(TelemetryStream::UpdateCallback callback) {
  asio::post(strand_, [self = shared_from_this(), callback = std::move(callback)]() mutable {
    self->callback_ = std::move(callback);
  });
}

asio::awaitable<void> StreamCore::start() {
  if (!running_ && !stopping_) {
    running_ = true;
    // The spawned coroutines own a reference: they may outlive the stream object.
    asio::co_spawn(
        strand_,
        [self = shared_from_this()] { return self->mcp_ ? self->run_over_mcp() : self->run(); },
        asio::detached);
    if (callback_) {
      asio::co_spawn(
          strand_, [self = shared_from_this()] { return self->deliver_to_callback(); },
          asio::detached);
    }
  }
  for (;;) {
    if (ready_) co_return;
    if (failure_) std::rethrow_exception(failure_);
    if (stopping_) throw Error(errc::cancelled, "telemetry stream stopped");
    ready_signal_.reset();
    if (co_await ready_signal_.wait_until(forever) == SignalResult::cancelled && !stopping_) {
      throw Error(errc::cancelled, "telemetry start cancelled");
    }
  }
}

asio::awaitable<TelemetryUpdate> StreamCore::next() {
  for (;;) {
    // After stop() what is still queued is for drain(), not for a consumer loop.
    if (stopping_) throw Error(errc::cancelled, "telemetry stream stopped");
    if (auto update = queue_.pop()) co_return std::move(*update);
    if (failure_) std::rethrow_exception(failure_);
    consumer_signal_.reset();
    if (co_await consumer_signal_.wait_until(forever) == SignalResult::cancelled && !stopping_) {
      throw Error(errc::cancelled, "telemetry next cancelled");
    }
  }
}

asio::awaitable<void> StreamCore::deliver_to_callback() {
  for (;;) {
    while (auto update = queue_.pop()) callback_(std::move(*update));
    if (failure_ || stopping_) co_return;
    consumer_signal_.reset();
    co_await consumer_signal_.wait_until(forever);
  }
}

void StreamCore::shutdown() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopping_) return;
    self->stopping_ = true;
    self->ready_signal_.interrupt();
    self->consumer_signal_.interrupt();
    self->pause_signal_.interrupt();
    if (self->live_) {
      self->live_->engine.fail_all(make_error_code(errc::cancelled), "telemetry stream stopped");
      self->live_->wake.set();
    }
  });
}

TelemetryStats StreamCore::stats() const {
  std::lock_guard lock(stats_mutex_);
  TelemetryStats copy = stats_;
  copy.queue = queue_.counters();
  return copy;
}

void StreamCore::mark_ready() {
  ready_ = true;
  ready_signal_.set();
}

void StreamCore::settle_mode(TelemetryMode mode) {
  mode_ = mode;
  std::lock_guard lock(stats_mutex_);
  stats_.active_mode = mode;
}

void StreamCore::fail(std::exception_ptr failure) {
  failure_ = std::move(failure);
  logger()->error("telemetry: {} gave up: {}", describe(endpoint_), what_of(failure_));
  ready_signal_.set();
  consumer_signal_.set();
}

void StreamCore::deliver(TelemetryUpdate update) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.updates_received;
    stats_.agent_updates_received += update.agents.size();
  }
  if (!filter_.apply(update)) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.filtered_out;
    return;
  }
  queue_.push(std::move(update));
  consumer_signal_.set();
}

// Each kind has a function of its own, so no case of the switch holds a temporary with a
// destructor: clang 14 with -fsanitize=address (at -O0 and -O1) runs such a temporary's
// destructor after its scope ended and reports stack-use-after-scope on correct code
// (docs/quality.md has the reproducer). GCC does not.
void StreamCore::on_rpc_event(LiveConnection& live, const McpEvent& event) {
  switch (event.kind) {
    case McpEvent::Kind::unparseable_line:
      count_noise_line();
      return;
    case McpEvent::Kind::relay_error:
      log_server_error(event.message);
      return;
    case McpEvent::Kind::rpc_error:
    case McpEvent::Kind::notification:
      note_relay_traffic(live, event);
      return;
    case McpEvent::Kind::disconnected:
      return;
  }
}

void StreamCore::count_noise_line() {
  std::lock_guard lock(stats_mutex_);
  ++stats_.noise_lines;
}

void StreamCore::log_server_error(const std::string& message) {
  logger()->warn("telemetry: server error line: {}", message);
}

// JSON-RPC traffic the documented stream never sends: this is the MCP relay.
void StreamCore::note_relay_traffic(LiveConnection& live, const McpEvent& event) {
  if (mode_ == TelemetryMode::poll || live.relay_detected) return;
  live.relay_detected = true;
  live.relay_evidence =
      event.kind == McpEvent::Kind::rpc_error
          ? "JSON-RPC error " + std::to_string(event.code.value_or(0)) + " (" + event.message + ")"
          : "JSON-RPC notification " + event.method;
  if (event.code && *event.code != method_not_found) {
    logger()->debug("telemetry: unexpected JSON-RPC error while subscribing: {}", event.message);
  }
  live.wake.set();
}

asio::awaitable<void> StreamCore::run() {
  int failures = 0;
  while (!stopping_) {
    std::shared_ptr<WsConnection> connection;
    std::exception_ptr ended;
    try {
      connection = co_await WsConnection::connect(strand_, endpoint_);
    } catch (...) {
      ended = std::current_exception();
    }
    bool was_ready = false;
    if (connection) {
      {
        std::lock_guard lock(stats_mutex_);
        if (++stats_.connections > 1) ++stats_.reconnects;
      }
      auto live = std::make_shared<LiveConnection>(
          connection, strand_, options_.max_line_size, ids_,
          [this](LiveConnection& on, const McpEvent& event) { on_rpc_event(on, event); },
          [this](TelemetryUpdate update) {
            if (mode_ == TelemetryMode::automatic) settle_mode(TelemetryMode::subscribe);
            deliver(std::move(update));
          });
      ended = co_await serve(live);
      was_ready = live->ready;
      record_end(ended, *live);
    } else {
      std::lock_guard lock(stats_mutex_);
      stats_.last_error = what_of(ended);
      try {
        std::rethrow_exception(ended);
      } catch (const Error& error) {
        if (error.context().http_status) stats_.last_http_status = error.context().http_status;
      } catch (...) {
        // Not a hivemind::Error: no HTTP status to record.
      }
    }
    if (stopping_) break;

    const std::optional<errc> kind = kind_of(ended);
    // Retrying cannot help a refused token or a relay met in subscribe-only mode.
    if (kind == errc::auth_failed || wrong_server_) {
      fail(ended);
      co_return;
    }
    // A connection that was up starts the count afresh (the age-limit close is routine),
    // yet still waits a little, so a server that drops every connection is not hammered.
    failures = was_ready ? 1 : failures + 1;
    if (!was_ready && failures >= options_.reconnect.max_attempts) {
      fail(ended);
      co_return;
    }
    std::chrono::milliseconds delay = backoff_delay(options_.reconnect, failures);
    if (kind == errc::rate_limited) delay = std::max(delay, options_.rate_limit_pause);
    logger()->info("telemetry: {} ended ({}); reconnecting in {} ms", describe(endpoint_),
                   what_of(ended), delay.count());
    co_await pause(delay);
  }
  ready_signal_.interrupt();
  consumer_signal_.interrupt();
}

void StreamCore::record_end(const std::exception_ptr& ended, const LiveConnection& live) {
  std::lock_guard lock(stats_mutex_);
  stats_.last_error = what_of(ended);
  if (const auto& close = live.ws->close_info()) {
    stats_.last_close_code = close->code;
    stats_.last_close_reason = close->reason;
  }
}

asio::awaitable<void> StreamCore::pause(std::chrono::milliseconds delay) {
  pause_signal_.reset();
  co_await pause_signal_.wait_until(clock::now() + delay);
}

asio::awaitable<std::exception_ptr> StreamCore::serve(std::shared_ptr<LiveConnection> live) {
  live_ = live;
  asio::co_spawn(
      strand_, [self = shared_from_this(), live] { return self->read_loop(live); }, asio::detached);
  std::exception_ptr ended;
  try {
    if (!stopping_ && mode_ != TelemetryMode::poll) co_await subscribe(*live);
    if (!stopping_ && !live->ended && mode_ == TelemetryMode::poll) co_await poll(*live);
  } catch (...) {
    ended = std::current_exception();
  }
  if (stopping_) {
    co_await goodbye(*live);
    ended = nullptr;
  } else if (!ended) {
    ended = live->end_reason;
  }
  live->ws->abort();
  live_.reset();
  co_return ended;
}

asio::awaitable<void> StreamCore::read_loop(std::shared_ptr<LiveConnection> live) {
  try {
    for (;;) {
      const std::string_view message = co_await live->ws->read();
      const DecoderCounters before = live->decoder.counters();
      const bool intact = live->decoder.feed(message);
      const DecoderCounters& after = live->decoder.counters();
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.messages_received;
        stats_.bytes_received += after.bytes - before.bytes;
        stats_.lines += after.lines - before.lines;
        stats_.noise_lines += after.noise_lines - before.noise_lines;
      }
      if (!intact) {
        throw Error(errc::protocol_error, "telemetry: a line exceeded max_line_size (" +
                                              std::to_string(options_.max_line_size) + " bytes)");
      }
    }
  } catch (...) {
    live->end_reason = std::current_exception();
  }
  live->ended = true;
  live->engine.fail_all(make_error_code(errc::connection_lost), what_of(live->end_reason));
  live->wake.set();
}

asio::awaitable<void> StreamCore::subscribe(LiveConnection& live) {
  SubscribeRequest request{options_.session_id, options_.swarm_id, options_.filters};
  std::string text = json(request).dump();
  text.push_back('\n');
  co_await live.ws->write(std::move(text));
  live.ready = true;
  mark_ready();
  for (;;) {
    if (stopping_ || live.ended) co_return;
    if (live.relay_detected) {
      if (mode_ == TelemetryMode::subscribe) {
        wrong_server_ = true;
        throw Error(errc::protocol_error, "telemetry: " + describe(endpoint_) +
                                              " is an MCP relay, not a telemetry stream (" +
                                              live.relay_evidence +
                                              " after subscribe); use TelemetryMode::poll");
      }
      logger()->info(
          "telemetry: {} answered subscribe with {}: it is the MCP relay, switching to poll mode",
          describe(endpoint_), live.relay_evidence);
      settle_mode(TelemetryMode::poll);
      co_return;
    }
    live.wake.reset();
    co_await live.wake.wait_until(forever);
  }
}

asio::awaitable<void> StreamCore::poll(LiveConnection& live) {
  json initialize_params{{"protocolVersion", "2024-11-05"},
                         {"capabilities", json::object()},
                         {"clientInfo", {{"name", "hivemind-cpp"}, {"version", "0.1.0"}}}};
  std::string method = "initialize";
  co_await request(live, std::move(method), std::move(initialize_params));
  live.ready = true;
  settle_mode(TelemetryMode::poll);
  mark_ready();

  const ToolCaller call = [this, &live](const std::string& tool,
                                        const json& arguments) -> asio::awaitable<json> {
    co_return co_await call_tool(live, tool, arguments);
  };
  for (;;) {
    const auto next_round = clock::now() + poll_period();
    co_await poll_round(call);
    for (;;) {
      if (stopping_ || live.ended) co_return;
      live.wake.reset();
      if (co_await live.wake.wait_until(next_round) != SignalResult::signalled) break;
    }
  }
}

StreamCore::clock::duration StreamCore::poll_period() const {
  const double hz = std::max(options_.filters.update_frequency_hz, 0.01);
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / hz));
}

asio::awaitable<void> StreamCore::poll_round(const ToolCaller& call) {
  const bool want_status =
      options_.filters.include_topology || options_.filters.include_performance;
  const std::string list_tool = "agent_list";
  const std::string status_tool = "swarm_status";
  json arguments = json::object();
  if (!options_.swarm_id.empty()) arguments["swarmId"] = options_.swarm_id;

  AgentList agents;
  try {
    const json payload = co_await call(list_tool, arguments);
    agents = payload.get<AgentList>();
  } catch (const Error& error) {
    // {"success": false, "error": "No active swarm found"}: no agents right now.
    if (error.kind() != errc::tool_failed) throw;
  }
  std::optional<SwarmStatus> status;
  if (want_status) {
    try {
      const json payload = co_await call(status_tool, arguments);
      status = payload.get<SwarmStatus>();
    } catch (const Error& error) {
      if (error.kind() != errc::tool_failed) throw;
    }
  }
  if (stopping_) co_return;
  if (auto update = synthesizer_.next(agents, status, options_.session_id, utc_timestamp())) {
    deliver(std::move(*update));
  }
  std::lock_guard lock(stats_mutex_);
  ++stats_.polls;
}

asio::awaitable<void> StreamCore::run_over_mcp() {
  settle_mode(TelemetryMode::poll);
  try {
    co_await mcp_->async_connect(asio::use_awaitable);
  } catch (...) {
    fail(std::current_exception());
    co_return;
  }
  mark_ready();
  const ToolCaller call = [this](const std::string& tool,
                                 const json& arguments) -> asio::awaitable<json> {
    const CallOptions defaults;
    co_return co_await mcp_->async_call_tool(tool, arguments, defaults, asio::use_awaitable);
  };
  while (!stopping_) {
    const auto next_round = clock::now() + poll_period();
    try {
      co_await poll_round(call);
    } catch (const Error& error) {
      // The MCP client reconnects by itself; only a refused token ends the stream.
      if (error.kind() == errc::auth_failed || error.kind() == errc::cancelled) {
        if (!stopping_) fail(std::current_exception());
        co_return;
      }
      std::lock_guard lock(stats_mutex_);
      stats_.last_error = error.what();
    }
    pause_signal_.reset();
    co_await pause_signal_.wait_until(next_round);
  }
}

asio::awaitable<json> StreamCore::request(LiveConnection& live, std::string method, json params) {
  struct PendingCall {
    explicit PendingCall(const asio::any_io_executor& executor) : done(executor) {}
    AsyncSignal done;
    std::optional<mcp_detail::RpcOutcome> outcome;
  };
  auto pending = std::make_shared<PendingCall>(strand_);
  auto started =
      live.engine.start_request(method, params, [pending](mcp_detail::RpcOutcome outcome) {
        pending->outcome = std::move(outcome);
        pending->done.set();
      });
  try {
    co_await live.ws->write(std::move(started.line));
  } catch (...) {
    live.engine.forget(started.id);
    throw;
  }
  const SignalResult waited =
      co_await pending->done.wait_until(clock::now() + options_.request_deadline);
  if (waited != SignalResult::signalled) {
    live.engine.forget(started.id);
    if (waited == SignalResult::deadline) {
      throw Error(errc::timeout,
                  "telemetry: " + method + " not answered within the request deadline");
    }
    throw Error(errc::cancelled, "telemetry: " + method + " cancelled");
  }
  co_return mcp_detail::take_result(std::move(*pending->outcome), method);
}

asio::awaitable<json> StreamCore::call_tool(LiveConnection& live, std::string name,
                                            json arguments) {
  json params{{"name", name}, {"arguments", std::move(arguments)}};
  std::string method = "tools/call";
  const json result = co_await request(live, std::move(method), std::move(params));
  co_return mcp_detail::unwrap_tool_payload(name, result);
}

asio::awaitable<void> StreamCore::goodbye(LiveConnection& live) {
  if (live.ended) co_return;
  if (live.ready && mode_ != TelemetryMode::poll) {
    std::string unsubscribe = R"({"action":"unsubscribe"})"
                              "\n";
    try {
      co_await live.ws->write(std::move(unsubscribe));
    } catch (const Error&) {
      co_return;  // the connection is gone already
    }
  }
  co_await live.ws->close(1000);
}

}  // namespace hivemind::telemetry_detail
