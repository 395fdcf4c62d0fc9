#include "common/line_framer.hpp"

namespace hivemind::mcp_detail {

LineFramer::LineFramer(std::size_t max_line_size) : max_line_size_(max_line_size) {}

bool LineFramer::emit(std::string_view line, const LineHandler& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_size_) {
    overflowed_ = true;
    return false;
  }
  if (!line.empty()) on_line(line);
  return true;
}

bool LineFramer::feed(std::string_view chunk, const LineHandler& on_line) {
  if (overflowed_) return false;
  std::size_t newline = chunk.find('\n');
  if (newline != std::string_view::npos && !partial_.empty()) {
    // Complete the line started by earlier chunks.
    partial_.append(chunk.substr(0, newline));
    std::string line = std::move(partial_);
    partial_.clear();
    if (!emit(line, on_line)) return false;
    chunk.remove_prefix(newline + 1);
    newline = chunk.find('\n');
  }
  // Whole lines inside the chunk are handed out without copying.
  while (newline != std::string_view::npos) {
    if (!emit(chunk.substr(0, newline), on_line)) return false;
    chunk.remove_prefix(newline + 1);
    newline = chunk.find('\n');
  }
  // +1 leaves room for a trailing "\r" that the terminator will reveal as part of "\r\n".
  if (partial_.size() + chunk.size() > max_line_size_ + 1) {
    overflowed_ = true;
    partial_.clear();
    return false;
  }
  partial_.append(chunk);
  return true;
}

}  // namespace hivemind::mcp_detail
