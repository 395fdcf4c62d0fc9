// Lines delivered by a follow or stream running on another thread, collected safely.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hivemind::testing {

class CollectedLines {
 public:
  void add(std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> get() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  bool contains(const std::string& line) const {
    const auto all = get();
    return std::find(all.begin(), all.end(), line) != all.end();
  }
  bool any_contains(std::string_view text) const {
    const auto all = get();
    return std::any_of(all.begin(), all.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace hivemind::testing
