// MetadataCache: remembers `get` answers for a short time, so that dashboards and many
// components asking about the same sessions do not cost one `docker exec` each.
//
// Off by default: set ClientOptions::metadata_cache to share one cache among the clients
// (and copies of them) that talk to the same container. Session UUIDs are unique, so a
// cache shared by clients of different containers cannot mix their answers up.
//
// Entries live for `ttl`; the client drops an entry itself when it changes that session
// (start, update_status, cancel) and clears the cache on cleanup. SessionHandle::refresh()
// and the final answer of wait_for_completion always ask the container. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hivemind/models/session_metadata.hpp"

namespace hivemind {

struct MetadataCacheOptions {
  std::chrono::milliseconds ttl{2'000};
  // The least recently stored entries are dropped beyond this many.
  std::size_t max_entries = 1024;
};

struct MetadataCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;     // absent or expired
  std::uint64_t evictions = 0;  // dropped to stay within max_entries
  std::size_t entries = 0;
};

class MetadataCache {
 public:
  using Clock = std::chrono::steady_clock;

  // invalid_argument when ttl is not positive or max_entries is 0. `now` exists for tests.
  explicit MetadataCache(MetadataCacheOptions options = {},
                         std::function<Clock::time_point()> now = &Clock::now);

  // The stored answer for `session_id` while it is younger than the TTL.
  std::optional<SessionMetadata> find(std::string_view session_id);
  void store(const SessionMetadata& metadata);
  void invalidate(std::string_view session_id);
  void clear();

  MetadataCacheStats stats() const;
  const MetadataCacheOptions& options() const noexcept { return options_; }

 private:
  struct Entry {
    SessionMetadata metadata;
    Clock::time_point stored_at;
    std::list<std::string>::iterator age_position;  // in store order, oldest first
  };

  void erase_locked(std::unordered_map<std::string, Entry>::iterator entry);

  MetadataCacheOptions options_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> store_order_;
  MetadataCacheStats stats_;
};

}  // namespace hivemind
