// TelemetryStream against a raw WebSocket peer that misbehaves in ways the mock server
// cannot: it never answers the upgrade, goes silent after it (not even answering pings),
// sends binary garbage or invalid UTF-8, or a 20 MiB frame. Frames are written by hand
// (RFC 6455), so nothing in the peer smooths them over. Each test also checks that no
// descriptor is left open once the stream is gone.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/telemetry/telemetry_stream.hpp"
#include "support/capture_error.hpp"
#include "support/leak_check.hpp"
#include "support/mock_container.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using testing::eventually;
using testing::LeakCheck;

const std::string kUpdateLine =
    R"({"type":"telemetry_update","session_id":"s","agents":[{"agent_id":"a","status":"busy"}]})"
    "\n";

// One server-to-client frame (unmasked), FIN set.
std::string frame(unsigned char opcode, const std::string& payload) {
  std::string out(1, static_cast<char>(0x80 | opcode));
  const std::uint64_t size = payload.size();
  if (size < 126) {
    out += static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    out += static_cast<char>(126);
    for (int shift = 8; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  }
  return out + payload;
}
std::string text_frame(const std::string& payload) {
  return frame(0x1, payload);
}
std::string binary_frame(const std::string& payload) {
  return frame(0x2, payload);
}

// What the peer writes on its Nth connection (0-based) after the upgrade; empty: nothing.
using Script = std::function<std::string(std::size_t connection)>;

class RawWebSocketPeer {
 public:
  // `upgrade`: whether to answer the HTTP upgrade at all.
  RawWebSocketPeer(bool upgrade, Script script)
      : upgrade_(upgrade),
        script_(std::move(script)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RawWebSocketPeer() {
    io_.stop();
    thread_.join();
  }
  RawWebSocketPeer(const RawWebSocketPeer&) = delete;
  RawWebSocketPeer& operator=(const RawWebSocketPeer&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t connections() const { return accepted_.load(); }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket =
          std::make_shared<tcp::socket>(co_await acceptor_.async_accept(asio::use_awaitable));
      asio::co_spawn(io_, serve(socket, accepted_++), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket, std::size_t connection) {
    boost::system::error_code error;
    std::string request;
    co_await asio::async_read_until(*socket, asio::dynamic_buffer(request), "\r\n\r\n",
                                    asio::redirect_error(asio::use_awaitable, error));
    if (error || !upgrade_) co_return co_await discard(socket);
    const std::string response = upgrade_response(request);
    co_await asio::async_write(*socket, asio::buffer(response),
                               asio::redirect_error(asio::use_awaitable, error));
    const std::string frames = script_(connection);
    if (!error && !frames.empty()) {
      co_await asio::async_write(*socket, asio::buffer(frames),
                                 asio::redirect_error(asio::use_awaitable, error));
    }
    co_await discard(socket);
  }

  // Reads (and ignores: subscribe, pings, close) until the client goes away.
  static asio::awaitable<void> discard(std::shared_ptr<tcp::socket> socket) {
    std::vector<char> sink(4096);
    boost::system::error_code error;
    while (!error) {
      co_await socket->async_read_some(asio::buffer(sink),
                                       asio::redirect_error(asio::use_awaitable, error));
    }
  }

  static std::string upgrade_response(const std::string& request) {
    const std::string header = "Sec-WebSocket-Key: ";
    const auto at = request.find(header);
    const auto end = request.find("\r\n", at);
    const std::string key =
        at == std::string::npos ? "" : request.substr(at + header.size(), end - at - header.size());
    boost::beast::websocket::detail::sec_ws_accept_type accept;
    boost::beast::websocket::detail::make_sec_ws_accept(accept, key);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           std::string(accept.data(), accept.size()) + "\r\n\r\n";
  }

  const bool upgrade_;
  const Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<std::size_t> accepted_{0};
  std::thread thread_;
};

std::string describe(const TelemetryStats& stats) {
  return "connections " + std::to_string(stats.connections) + ", messages " +
         std::to_string(stats.messages_received) + ", lines " + std::to_string(stats.lines) +
         ", noise " + std::to_string(stats.noise_lines) + ", last error: " + stats.last_error;
}

// Waits (bounded) for the peer's kUpdateLine to arrive, then takes it.
::testing::AssertionResult receives_the_update(TelemetryStream& stream) {
  if (!eventually([&] { return stream.stats().updates_received >= 1; })) {
    return ::testing::AssertionFailure() << "no update; " << describe(stream.stats());
  }
  const TelemetryUpdate update = stream.next();
  if (update.agents.size() != 1 || update.agents[0].agent_id != "a") {
    return ::testing::AssertionFailure() << "not the update the peer sent";
  }
  return ::testing::AssertionSuccess();
}

TelemetryOptions options_for(const RawWebSocketPeer& peer) {
  TelemetryOptions options;
  options.host = "127.0.0.1";
  options.port = peer.port();
  options.mode = TelemetryMode::subscribe;
  // Also bounds the close handshake, which these peers never answer (5 s by default).
  options.connect_deadline = 2s;
  options.reconnect.initial_delay = 10ms;
  options.reconnect.max_delay = 50ms;
  return options;
}

TEST(TelemetryStreamFaults, APeerThatNeverAnswersTheUpgradeMeetsTheConnectDeadline) {
  const LeakCheck leaks;
  {
    RawWebSocketPeer peer(/*upgrade=*/false, [](std::size_t) { return std::string(); });
    auto options = options_for(peer);
    options.connect_deadline = 200ms;
    options.reconnect.max_attempts = 2;
    TelemetryStream stream(options);
    const Error error = testing::capture_error([&] { stream.start(); });
    EXPECT_EQ(error.kind(), errc::timeout) << error.what();
    EXPECT_EQ(peer.connections(), 2u);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(TelemetryStreamFaults, APeerSilentAfterTheUpgradeIsDeadEvenWithKeepAlivePings) {
  const LeakCheck leaks;
  {
    // It answers no ping either: the keep-alive cannot keep it alive.
    RawWebSocketPeer peer(/*upgrade=*/true, [](std::size_t) { return std::string(); });
    auto options = options_for(peer);
    options.read_deadline = 300ms;
    options.keep_alive_pings = true;
    TelemetryStream stream(options);
    stream.start();
    EXPECT_TRUE(eventually([&] { return peer.connections() >= 2; }));
    EXPECT_NE(stream.stats().last_error.find("read deadline"), std::string::npos)
        << stream.stats().last_error;
    EXPECT_EQ(stream.stats().updates_received, 0u);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(TelemetryStreamFaults, BinaryGarbageIsSkippedAsNoiseAndTheStreamGoesOn) {
  const LeakCheck leaks;
  {
    const char bytes[] = "\x00\xff\xfe\x80 {not json\x1b[31m\x00\n\xc3\x28\n";
    const std::string garbage(bytes, sizeof bytes - 1);  // NULs included
    RawWebSocketPeer peer(/*upgrade=*/true, [&](std::size_t) {
      return binary_frame(garbage) + text_frame(kUpdateLine);
    });
    TelemetryStream stream(options_for(peer));
    stream.start();
    EXPECT_TRUE(receives_the_update(stream));
    const auto stats = stream.stats();
    EXPECT_GE(stats.noise_lines, 2u);
    EXPECT_EQ(stats.connections, 1u);  // garbage lines are skipped, not a reason to reconnect
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(TelemetryStreamFaults, InvalidUtf8InATextFrameFailsTheConnectionWhichIsReplaced) {
  const LeakCheck leaks;
  {
    // A text frame must be UTF-8 (RFC 6455 8.1); the first connection gets one that is
    // not, later ones a valid update.
    RawWebSocketPeer peer(/*upgrade=*/true, [](std::size_t connection) {
      return connection == 0 ? text_frame("\xc3\x28 broken\n") : text_frame(kUpdateLine);
    });
    auto options = options_for(peer);
    // The failed connection is only given up at the idle timeout (half the read
    // deadline, when the keep-alive ping cannot be sent): 15 s by default.
    options.read_deadline = 2s;
    TelemetryStream stream(options);
    stream.start();
    EXPECT_TRUE(receives_the_update(stream));
    EXPECT_GE(stream.stats().reconnects, 1u);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(TelemetryStreamFaults, ATwentyMebibyteFrameFailsTheConnectionWithoutBufferingIt) {
  const LeakCheck leaks;
  {
    RawWebSocketPeer peer(/*upgrade=*/true, [](std::size_t connection) {
      return connection == 0 ? text_frame(std::string(20 * 1024 * 1024, 'x'))
                             : text_frame(kUpdateLine);
    });
    TelemetryStream stream(options_for(peer));  // max_message_size: 16 MiB by default
    stream.start();
    EXPECT_TRUE(receives_the_update(stream));
    const auto stats = stream.stats();
    EXPECT_GE(stats.reconnects, 1u);
    EXPECT_LT(stats.bytes_received, 16u * 1024 * 1024);  // refused from the frame header
  }
  EXPECT_TRUE(leaks.settled());
}

}  // namespace
}  // namespace hivemind
