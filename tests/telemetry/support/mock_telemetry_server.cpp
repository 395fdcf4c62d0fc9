#include "mock_telemetry_server.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "mock_backend.hpp"

namespace hivemind::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Outgoing {
  std::string text;
  std::optional<int> close_code;
};

struct Connection {
  explicit Connection(beast::tcp_stream stream)
      : ws(std::move(stream)),
        wake(ws.get_executor()),
        age_timer(ws.get_executor()),
        tick_timer(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  std::deque<Outgoing> outbox;
  asio::steady_timer wake;  // cancelled when the outbox gets something
  asio::steady_timer age_timer;
  asio::steady_timer tick_timer;  // paces the subscribe stream
  bool open = true;
  bool closing = false;
  bool subscribed = false;
  std::string wanted_session;
  int messages = 0;

  void enqueue(Outgoing item) {
    if (closing) return;
    if (item.close_code) closing = true;
    outbox.push_back(std::move(item));
    wake.cancel();
  }
};

std::string rpc_line(json message) {
  return message.dump() + "\n";
}

}  // namespace

class MockTelemetryServer::Impl {
 public:
  explicit Impl(MockTelemetryOptions options)
      : options_(std::move(options)),
        backend_(false),
        acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), options_.port)) {
    port_ = acceptor_.local_endpoint().port();
  }

  void start() {
    asio::co_spawn(context_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }

  void stop() {
    asio::post(context_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      for (auto& connection : connections_) {
        beast::get_lowest_layer(connection->ws).socket().close(ignored);
        connection->wake.cancel();
        connection->age_timer.cancel();
        connection->tick_timer.cancel();
      }
      stopped_ = true;
    });
    thread_.join();
  }

  std::uint16_t port() const noexcept { return port_; }

  template <class F>
  auto on_thread(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(context_, [&task] { task(); });
    return result.get();
  }

  json call_tool(const std::string& name, const json& arguments) {
    return on_thread([&] {
      json request{{"jsonrpc", "2.0"},
                   {"id", "script"},
                   {"method", "tools/call"},
                   {"params", {{"name", name}, {"arguments", arguments}}}};
      const json response = backend_.handle(request);
      const json& text = response.at("result").at("content").at(0).at("text");
      return json::parse(text.get<std::string>());
    });
  }

  void close_all(int code) {
    on_thread([&] {
      for (auto& connection : connections_) connection->enqueue({{}, code});
      return 0;
    });
  }

  void send_frame(const std::string& frame) {
    on_thread([&] {
      for (auto& connection : connections_) connection->enqueue({frame, std::nullopt});
      return 0;
    });
  }

  std::size_t active_connections() {
    return on_thread([&] { return connections_.size(); });
  }

  mutable std::mutex mutex_;  // guards the observations below
  std::size_t upgrades_ = 0;
  std::vector<std::string> authorizations_;
  std::vector<json> received_;
  std::size_t updates_sent_ = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [error, socket] = co_await acceptor_.async_accept(use_tuple);
      if (error) co_return;
      asio::co_spawn(context_, serve(std::move(socket)), asio::detached);
    }
  }

  static std::string authorization(const http::request<http::string_body>& request) {
    const auto header = request[http::field::authorization];
    return std::string(header.data(), header.size());
  }

  // The HTTP status refusing this upgrade, or 0 to accept it.
  int verdict(const http::request<http::string_body>& request) const {
    if (options_.reject_status != 0) return options_.reject_status;
    if (!options_.token.empty() && authorization(request) != "Bearer " + options_.token) {
      return 401;
    }
    return 0;
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    // Many small frames: without this, Nagle's algorithm and delayed ACKs pace them
    // at ~25 per second.
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_error, read_size] = co_await http::async_read(stream, buffer, request, use_tuple);
    if (read_error) co_return;
    {
      std::lock_guard lock(mutex_);
      authorizations_.push_back(authorization(request));
    }
    if (const int status = verdict(request); status != 0) {
      http::response<http::string_body> response{static_cast<http::status>(status),
                                                 request.version()};
      response.body() = "refused";
      response.prepare_payload();
      co_await http::async_write(stream, response, use_tuple);
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return;
    }
    auto connection = std::make_shared<Connection>(std::move(stream));
    auto [accept_error] = co_await connection->ws.async_accept(request, use_tuple);
    if (accept_error || stopped_) co_return;
    connection->ws.text(true);
    {
      std::lock_guard lock(mutex_);
      ++upgrades_;
    }
    connections_.push_back(connection);
    asio::co_spawn(context_, write_loop(connection), asio::detached);
    if (options_.max_age.count() > 0) {
      asio::co_spawn(context_, age_limit(connection), asio::detached);
    }
    co_await read_loop(connection);
    connection->open = false;
    connection->wake.cancel();
    connection->age_timer.cancel();
    connection->tick_timer.cancel();
    connections_.remove(connection);
  }

  asio::awaitable<void> read_loop(std::shared_ptr<Connection> connection) {
    for (;;) {
      beast::flat_buffer message;
      auto [error, size] = co_await connection->ws.async_read(message, use_tuple);
      if (error) co_return;
      const std::string text = beast::buffers_to_string(message.cdata());
      if (options_.max_messages > 0 && ++connection->messages > options_.max_messages) {
        connection->enqueue({{}, static_cast<int>(websocket::close_code::policy_error)});
        continue;
      }
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        handle_line(connection, text.substr(start, end - start));
        start = end + 1;
      }
    }
  }

  void handle_line(const std::shared_ptr<Connection>& connection, const std::string& line) {
    json message = json::parse(line, nullptr, false);
    if (!message.is_object()) return;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(message);
    }
    if (options_.protocol == MockTelemetryOptions::Protocol::relay) {
      handle_rpc(connection, message);
      return;
    }
    const std::string action = message.value("action", "");
    if (action == "subscribe") {
      connection->wanted_session = message.value("session_id", "");
      if (!connection->subscribed) {
        connection->subscribed = true;
        asio::co_spawn(context_, stream_updates(connection), asio::detached);
      }
    } else if (action == "unsubscribe") {
      connection->subscribed = false;
    }
  }

  void handle_rpc(const std::shared_ptr<Connection>& connection, const json& message) {
    if (message.contains("action")) {
      // What the deployed relay's backend makes of a documented subscribe.
      emit(*connection, rpc_line({{"jsonrpc", "2.0"},
                                  {"error", {{"code", -32601}, {"message", "Method not found"}}}}));
      return;
    }
    if (message.value("method", "") == "initialize") {
      emit(*connection,
           rpc_line({{"jsonrpc", "2.0"},
                     {"id", message.at("id")},
                     {"result",
                      {{"protocolVersion", "2024-11-05"},
                       {"serverInfo", {{"name", "mock-ws-relay"}, {"version", "1.0"}}}}}}));
      return;
    }
    emit(*connection, rpc_line(backend_.handle(message)));
  }

  // One message out, shaped like the deployed relay's raw stdout chunks.
  void emit(Connection& connection, std::string text) {
    if (options_.log_noise) text = "[relay] backend: handled a message\n" + text;
    const std::size_t chunk = options_.chunk_size == 0 ? text.size() : options_.chunk_size;
    for (std::size_t offset = 0; offset < text.size(); offset += chunk) {
      connection.enqueue({text.substr(offset, chunk), std::nullopt});
    }
  }

  json update_for(const std::string& session, long tick) const {
    json agents = json::array();
    for (int i = 0; i < options_.agents; ++i) {
      const double t = static_cast<double>(tick) + i;
      agents.push_back({{"agent_id", "agent-" + std::to_string(i)},
                        {"type", i % 2 == 0 ? "coder" : "tester"},
                        {"status", tick % 2 == 0 ? "busy" : "idle"},
                        {"position", {{"x", t}, {"y", i}, {"z", 0.5}}},
                        {"velocity", {{"x", 1.0}, {"y", 0.0}, {"z", 0.0}}},
                        {"performance",
                         {{"cpu_usage", static_cast<double>((tick + i) % 100)},
                          {"memory_mb", 64.0 + i},
                          {"tasks_completed", tick}}}});
    }
    json changes = json::array();
    if (options_.agents > 1) {
      changes.push_back({{"type", "connect"},
                         {"from", "agent-0"},
                         {"to", "agent-" + std::to_string(1 + tick % (options_.agents - 1))},
                         {"strength", 0.5}});
    }
    return {{"type", "telemetry_update"},  {"timestamp", std::to_string(tick)},
            {"session_id", session},       {"swarm_id", options_.swarm_id},
            {"agents", std::move(agents)}, {"topology_changes", std::move(changes)}};
  }

  asio::awaitable<void> stream_updates(std::shared_ptr<Connection> connection) {
    asio::steady_timer& timer = connection->tick_timer;
    const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / options_.rate_hz));
    auto next = std::chrono::steady_clock::now();
    for (long tick = 0; connection->open && connection->subscribed && !stopped_; ++tick) {
      for (const std::string& session : options_.sessions) {
        if (!options_.ignore_filters && !connection->wanted_session.empty() &&
            connection->wanted_session != session) {
          continue;
        }
        emit(*connection, update_for(session, tick).dump() + "\n");
        std::lock_guard lock(mutex_);
        ++updates_sent_;
      }
      next += period;
      timer.expires_at(next);
      co_await timer.async_wait(use_tuple);
    }
  }

  asio::awaitable<void> write_loop(std::shared_ptr<Connection> connection) {
    for (;;) {
      while (!connection->outbox.empty()) {
        Outgoing item = std::move(connection->outbox.front());
        connection->outbox.pop_front();
        if (item.close_code) {
          const websocket::close_reason reason(static_cast<std::uint16_t>(*item.close_code));
          co_await connection->ws.async_close(reason, use_tuple);
          co_return;
        }
        auto [error, written] =
            co_await connection->ws.async_write(asio::buffer(item.text), use_tuple);
        if (error) co_return;
      }
      if (!connection->open) co_return;
      connection->wake.expires_at(std::chrono::steady_clock::time_point::max());
      co_await connection->wake.async_wait(use_tuple);
    }
  }

  asio::awaitable<void> age_limit(std::shared_ptr<Connection> connection) {
    connection->age_timer.expires_after(options_.max_age);
    auto [error] = co_await connection->age_timer.async_wait(use_tuple);
    if (!error && connection->open) {
      connection->enqueue({{}, static_cast<int>(websocket::close_code::going_away)});
    }
  }

  MockTelemetryOptions options_;
  MockBackend backend_;
  asio::io_context context_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::list<std::shared_ptr<Connection>> connections_;
  bool stopped_ = false;
  std::thread thread_;
};

