// The WebSocket client connection of the telemetry stream (port 3002). Beast is
// confined to websocket_transport.cpp; this interface is plain awaitables.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace hivemind::telemetry_detail {

struct WsEndpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/";
  std::string token;  // "Authorization: Bearer TOKEN" when not empty
  std::chrono::milliseconds connect_deadline{5'000};
  std::chrono::milliseconds read_deadline{30'000};
  bool keep_alive_pings = true;
  std::size_t max_message_size = 0;
};

std::string describe(const WsEndpoint& endpoint);  // "ws://host:port/path", never the token

// The close frame the server sent, when it sent one.
struct WsCloseInfo {
  int code = 0;
  std::string reason;
};

class WsConnection {
 public:
  // Connects and performs the opening handshake. Throws hivemind::Error:
  // auth_failed for HTTP 401/403, connection_failed for other rejections (both with
  // the status in the context's http_status) and unreachable hosts, timeout.
  static boost::asio::awaitable<std::shared_ptr<WsConnection>> connect(
      boost::asio::any_io_executor executor, const WsEndpoint& endpoint);

  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  // The next message; valid until the next read. Throws hivemind::Error when the
  // connection ends: rate_limited (close 1008), protocol_error (1009, or a message
  // over the maximum), timeout (nothing arrived within the read deadline),
  // connection_lost (1001 and every other end).
  boost::asio::awaitable<std::string_view> read();
  // One text message. Not concurrent with another write or close.
  boost::asio::awaitable<void> write(std::string text);
  // The closing handshake with `code`; errors are ignored (the peer may be gone).
  boost::asio::awaitable<void> close(int code);
  // Closes the socket at once; pending operations complete with an error.
  void abort() noexcept;

  const std::optional<WsCloseInfo>& close_info() const noexcept { return close_info_; }

 private:
  struct Impl;
  explicit WsConnection(boost::asio::any_io_executor executor, std::string description);

  std::unique_ptr<Impl> impl_;
  std::string description_;
  std::optional<WsCloseInfo> close_info_;
};

}  // namespace hivemind::telemetry_detail
