// The deadlines of every request awaiting an answer, ordered, so one timer serves them
// all: it is armed at the earliest deadline and re-armed only when that moves earlier,
// instead of one timer armed and cancelled per request. Sans-IO, over slot indices (see
// SlotPool): insertion walks from the back, O(1) when deadlines come in order (they
// do with one default budget); removal is O(1).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace hivemind::mcp_detail {

class DeadlineQueue {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::uint32_t npos = UINT32_MAX;

  // Queues `index` (not queued yet). True when it became the earliest deadline.
  bool insert(std::uint32_t index, clock::time_point deadline);
  // Unqueues `index`; nothing happens if it is not queued.
  void erase(std::uint32_t index) noexcept;

  bool empty() const noexcept { return head_ == npos; }
  bool contains(std::uint32_t index) const noexcept {
    return index < links_.size() && links_[index].queued;
  }
  // The earliest deadline and its index (queue not empty).
  clock::time_point next_deadline() const noexcept { return links_[head_].deadline; }
  std::uint32_t front() const noexcept { return head_; }

  // Unqueues every index whose deadline is at or before `now`, earliest first, calling
  // on_expired(index) for each after it left the queue.
  template <class OnExpired>
  void expire(clock::time_point now, OnExpired on_expired) {
    while (head_ != npos && links_[head_].deadline <= now) {
      const std::uint32_t index = head_;
      erase(index);
      on_expired(index);
    }
  }

 private:
  struct Link {
    clock::time_point deadline{};
    std::uint32_t prev = npos;
    std::uint32_t next = npos;
    bool queued = false;
  };
  std::vector<Link> links_;
  std::uint32_t head_ = npos;
  std::uint32_t tail_ = npos;
};

}  // namespace hivemind::mcp_detail
