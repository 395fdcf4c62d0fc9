// Splits a byte stream into lines. Sans-IO; one framer for every stream the SDK reads:
// the MCP relay's JSON-RPC lines (port 9500), the telemetry stream's lines (port 3002,
// whose WebSocket frames are not line-aligned either) and session logs read through a pipe.
//
// Lines are delivered without their terminator ("\n", or "\r\n"). A partial line is held
// until its "\n" arrives, or until finish() (end of stream). Memory is bounded by
// `max_line_bytes` in both policies; they differ in what an overlong line means:
//  - protocol(): a protocol stream must not be split, so an overlong line breaks the stream
//    (feed() returns false from then on); empty lines carry nothing and are skipped.
//  - text(): a log line is content whatever its length, so an overlong line is delivered in
//    pieces of at most `max_line_bytes` (never cutting a UTF-8 sequence when a boundary lies
//    within its last 3 bytes); empty lines are content and are delivered too.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hivemind::detail {

class LineFramer {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  enum class Overlong { fail, split };
  struct Policy {
    std::size_t max_line_bytes;
    Overlong overlong;
    bool skip_empty_lines;
  };
  static Policy protocol(std::size_t max_line_bytes) noexcept {
    return {max_line_bytes, Overlong::fail, true};
  }
  // `max_line_bytes` is at least 1 (a piece holds at least one byte).
  static Policy text(std::size_t max_line_bytes) noexcept {
    return {max_line_bytes > 0 ? max_line_bytes : 1, Overlong::split, false};
  }

  explicit LineFramer(Policy policy) noexcept : policy_(policy) {}

  // Delivers every line that `chunk` completes, in order. Returns false once the stream
  // broke on an overlong line (protocol policy); all further input is then ignored.
  bool feed(std::string_view chunk, const LineHandler& on_line);
  // End of stream: delivers the held partial line, if any.
  void finish(const LineHandler& on_line);

  // Bytes of the partial line waiting for its terminator (at most max_line_bytes + 1).
  std::size_t buffered_size() const noexcept { return held_.size(); }
  bool overflowed() const noexcept { return overflowed_; }

 private:
  bool hold(std::string_view data, const LineHandler& on_line);
  bool deliver(std::string_view line, const LineHandler& on_line);
  std::size_t piece_length(std::string_view text) const;

  Policy policy_;
  std::string held_;
  bool overflowed_ = false;
};

}  // namespace hivemind::detail
