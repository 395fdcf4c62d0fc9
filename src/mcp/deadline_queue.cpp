#include "mcp/deadline_queue.hpp"

namespace hivemind::mcp_detail {

bool DeadlineQueue::insert(std::uint32_t index, clock::time_point deadline) {
  if (index >= links_.size()) links_.resize(index + 1);
  Link& link = links_[index];
  link.deadline = deadline;
  link.queued = true;
  // After the last entry whose deadline is not later: equal deadlines keep their order.
  std::uint32_t after = tail_;
  while (after != npos && links_[after].deadline > deadline) after = links_[after].prev;
  link.prev = after;
  link.next = after == npos ? head_ : links_[after].next;
  if (link.next != npos) {
    links_[link.next].prev = index;
  } else {
    tail_ = index;
  }
  if (after != npos) {
    links_[after].next = index;
    return false;
  }
  head_ = index;
  return true;
}

void DeadlineQueue::erase(std::uint32_t index) noexcept {
  if (!contains(index)) return;
  Link& link = links_[index];
  if (link.prev != npos) {
    links_[link.prev].next = link.next;
  } else {
    head_ = link.next;
  }
  if (link.next != npos) {
    links_[link.next].prev = link.prev;
  } else {
    tail_ = link.prev;
  }
  link = Link{};
}

}  // namespace hivemind::mcp_detail
