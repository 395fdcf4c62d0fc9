#include "telemetry/coalescing_queue.hpp"

#include <algorithm>

#include "hivemind/common/logging.hpp"

namespace hivemind::telemetry_detail {

CoalescingQueue::CoalescingQueue(TelemetryQueueLimits limits) : limits_(limits) {
  // A queue that can hold nothing could neither deliver nor merge.
  limits_.max_updates = std::max<std::size_t>(limits_.max_updates, 1);
}

bool CoalescingQueue::same_stream(const TelemetryUpdate& a, const TelemetryUpdate& b) {
  return a.session_id == b.session_id && a.swarm_id == b.swarm_id;
}

void CoalescingQueue::enforce_limits(TelemetryUpdate& update) {
  if (update.agents.size() > limits_.max_agents_per_update) {
    const std::size_t excess = update.agents.size() - limits_.max_agents_per_update;
    counters_.dropped_agent_updates += excess;
    update.agents.resize(limits_.max_agents_per_update);
    logger()->warn("telemetry: update with more than {} agents, {} dropped",
                   limits_.max_agents_per_update, excess);
  }
  if (update.topology_changes.size() > limits_.max_topology_changes_per_update) {
    const std::size_t excess =
        update.topology_changes.size() - limits_.max_topology_changes_per_update;
    counters_.dropped_topology_changes += excess;
    update.topology_changes.resize(limits_.max_topology_changes_per_update);
    logger()->warn("telemetry: update with more than {} topology changes, {} dropped",
                   limits_.max_topology_changes_per_update, excess);
  }
}

void CoalescingQueue::merge(Entry& target, TelemetryUpdate&& newer) {
  TelemetryUpdate& merged = target.update;
  if (!target.indexed) {
    for (std::size_t i = 0; i < merged.agents.size(); ++i) {
      target.agent_index[merged.agents[i].agent_id] = i;
    }
    for (std::size_t i = 0; i < merged.topology_changes.size(); ++i) {
      const TopologyChange& change = merged.topology_changes[i];
      target.edge_index[{change.from, change.to}] = i;
    }
    target.indexed = true;
  }
  for (AgentTelemetry& agent : newer.agents) {
    if (const auto known = target.agent_index.find(agent.agent_id);
        known != target.agent_index.end()) {
      merged.agents[known->second] = std::move(agent);
      ++counters_.coalesced_agent_updates;
    } else if (merged.agents.size() < limits_.max_agents_per_update) {
      target.agent_index.emplace(agent.agent_id, merged.agents.size());
      merged.agents.push_back(std::move(agent));
      ++agent_states_;
    } else {
      ++counters_.dropped_agent_updates;
    }
  }
  for (TopologyChange& change : newer.topology_changes) {
    EdgeKey key{change.from, change.to};
    if (const auto known = target.edge_index.find(key); known != target.edge_index.end()) {
      merged.topology_changes[known->second] = std::move(change);
      ++counters_.merged_topology_changes;
    } else if (merged.topology_changes.size() < limits_.max_topology_changes_per_update) {
      target.edge_index.emplace(std::move(key), merged.topology_changes.size());
      merged.topology_changes.push_back(std::move(change));
    } else {
      ++counters_.dropped_topology_changes;
    }
  }
  merged.timestamp = std::move(newer.timestamp);
  ++counters_.merged_updates;
}

bool CoalescingQueue::compact() {
  for (auto older = entries_.begin(); older != entries_.end(); ++older) {
    const auto younger = std::find_if(std::next(older), entries_.end(), [&](const Entry& entry) {
      return same_stream(entry.update, older->update);
    });
    if (younger == entries_.end()) continue;
    // The older entry absorbs the younger one (newest state wins) and takes its place,
    // so the stream's order is kept.
    agent_states_ -= younger->update.agents.size();
    merge(*older, std::move(younger->update));
    *younger = std::move(*older);
    entries_.erase(older);
    return true;
  }
  return false;
}

bool CoalescingQueue::push(TelemetryUpdate update) {
  std::lock_guard lock(mutex_);
  ++counters_.pushed;
  enforce_limits(update);
  const bool was_empty = entries_.empty();
  if (entries_.size() >= limits_.max_updates) {
    const auto same = std::find_if(entries_.rbegin(), entries_.rend(), [&](const Entry& entry) {
      return same_stream(entry.update, update);
    });
    if (same != entries_.rend()) {
      merge(*same, std::move(update));
      return was_empty;
    }
    if (!compact()) {
      // Every queued update belongs to another stream: nothing can absorb this one.
      ++counters_.dropped_updates;
      counters_.dropped_agent_updates += update.agents.size();
      counters_.dropped_topology_changes += update.topology_changes.size();
      return was_empty;
    }
  }
  agent_states_ += update.agents.size();
  entries_.push_back(Entry{std::move(update), {}, {}, false});
  counters_.max_queued = std::max(counters_.max_queued, entries_.size());
  return was_empty;
}

std::optional<TelemetryUpdate> CoalescingQueue::pop() {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  TelemetryUpdate update = std::move(entries_.front().update);
  entries_.pop_front();
  agent_states_ -= update.agents.size();
  ++counters_.delivered;
  return update;
}

std::vector<TelemetryUpdate> CoalescingQueue::drain() {
  std::lock_guard lock(mutex_);
  std::vector<TelemetryUpdate> updates;
  updates.reserve(entries_.size());
  for (Entry& entry : entries_) updates.push_back(std::move(entry.update));
  entries_.clear();
  agent_states_ = 0;
  counters_.delivered += updates.size();
  return updates;
}

std::size_t CoalescingQueue::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t CoalescingQueue::agent_states() const {
  std::lock_guard lock(mutex_);
  return agent_states_;
}

TelemetryQueueCounters CoalescingQueue::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace hivemind::telemetry_detail
