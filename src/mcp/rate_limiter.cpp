#include "hivemind/mcp/rate_limiter.hpp"

#include <algorithm>

#include "hivemind/common/error.hpp"

namespace hivemind {

RateLimiter::RateLimiter(RateLimitOptions options) : options_(options) {
  if (options_.enabled &&
      (options_.events <= 0 || options_.window.count() <= 0 || options_.burst <= 0)) {
    throw Error(errc::invalid_argument, "rate limit: events, window and burst must be positive");
  }
  const int events = std::max(options_.events, 1);
  interval_ = std::chrono::duration_cast<clock::duration>(options_.window) / events;
  tolerance_ = interval_ * (std::max(options_.burst, 1) - 1);
}

RateLimiter::clock::time_point RateLimiter::reserve(clock::time_point now) {
  if (!options_.enabled) return now;
  std::lock_guard lock(mutex_);
  theoretical_arrival_ = std::max(theoretical_arrival_, now);
  const clock::time_point allowed_at = theoretical_arrival_ - tolerance_;
  theoretical_arrival_ += interval_;
  return std::max(now, allowed_at);
}

}  // namespace hivemind
