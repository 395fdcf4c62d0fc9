// The bounded queue between the stream and a consumer that may be slower than it.
// While there is room, updates queue as they came. When full, an update is folded
// into a queued update of the same session and swarm: per agent the newest state
// wins (coalesced), topology changes are merged per edge (the newest change of an
// edge wins, so applying the merged list ends in the same state). Memory therefore
// stays bounded however slow the consumer is. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hivemind/telemetry/telemetry_models.hpp"
#include "hivemind/telemetry/telemetry_options.hpp"

namespace hivemind::telemetry_detail {

class CoalescingQueue {
 public:
  explicit CoalescingQueue(TelemetryQueueLimits limits);

  // Returns true when the queue was empty before (a waiting consumer needs waking).
  bool push(TelemetryUpdate update);
  std::optional<TelemetryUpdate> pop();
  // Everything queued, oldest first.
  std::vector<TelemetryUpdate> drain();

  std::size_t size() const;
  // Agent states held by the queued updates (the memory that matters).
  std::size_t agent_states() const;
  TelemetryQueueCounters counters() const;

 private:
  using EdgeKey = std::pair<std::string, std::string>;
  struct Entry {
    TelemetryUpdate update;
    // Built when something is first merged into the entry.
    std::unordered_map<std::string, std::size_t> agent_index;
    std::map<EdgeKey, std::size_t> edge_index;
    bool indexed = false;
  };

  void enforce_limits(TelemetryUpdate& update);
  void merge(Entry& target, TelemetryUpdate&& newer);
  static bool same_stream(const TelemetryUpdate& a, const TelemetryUpdate& b);
  // Folds the oldest entry that has a younger entry of the same stream into it;
  // false when every queued entry belongs to a different stream.
  bool compact();

  TelemetryQueueLimits limits_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  std::size_t agent_states_ = 0;
  TelemetryQueueCounters counters_;
};

}  // namespace hivemind::telemetry_detail
