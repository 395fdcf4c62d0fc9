#include "hivemind/fleet/placement_policy.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <tuple>

namespace hivemind {

PlacementPolicy least_running_sessions() {
  return [](std::span<const TargetLoad> candidates) -> std::size_t {
    // min_element keeps the first of equals: the earliest in name order.
    const auto lightest = std::min_element(
        candidates.begin(), candidates.end(), [](const TargetLoad& a, const TargetLoad& b) {
          return std::tie(a.running_sessions, a.placed_sessions) <
                 std::tie(b.running_sessions, b.placed_sessions);
        });
    return static_cast<std::size_t>(lightest - candidates.begin());
  };
}

PlacementPolicy round_robin() {
  // Copies of the policy share one turn counter, as one fleet holds one policy.
  auto turn = std::make_shared<std::atomic<std::size_t>>(0);
  return [turn](std::span<const TargetLoad> candidates) -> std::size_t {
    return turn->fetch_add(1, std::memory_order_relaxed) % candidates.size();
  };
}

}  // namespace hivemind
