#include "hivemind/journal/metadata_cache.hpp"

#include "hivemind/common/error.hpp"

namespace hivemind {

MetadataCache::MetadataCache(MetadataCacheOptions options, std::function<Clock::time_point()> now)
    : options_(options), now_(std::move(now)) {
  if (options_.ttl <= std::chrono::milliseconds::zero()) {
    throw Error(errc::invalid_argument, "metadata cache ttl must be positive (got " +
                                            std::to_string(options_.ttl.count()) + " ms)");
  }
  if (options_.max_entries == 0) {
    throw Error(errc::invalid_argument, "metadata cache max_entries must be at least 1");
  }
  if (!now_) throw Error(errc::invalid_argument, "metadata cache needs a clock");
}

std::optional<SessionMetadata> MetadataCache::find(std::string_view session_id) {
  const std::lock_guard lock(mutex_);
  const auto entry = entries_.find(std::string(session_id));
  if (entry == entries_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  if (now_() - entry->second.stored_at >= options_.ttl) {
    erase_locked(entry);
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  return entry->second.metadata;
}

void MetadataCache::store(const SessionMetadata& metadata) {
  const std::lock_guard lock(mutex_);
  if (const auto old = entries_.find(metadata.session_id); old != entries_.end()) {
    erase_locked(old);
  }
  while (entries_.size() >= options_.max_entries) {
    erase_locked(entries_.find(store_order_.front()));
    ++stats_.evictions;
  }
  const auto position = store_order_.insert(store_order_.end(), metadata.session_id);
  entries_.emplace(metadata.session_id, Entry{metadata, now_(), position});
}

void MetadataCache::invalidate(std::string_view session_id) {
  const std::lock_guard lock(mutex_);
  if (const auto entry = entries_.find(std::string(session_id)); entry != entries_.end()) {
    erase_locked(entry);
  }
}

void MetadataCache::clear() {
  const std::lock_guard lock(mutex_);
  entries_.clear();
  store_order_.clear();
}

MetadataCacheStats MetadataCache::stats() const {
  const std::lock_guard lock(mutex_);
  auto stats = stats_;
  stats.entries = entries_.size();
  return stats;
}

void MetadataCache::erase_locked(std::unordered_map<std::string, Entry>::iterator entry) {
  store_order_.erase(entry->second.age_position);
  entries_.erase(entry);
}

}  // namespace hivemind
