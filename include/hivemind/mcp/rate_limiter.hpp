// Client-side pacing for the MCP relay, which counts every new connection and every
// message per client IP (100 per 60 s by default) and blocks the IP for 5 minutes
// when a connection goes over. Pacing below that limit avoids the block.
#pragma once

#include <chrono>
#include <mutex>

namespace hivemind {

struct RateLimitOptions {
  bool enabled = false;
  // Sustained rate: `events` per `window`.
  int events = 90;
  std::chrono::milliseconds window{60'000};
  // Events allowed back to back before pacing starts. Over any interval of length
  // `window` at most burst + events happen: 95 per minute with the defaults, under
  // the deployed relay's 100.
  int burst = 5;
};

// A token bucket (in its GCRA form: one "theoretical arrival time" instead of a
// token count). Thread-safe, so a connection pool can share one.
class RateLimiter {
 public:
  using clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimitOptions options);

  // Reserves one event and returns the time it may happen: `now` when under the
  // limit, later otherwise. Reservations are never returned, which only errs on
  // the side of sending less.
  clock::time_point reserve(clock::time_point now);

  bool enabled() const noexcept { return options_.enabled; }
  const RateLimitOptions& options() const noexcept { return options_; }

 private:
  RateLimitOptions options_;
  clock::duration interval_;   // window / events
  clock::duration tolerance_;  // (burst - 1) * interval
  std::mutex mutex_;
  clock::time_point theoretical_arrival_{};
};

}  // namespace hivemind
