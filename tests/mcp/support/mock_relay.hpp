// An in-process stand-in for the container's MCP relay on port 9500, behaving as
// container-contract.md §2 describes the deployed one (not as its docs do): one
// shared backend with responses routed by id to the first client that has that id
// pending, id-less broadcasts, a local `initialize` reply without capabilities,
// `authenticate`, the non-JSON-RPC {"error": ...} lines followed by close, rate
// and connection limits, a connection age limit, MCP-shaped tool results and the
// fake success for unknown tools. Plus fault injection for the client's tests.
//
// Runs on its own thread; every public member is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivemind::testing {

struct MockRelayOptions {
  std::uint16_t port = 0;  // 0: an ephemeral port (see MockRelay::port())
  std::string token;       // non-empty: clients must `authenticate` with it
  std::size_t max_connections = 50;

  // Events per window per client IP; a connection and each message are one event.
  bool rate_limit = false;
  int rate_limit_events = 100;
  std::chrono::milliseconds rate_limit_window{60'000};
  std::chrono::milliseconds rate_limit_block{300'000};

  // Every connection is closed this long after it opened; zero disables.
  std::chrono::milliseconds max_age{300'000};

  // Serve the documented session tools (session_metrics, session_status,
  // session_agents, swarm_list) with the docs' payloads placed directly in
  // `result`, instead of the deployed fake success.
  bool documented_session_tools = false;

  // Keep every received line for received(); off for load runs of many requests.
  bool record_received = true;
};

// Faults drawn at random (seeded, so a run's sequence of decisions is reproducible),
// each in parts per million.
struct RandomFaults {
  // A response is not sent: its connection is closed instead.
  std::uint32_t drop_connection_ppm = 0;
  // A request reaches the backend and is never answered.
  std::uint32_t never_answer_ppm = 0;
  std::uint64_t seed = 1;
};

class MockRelay {
 public:
  explicit MockRelay(MockRelayOptions options = {});
  ~MockRelay();
  MockRelay(const MockRelay&) = delete;
  MockRelay& operator=(const MockRelay&) = delete;

  std::uint16_t port() const noexcept;

  // --- fault injection ---
  // The backend waits this long before answering each request.
  void set_response_delay(std::chrono::milliseconds delay);
  // Requests reach the backend but it never answers (initialize and
  // authenticate, answered by the relay itself, still work).
  void set_never_answer(bool never);
  // Connections are accepted and read, but nothing is ever written to them (not
  // even the relay's own `initialize` answer).
  void set_silent(bool silent);
  // Lines to clients go out one byte per write.
  void set_split_writes(bool split);
  // New connections get {"error":"MCP not ready"} and are closed.
  void set_mcp_ready(bool ready);
  // The next tools/call of `tool` fails with -32000 "Tool execution failed".
  void fail_next_tool_call(const std::string& tool, const std::string& message);
  // A line that is not JSON goes to the client right before its next response.
  void inject_garbage_before_next_response();
  // `message` (id-less) is broadcast to every client right before the next response.
  void broadcast_before_next_response(nlohmann::json message);
  // The next response is cut in the middle and its connection closed.
  void drop_next_response_midway();
  // Every connected client gets one line of `bytes` bytes.
  void send_huge_line(std::size_t bytes);
  // The backend "crashes" and comes back: requests in flight are never answered,
  // then {"method":"server.initialized"} is broadcast.
  void restart_backend();
  // An id-less line to every connected client.
  void broadcast(const nlohmann::json& message);
  // Closes every client connection now (as the age limit would).
  void close_all_connections();
  // Replaces the random faults in effect (none by default).
  void set_random_faults(const RandomFaults& faults);

  // --- observation ---
  std::size_t connections_accepted() const;
  std::size_t active_connections() const;
  // Every JSON line clients sent, in arrival order.
  std::vector<nlohmann::json> received() const;
  // Messages and connections refused for rate (id-less errors and {"error"} lines).
  std::size_t rate_limit_rejections() const;
  // The most requests the backend had pending (forwarded, not answered) at once, over
  // all clients.
  std::size_t max_pending_requests() const;
  // Connections closed and requests left unanswered by the random faults.
  std::size_t random_drops() const;
  std::size_t random_unanswered() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hivemind::testing
