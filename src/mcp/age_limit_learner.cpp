#include "mcp/age_limit_learner.hpp"

#include <algorithm>

namespace hivemind::mcp_detail {

using std::chrono::milliseconds;

void AgeLimitLearner::on_relay_close(duration age, milliseconds shortest) noexcept {
  if (age < shortest || age <= duration::zero()) return;
  const auto age_ms = std::chrono::duration_cast<milliseconds>(age).count();
  const std::int64_t limit = std::max<std::int64_t>(age_ms * 9 / 10, 1);
  std::int64_t current = learned_ms_.load();
  while ((current == 0 || limit < current) && !learned_ms_.compare_exchange_weak(current, limit)) {
  }
}

std::optional<milliseconds> AgeLimitLearner::learned() const noexcept {
  const std::int64_t value = learned_ms_.load();
  if (value == 0) return std::nullopt;
  return milliseconds{value};
}

milliseconds AgeLimitLearner::recycle_after(milliseconds configured) const noexcept {
  const auto limit = learned();
  if (!limit) return configured;
  if (configured.count() <= 0) return *limit;
  return std::min(configured, *limit);
}

bool AgeLimitLearner::due(duration age, milliseconds configured) const noexcept {
  const milliseconds after = recycle_after(configured);
  return after.count() > 0 && age >= after;
}

}  // namespace hivemind::mcp_detail
