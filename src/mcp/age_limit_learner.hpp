// Learns the relay's connection age limit from the closes it makes (issue 17): the relay
// closes every connection about TCP_CONNECTION_TIMEOUT after it opened, and a deployment may
// use a shorter limit than McpOptions::recycle_after assumes. Sans-IO and thread-safe to read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace hivemind::mcp_detail {

class AgeLimitLearner {
 public:
  using duration = std::chrono::steady_clock::duration;

  // A connection the relay closed unannounced (not recycled or shut down by the client,
  // no {"error": ...} line first) at `age`. Closes younger than `shortest` (the connect
  // deadline) are ignored: they are faults, not an age limit. Keeps the lowest 0.9 x age.
  void on_relay_close(duration age, std::chrono::milliseconds shortest) noexcept;

  // 0.9 x the youngest counted close, once one was counted.
  std::optional<std::chrono::milliseconds> learned() const noexcept;

  // The age at which a connection is recycled: min(configured, learned), where a zero
  // `configured` means no configured limit. Zero when neither applies (never recycled).
  std::chrono::milliseconds recycle_after(std::chrono::milliseconds configured) const noexcept;

  // Whether a connection of `age` is due for recycling.
  bool due(duration age, std::chrono::milliseconds configured) const noexcept;

 private:
  std::atomic<std::int64_t> learned_ms_{0};  // 0: nothing learned
};

}  // namespace hivemind::mcp_detail
