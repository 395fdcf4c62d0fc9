// Splits a byte stream into lines. Shared by the TCP transport (port 9500) and the
// WebSocket transport (port 3002), whose frames are not line-aligned either.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hivemind::mcp_detail {

class LineFramer {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  // A line longer than `max_line_size` bytes (terminator excluded) breaks the stream:
  // buffering it would let a peer grow our memory without bound.
  explicit LineFramer(std::size_t max_line_size);

  // Hands every complete line in `chunk` (plus what earlier chunks left over) to
  // `on_line`, without its "\n" or "\r\n"; empty lines are skipped. Returns false once
  // a line exceeded the maximum; the framer then ignores all further input.
  bool feed(std::string_view chunk, const LineHandler& on_line);

  // Bytes of the incomplete line waiting for its terminator.
  std::size_t buffered_size() const noexcept { return partial_.size(); }
  bool overflowed() const noexcept { return overflowed_; }

 private:
  bool emit(std::string_view line, const LineHandler& on_line);

  std::size_t max_line_size_;
  std::string partial_;
  bool overflowed_ = false;
};

}  // namespace hivemind::mcp_detail
