// Settings of TelemetryStream. The defaults match the deployed container.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hivemind/common/retry_policy.hpp"
#include "hivemind/telemetry/telemetry_models.hpp"

namespace hivemind {

enum class TelemetryMode {
  // Subscribe; switch to poll on the same connection when the server shows it is an
  // MCP relay (it answers the subscribe with a JSON-RPC -32601).
  automatic,
  subscribe,  // the documented telemetry stream only
  poll,       // the deployed MCP relay only: initialize, then agent_list/swarm_status
};

const char* to_string(TelemetryMode mode) noexcept;

// Bounds of the queue between the stream and the consumer. Memory is at most about
// max_updates x (max_agents_per_update + max_topology_changes_per_update) entries.
struct TelemetryQueueLimits {
  // Updates queued before they start being coalesced.
  std::size_t max_updates = 64;
  // Distinct agents one queued update may hold; agents beyond it are dropped (counted).
  std::size_t max_agents_per_update = 4096;
  // Distinct edges one queued update may hold; changes beyond it are dropped (counted).
  std::size_t max_topology_changes_per_update = 16384;
};

struct TelemetryQueueCounters {
  std::uint64_t pushed = 0;                    // updates offered to the queue
  std::uint64_t delivered = 0;                 // updates handed to the consumer
  std::uint64_t merged_updates = 0;            // updates folded into a queued one
  std::uint64_t coalesced_agent_updates = 0;   // agent states replaced by a newer one
  std::uint64_t merged_topology_changes = 0;   // edge changes replaced by a newer one
  std::uint64_t dropped_updates = 0;           // no room and nothing to merge with
  std::uint64_t dropped_agent_updates = 0;     // over max_agents_per_update
  std::uint64_t dropped_topology_changes = 0;  // over max_topology_changes_per_update
  std::size_t max_queued = 0;                  // high-water mark of queued updates
};

struct TelemetryOptions {
  std::string host = "localhost";
  std::uint16_t port = 3002;
  std::string path = "/";
  // Sent as "Authorization: Bearer TOKEN" when not empty. Never logged.
  std::string token;

  TelemetryMode mode = TelemetryMode::automatic;
  std::string session_id;  // empty: every session
  std::string swarm_id;    // empty: every swarm (poll: the active swarm)
  TelemetryFilters filters;

  // Bounds resolving, connecting and the WebSocket handshake.
  std::chrono::milliseconds connect_deadline{5'000};
  // Poll mode: deadline of each JSON-RPC request (initialize, tools/call).
  std::chrono::milliseconds request_deadline{10'000};
  // The peer counts as dead when nothing arrived for this long. With keep-alive
  // pings on, a ping goes out after half of it (the deployed server sends none of
  // its own, but answers ours).
  std::chrono::milliseconds read_deadline{30'000};
  bool keep_alive_pings = true;

  // Consecutive failed connection attempts before the stream gives up, and the
  // pauses between them. A connection that was up resets the count.
  RetryPolicy reconnect{.max_attempts = 6,
                        .initial_delay = std::chrono::milliseconds{200},
                        .multiplier = 2.0,
                        .max_delay = std::chrono::milliseconds{10'000},
                        .jitter = 0.2};
  // After a close for rate (1008) the next attempt waits at least this long.
  std::chrono::milliseconds rate_limit_pause{5'000};

  TelemetryQueueLimits queue;

  // A longer line or WebSocket message fails the connection (and reconnects).
  std::size_t max_line_size = std::size_t{16} * 1024 * 1024;
  std::size_t max_message_size = std::size_t{16} * 1024 * 1024;

  // Sets host, port (unchanged when the URL has none) and path from ws://HOST[:PORT][/PATH];
  // anything else throws invalid_argument naming the URL and changes nothing.
  void set_url(std::string_view url);
  // Defaults overridden by the environment: HIVEMIND_WS_URL (as set_url) and
  // HIVEMIND_MCP_TOKEN (the relay's token serves both ports). A malformed value throws
  // invalid_argument naming the variable.
  static TelemetryOptions from_environment();
};

}  // namespace hivemind
