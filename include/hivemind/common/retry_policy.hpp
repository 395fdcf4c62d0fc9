// How the SDK spaces repeated attempts: exponential backoff with jitter.
// Used for transient docker failures and for MCP reconnects alike.
#pragma once

#include <chrono>
#include <cstdint>

namespace hivemind {

struct RetryPolicy {
  // Total attempts including the first one; 1 disables retries.
  int max_attempts = 3;
  std::chrono::milliseconds initial_delay{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{30'000};
  // Each delay is scaled by a random factor in [1 - jitter, 1 + jitter].
  double jitter = 0.2;
};

// The pause before attempt number `retry` (1 = the first retry), jitter applied
// from `random_unit`, a value in [0, 1). Pure, so tests pin the random value.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double random_unit);

// The same with a random value from a thread-local generator.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

}  // namespace hivemind
