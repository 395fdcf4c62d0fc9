// An in-process stand-in for the container's port 3002, speaking either protocol
// of contract §3:
//   - subscribe_stream: the documented telemetry stream. After a `subscribe`, every
//     1/rate_hz it sends one `telemetry_update` per configured session (agents
//     moving, one topology change per tick), honouring the subscription's
//     session_id unless told to ignore filters; `unsubscribe` stops it.
//   - relay: the deployed MCP JSON-RPC relay. `initialize` answered, tools served by
//     the mock MCP backend of tests/mcp, and a `subscribe` answered with an id-less
//     -32601. Its output leaves as raw chunks: frames cut at chunk_size bytes and
//     plain log lines in between.
// Both: Bearer-token check on the HTTP upgrade (401), forced handshake rejections,
// close 1001 after an age limit, close 1008 over a message rate limit, and close
// with any code on demand. Runs on its own thread; every public member is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivemind::testing {

struct MockTelemetryOptions {
  enum class Protocol { subscribe_stream, relay };
  Protocol protocol = Protocol::subscribe_stream;
  std::uint16_t port = 0;  // 0: an ephemeral port on 127.0.0.1

  std::string token{};    // non-empty: the upgrade needs "Authorization: Bearer TOKEN" (else 401)
  int reject_status = 0;  // non-zero: every upgrade is refused with this HTTP status

  // subscribe_stream
  int agents = 5;
  double rate_hz = 50;
  std::vector<std::string> sessions{"session-1"};
  std::string swarm_id = "swarm-1";
  bool ignore_filters = false;  // send every session whatever the subscription says

  // Output shaping (both protocols): frames of at most this many bytes, cut
  // anywhere (0: one message per frame), and a plain log line before each message.
  std::size_t chunk_size = 0;
  bool log_noise = false;

  std::chrono::milliseconds max_age{0};  // close with 1001 this long after the upgrade; 0: never
  int max_messages = 0;                  // close with 1008 once a client sent more; 0: no limit
};

class MockTelemetryServer {
 public:
  explicit MockTelemetryServer(MockTelemetryOptions options = {});
  ~MockTelemetryServer();
  MockTelemetryServer(const MockTelemetryServer&) = delete;
  MockTelemetryServer& operator=(const MockTelemetryServer&) = delete;

  std::uint16_t port() const noexcept;

  // relay: one tools/call on the backend (shared by all connections, so a test can
  // script the swarm and have it survive reconnects); returns the tool's payload.
  nlohmann::json call_tool(const std::string& name, const nlohmann::json& arguments);
  // Closes every open connection with this close code.
  void close_all(int code);
  // One raw frame to every open connection, as is.
  void send_frame(const std::string& frame);

  // --- observation ---
  std::size_t upgrades_accepted() const;
  std::size_t active_connections() const;
  // The Authorization header of every upgrade request ("" when absent), in order.
  std::vector<std::string> authorization_headers() const;
  // Every JSON line clients sent, in arrival order.
  std::vector<nlohmann::json> received() const;
  // How many received lines had this "action" (subscribe, unsubscribe).
  std::size_t actions_received(const std::string& action) const;
  std::size_t updates_sent() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hivemind::testing
