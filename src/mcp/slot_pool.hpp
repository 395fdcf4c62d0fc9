// Pooled slots for requests awaiting their answer: a vector and a free list, so a request
// costs no allocation once the pool has grown to the peak in flight. A slot is named by
// its index and a generation that changes on every reuse: a stale name (the answer to a
// request that timed out) finds nothing instead of someone else's request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hivemind::mcp_detail {

struct SlotName {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;
};

template <class Payload>
class SlotPool {
 public:
  // A fresh slot holding `payload`. References into the pool do not survive this call.
  SlotName acquire(Payload payload) {
    std::uint32_t index = 0;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    Entry& entry = entries_[index];
    entry.payload = std::move(payload);
    entry.used = true;
    ++in_use_;
    return {index, entry.generation};
  }

  // The payload of a live slot, or nullptr for a free slot or a stale name.
  Payload* find(SlotName name) noexcept {
    if (name.index >= entries_.size()) return nullptr;
    Entry& entry = entries_[name.index];
    return entry.used && entry.generation == name.generation ? &entry.payload : nullptr;
  }
  Payload* at(std::uint32_t index) noexcept {
    return index < entries_.size() && entries_[index].used ? &entries_[index].payload : nullptr;
  }

  // Frees a live slot and hands its payload back.
  Payload release(std::uint32_t index) {
    Entry& entry = entries_[index];
    Payload payload = std::move(entry.payload);
    entry.payload = Payload{};
    entry.used = false;
    ++entry.generation;
    --in_use_;
    free_.push_back(index);
    return payload;
  }

  std::size_t in_use() const noexcept { return in_use_; }
  // Slots ever created (live or free): the indices to visit to reach every live slot.
  std::size_t capacity() const noexcept { return entries_.size(); }
  void reserve(std::size_t slots) {
    entries_.reserve(slots);
    free_.reserve(slots);
  }

 private:
  struct Entry {
    Payload payload{};
    std::uint32_t generation = 0;
    bool used = false;
  };
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_;
  std::size_t in_use_ = 0;
};

}  // namespace hivemind::mcp_detail
