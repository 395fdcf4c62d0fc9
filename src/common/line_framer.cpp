#include "common/line_framer.hpp"

#include "common/utf8.hpp"

namespace hivemind::detail {

bool LineFramer::feed(std::string_view chunk, const LineHandler& on_line) {
  if (overflowed_) return false;
  for (auto newline = chunk.find('\n'); newline != std::string_view::npos;
       newline = chunk.find('\n')) {
    const auto line = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (held_.empty()) {
      // The common case: a whole line inside the chunk, handed out without a copy.
      if (!deliver(line, on_line)) return false;
      continue;
    }
    if (!hold(line, on_line)) return false;
    const std::string whole = std::move(held_);
    held_.clear();
    if (!deliver(whole, on_line)) return false;
  }
  return hold(chunk, on_line);
}

void LineFramer::finish(const LineHandler& on_line) {
  if (overflowed_ || held_.empty()) return;
  const std::string rest = std::move(held_);
  held_.clear();
  deliver(rest, on_line);
}

// Appends to the partial line. One byte more than the bound is kept when it may be the "\r"
// of a "\r\n" that ends a full-length line; past that the line is overlong.
bool LineFramer::hold(std::string_view data, const LineHandler& on_line) {
  const std::size_t bound = policy_.max_line_bytes;
  if (policy_.overlong == Overlong::fail) {
    if (held_.size() + data.size() > bound + 1) {
      overflowed_ = true;
      held_.clear();
      return false;
    }
    held_.append(data);
    return true;
  }
  held_.append(data);
  std::string_view rest = held_;
  while (rest.size() > bound && !(rest.size() == bound + 1 && rest.back() == '\r')) {
    const auto length = piece_length(rest);
    on_line(rest.substr(0, length));
    rest.remove_prefix(length);
  }
  held_.erase(0, held_.size() - rest.size());
  return true;
}

bool LineFramer::deliver(std::string_view line, const LineHandler& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > policy_.max_line_bytes) {
    if (policy_.overlong == Overlong::fail) {
      overflowed_ = true;
      return false;
    }
    do {
      const auto length = piece_length(line);
      on_line(line.substr(0, length));
      line.remove_prefix(length);
    } while (line.size() > policy_.max_line_bytes);
  }
  if (!line.empty() || !policy_.skip_empty_lines) on_line(line);
  return true;
}

// The length of the next piece of an overlong line: the bound, moved back to the start of a
// UTF-8 sequence if one is cut there (at most 3 bytes back; invalid UTF-8 is cut anywhere).
std::size_t LineFramer::piece_length(std::string_view text) const {
  const std::size_t bound = policy_.max_line_bytes;
  std::size_t length = bound;
  for (std::size_t back = 0; back < 3 && length > 1 && is_utf8_continuation(text[length]); ++back) {
    --length;
  }
  return is_utf8_continuation(text[length]) ? bound : length;
}

}  // namespace hivemind::detail
