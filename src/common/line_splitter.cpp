#include "common/line_splitter.hpp"

#include <algorithm>

namespace hivemind::detail {
namespace {

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

LineSplitter::LineSplitter(std::size_t max_line_bytes)
    : max_line_bytes_(std::max<std::size_t>(max_line_bytes, 1)) {}

void LineSplitter::feed(std::string_view chunk, const LineHandler& on_line) {
  for (auto newline = chunk.find('\n'); newline != std::string_view::npos;
       newline = chunk.find('\n')) {
    const auto line = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (held_.empty()) {
      deliver(line, on_line);  // the common case: a whole line inside the chunk, no copy
    } else {
      hold(line, on_line);
      const std::string whole = std::move(held_);
      held_.clear();
      deliver(whole, on_line);
    }
  }
  hold(chunk, on_line);
}

void LineSplitter::finish(const LineHandler& on_line) {
  if (held_.empty()) return;
  const std::string rest = std::move(held_);
  held_.clear();
  deliver(rest, on_line);
}

// Appends to the partial line; what goes past the bound leaves as pieces. One byte more is
// kept when it is a "\r": it may be the first half of a "\r\n" that ends a full-length line.
void LineSplitter::hold(std::string_view data, const LineHandler& on_line) {
  held_.append(data);
  std::string_view rest = held_;
  while (rest.size() > max_line_bytes_ &&
         !(rest.size() == max_line_bytes_ + 1 && rest.back() == '\r')) {
    const auto length = piece_length(rest);
    on_line(rest.substr(0, length));
    rest.remove_prefix(length);
  }
  held_.erase(0, held_.size() - rest.size());
}

void LineSplitter::deliver(std::string_view line, const LineHandler& on_line) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (line.size() > max_line_bytes_) {
    const auto length = piece_length(line);
    on_line(line.substr(0, length));
    line.remove_prefix(length);
  }
  on_line(line);
}

// The length of the next piece of an overlong line: the bound, moved back to the start of a
// UTF-8 sequence if one is cut there (at most 3 bytes back; invalid UTF-8 is cut anywhere).
std::size_t LineSplitter::piece_length(std::string_view text) const {
  std::size_t length = max_line_bytes_;
  for (std::size_t back = 0; back < 3 && length > 1 && is_utf8_continuation(text[length]); ++back) {
    --length;
  }
  return is_utf8_continuation(text[length]) ? max_line_bytes_ : length;
}

}  // namespace hivemind::detail