MockTelemetryServer::MockTelemetryServer(MockTelemetryOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {
  impl_->start();
}

MockTelemetryServer::~MockTelemetryServer() {
  impl_->stop();
}

std::uint16_t MockTelemetryServer::port() const noexcept {
  return impl_->port();
}

json MockTelemetryServer::call_tool(const std::string& name, const json& arguments) {
  return impl_->call_tool(name, arguments);
}

void MockTelemetryServer::close_all(int code) {
  impl_->close_all(code);
}

void MockTelemetryServer::send_frame(const std::string& frame) {
  impl_->send_frame(frame);
}

std::size_t MockTelemetryServer::upgrades_accepted() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->upgrades_;
}

std::size_t MockTelemetryServer::active_connections() const {
  return impl_->active_connections();
}

std::vector<std::string> MockTelemetryServer::authorization_headers() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->authorizations_;
}

std::vector<json> MockTelemetryServer::received() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->received_;
}

std::size_t MockTelemetryServer::actions_received(const std::string& action) const {
  std::lock_guard lock(impl_->mutex_);
  return static_cast<std::size_t>(
      std::count_if(impl_->received_.begin(), impl_->received_.end(),
                    [&](const json& message) { return message.value("action", "") == action; }));
}

std::size_t MockTelemetryServer::updates_sent() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->updates_sent_;
}

}  // namespace hivemind::testing
