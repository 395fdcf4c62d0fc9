// SessionLifecycle::wait_through_restarts(): a wait that outlasts container restarts.
#pragma once

#include <chrono>

#include "hivemind/common/retry_policy.hpp"
#include "hivemind/control/wait_options.hpp"

namespace hivemind {

struct RestartTolerantWaitOptions {
  WaitOptions wait;
  // How long the container may stay unreachable (stopped, restarting, daemon down)
  // before the wait gives up with container_unavailable.
  std::chrono::milliseconds unavailable_deadline{std::chrono::minutes(5)};
  // Pauses between attempts to reach it again.
  RetryPolicy backoff{.max_attempts = 1,
                      .initial_delay = std::chrono::milliseconds{500},
                      .multiplier = 2.0,
                      .max_delay = std::chrono::milliseconds{15'000},
                      .jitter = 0.1};
};

}  // namespace hivemind
