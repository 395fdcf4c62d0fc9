// One captured output stream (a child's pipe, or one side of an exec's multiplexed stream).
// Past its limit it stops growing and remembers the overflow; the caller then fails the call:
// nothing is silently truncated.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hivemind::detail {

struct BoundedCapture {
  std::string text;
  std::size_t limit;
  const char* name;  // "stdout", "stderr"
  bool overflowed = false;

  // false once the limit is passed.
  bool append(std::string_view data) {
    if (text.size() + data.size() > limit) {
      text.append(data.substr(0, limit - text.size()));
      overflowed = true;
      return false;
    }
    text.append(data);
    return true;
  }
};

}  // namespace hivemind::detail
