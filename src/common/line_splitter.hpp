// Splits a byte stream (a log read through a pipe) into lines. Sans-IO.
//
// Lines are delivered without their terminator ("\n", or "\r\n"); empty lines are content
// and are delivered too. A partial line is held until its "\n" arrives, or until finish()
// (end of stream). Memory is bounded: a line longer than `max_line_bytes` is delivered in
// pieces of at most that many bytes (never cutting a UTF-8 sequence when a boundary lies
// within its last 3 bytes), so one runaway line neither ends the stream nor grows the buffer.
//
// (The MCP transport's mcp_detail::LineFramer fails the connection on an overlong line and
// skips empty lines instead: a protocol stream, unlike a log, must not be split.)
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hivemind::detail {

class LineSplitter {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  // `max_line_bytes` is at least 1.
  explicit LineSplitter(std::size_t max_line_bytes);

  // Delivers every line that `chunk` completes, in order.
  void feed(std::string_view chunk, const LineHandler& on_line);
  // End of stream: delivers the held partial line, if any.
  void finish(const LineHandler& on_line);

  // Bytes of the partial line waiting for its terminator (at most max_line_bytes + 1).
  std::size_t held_bytes() const noexcept { return held_.size(); }

 private:
  void hold(std::string_view data, const LineHandler& on_line);
  void deliver(std::string_view line, const LineHandler& on_line) const;
  std::size_t piece_length(std::string_view text) const;

  std::size_t max_line_bytes_;
  std::string held_;
};

}  // namespace hivemind::detail
