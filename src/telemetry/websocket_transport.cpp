// Boost.Beast lives here and nowhere else in the library: its templates are
// instantiated once.
#include "telemetry/websocket_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::telemetry_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct WsConnection::Impl {
  explicit Impl(const asio::any_io_executor& executor) : ws(executor) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
};

namespace {

// What a close code tells the application (contract §3 names three of them).
Error close_error(const std::string& where, const websocket::close_reason& reason) {
  const std::string text =
      where + ": server closed the connection with code " + std::to_string(reason.code) +
      (reason.reason.empty()
           ? ""
           : " (" + std::string(reason.reason.data(), reason.reason.size()) + ")");
  switch (reason.code) {
    case websocket::close_code::policy_error:  // 1008: over the rate limit
      return Error(errc::rate_limited, text + ": rate limit exceeded");
    case websocket::close_code::too_big:  // 1009
      return Error(errc::protocol_error, text + ": message too big");
    case websocket::close_code::going_away:  // 1001: the ~5-minute connection age limit
      return Error(errc::connection_lost, text + ": going away (connection age limit)");
    default:
      return Error(errc::connection_lost, text);
  }
}

}  // namespace

std::string describe(const WsEndpoint& endpoint) {
  return "ws://" + endpoint.host + ":" + std::to_string(endpoint.port) + endpoint.path;
}

WsConnection::WsConnection(asio::any_io_executor executor, std::string description)
    : impl_(std::make_unique<Impl>(executor)), description_(std::move(description)) {}

WsConnection::~WsConnection() = default;

asio::awaitable<std::shared_ptr<WsConnection>> WsConnection::connect(asio::any_io_executor executor,
                                                                     const WsEndpoint& endpoint) {
  const std::string where = "telemetry " + describe(endpoint);
  std::shared_ptr<WsConnection> connection(new WsConnection(executor, where));
  auto& ws = connection->impl_->ws;

  tcp::resolver resolver(executor);
  const std::string port = std::to_string(endpoint.port);
  auto [resolve_error, addresses] = co_await resolver.async_resolve(endpoint.host, port, use_tuple);
  if (resolve_error) {
    throw Error(errc::connection_failed,
                where + ": cannot resolve host: " + resolve_error.message());
  }
  beast::get_lowest_layer(ws).expires_after(endpoint.connect_deadline);
  auto [connect_error, peer] =
      co_await beast::get_lowest_layer(ws).async_connect(addresses, use_tuple);
  if (connect_error == beast::error::timeout) {
    throw Error(errc::timeout, where + ": connect deadline expired");
  }
  if (connect_error) throw Error(errc::connection_failed, where + ": " + connect_error.message());
  // From here on the WebSocket layer's own timers apply.
  beast::get_lowest_layer(ws).expires_never();
  // Small messages both ways (poll requests, pongs): Nagle's delay would pace them.
  beast::error_code ignored;
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ignored);

  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = endpoint.connect_deadline;
  timeouts.idle_timeout = endpoint.read_deadline;
  timeouts.keep_alive_pings = endpoint.keep_alive_pings;
  ws.set_option(timeouts);
  ws.set_option(
      websocket::stream_base::decorator([token = endpoint.token](websocket::request_type& request) {
        request.set(http::field::user_agent, "hivemind-cpp");
        if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
      }));
  if (endpoint.max_message_size != 0) ws.read_message_max(endpoint.max_message_size);
  ws.text(true);

  websocket::response_type response;
  const std::string host = endpoint.host + ":" + port;
  auto [handshake_error] = co_await ws.async_handshake(response, host, endpoint.path, use_tuple);
  if (handshake_error == websocket::error::upgrade_declined) {
    const int status = static_cast<int>(response.result_int());
    const bool auth = status == 401 || status == 403;
    ErrorContext context;
    context.output_text = response.body();
    context.http_status = status;
    throw Error(auth ? errc::auth_failed : errc::connection_failed,
                where + ": handshake rejected with HTTP " + std::to_string(status) +
                    (auth ? " (token missing or refused)" : ""),
                std::move(context));
  }
  if (handshake_error == beast::error::timeout) {
    throw Error(errc::timeout, where + ": handshake deadline expired");
  }
  if (handshake_error) {
    throw Error(errc::connection_failed,
                where + ": handshake failed: " + handshake_error.message());
  }
  co_return connection;
}

asio::awaitable<std::string_view> WsConnection::read() {
  auto& buffer = impl_->buffer;
  buffer.clear();
  auto [error, size] = co_await impl_->ws.async_read(buffer, use_tuple);
  if (!error) {
    co_return std::string_view(static_cast<const char*>(buffer.cdata().data()), size);
  }
  if (error == websocket::error::closed) {
    const websocket::close_reason& reason = impl_->ws.reason();
    close_info_ = WsCloseInfo{static_cast<int>(reason.code),
                              std::string(reason.reason.data(), reason.reason.size())};
    throw close_error(description_, reason);
  }
  if (error == beast::error::timeout) {
    throw Error(errc::timeout, description_ + ": nothing received within the read deadline");
  }
  if (error == websocket::error::message_too_big) {
    throw Error(errc::protocol_error, description_ + ": message over the configured maximum");
  }
  throw Error(errc::connection_lost, description_ + ": " + error.message());
}

asio::awaitable<void> WsConnection::write(std::string text) {
  auto [error, written] = co_await impl_->ws.async_write(asio::buffer(text), use_tuple);
  if (error)
    throw Error(errc::connection_lost, description_ + ": write failed: " + error.message());
}

asio::awaitable<void> WsConnection::close(int code) {
  const websocket::close_reason reason(static_cast<websocket::close_code>(code));
  co_await impl_->ws.async_close(reason, use_tuple);
}

void WsConnection::abort() noexcept {
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

}  // namespace hivemind::telemetry_detail
