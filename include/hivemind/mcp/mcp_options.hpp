// Settings of McpTelemetryClient. The defaults match the deployed relay.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hivemind/common/retry_policy.hpp"
#include "hivemind/mcp/rate_limiter.hpp"
#include "hivemind/metrics/metrics_sink.hpp"

namespace hivemind {

struct McpOptions {
  std::string host = "localhost";
  std::uint16_t port = 9500;

  // Bounds resolving and connecting, and separately the initialize/authenticate handshake.
  std::chrono::milliseconds connect_deadline{5'000};
  // Default deadline of one call, from the moment it is issued until its answer
  // (waiting for the connection, the rate limiter and a free slot included).
  std::chrono::milliseconds request_deadline{30'000};

  // Sent with `authenticate` when not empty. Never logged.
  std::string token;
  // Send `initialize` after connecting (the relay answers it itself, without
  // `capabilities`). No `notifications/initialized` is sent either way: the backend
  // answers notifications with an error broadcast to every client.
  bool send_initialize = true;
  // After the handshake, connect() sends `tools/list` and fails with auth_failed when the
  // relay answers "Authentication required" (no or wrong HIVEMIND_MCP_TOKEN), instead of
  // the first call failing later. `tools/list`, not `ping`: the backend answers `ping` with
  // -32601 whether authenticated or not. Costs one message per connection.
  bool verify_auth = false;

  // Attempts and backoff of one (re)connection. Tool calls in flight when a
  // connection drops are not retried unless marked idempotent.
  RetryPolicy reconnect{.max_attempts = 4,
                        .initial_delay = std::chrono::milliseconds{200},
                        .multiplier = 2.0,
                        .max_delay = std::chrono::milliseconds{5'000},
                        .jitter = 0.2};

  // New calls move to a fresh connection once the current one is this old; the
  // old one closes when its last answer arrived. The relay closes every
  // connection after ~5 minutes, so recycling first keeps that close from
  // hitting a call in flight. Zero disables.
  std::chrono::milliseconds recycle_after{270'000};

  // Client-side pacing; off by default. Each connection and each message counts.
  RateLimitOptions rate_limit;

  // Requests waiting for an answer on the connection at once; further calls wait.
  std::size_t max_in_flight = 256;

  // Events kept for McpTelemetryClient::receive_event(); when full, the oldest
  // is dropped. Subscriber callbacks see every event regardless. Zero disables.
  std::size_t event_queue_size = 256;

  // A longer line from the relay fails the connection with protocol_error.
  std::size_t max_line_size = std::size_t{16} * 1024 * 1024;

  // Receives each request's latency and outcome, and reconnects (e.g. a LifecycleMetrics).
  std::shared_ptr<MetricsSink> metrics;

  // Defaults overridden by the environment (empty variables are ignored):
  //   HIVEMIND_MCP_HOST, HIVEMIND_MCP_PORT (1-65535), HIVEMIND_MCP_TOKEN;
  //   HIVEMIND_TIMEOUT             request_deadline, seconds (may be fractional; the same
  //                                variable as ClientOptions);
  //   HIVEMIND_MCP_CONNECT_TIMEOUT connect_deadline, seconds (may be fractional);
  //   HIVEMIND_MCP_RECYCLE_AFTER   recycle_after, seconds (may be fractional), 0 disables;
  //   HIVEMIND_MCP_RATE_LIMIT      "N/S": rate_limit enabled with N messages per S seconds
  //                                (burst stays 5, at most N), e.g. "90/60";
  //   HIVEMIND_MCP_MAX_IN_FLIGHT   max_in_flight, a positive integer;
  //   HIVEMIND_MCP_VERIFY_AUTH     verify_auth: 1, 0, true or false.
  // A malformed value throws invalid_argument naming the variable.
  static McpOptions from_environment();
};

// Per-call settings.
struct CallOptions {
  // Overrides McpOptions::request_deadline when non-zero.
  std::chrono::milliseconds deadline{0};
  // Safe to send again: retried once on a new connection when the connection is
  // lost before the answer came. Tool calls are not idempotent in general.
  bool idempotent = false;
};

}  // namespace hivemind
