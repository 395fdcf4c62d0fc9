#include <algorithm>
#include <cmath>
#include <random>

#include "hivemind/common/retry_policy.hpp"

namespace hivemind {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double random_unit) {
  if (retry < 1) return std::chrono::milliseconds{0};
  const double base = static_cast<double>(policy.initial_delay.count()) *
                      std::pow(std::max(policy.multiplier, 1.0), retry - 1);
  const double capped = std::min(base, static_cast<double>(policy.max_delay.count()));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(random_unit, 0.0, 1.0);
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(capped * factor))};
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  return backoff_delay(policy, retry, unit(generator));
}

}  // namespace hivemind
