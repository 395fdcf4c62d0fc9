// Splits the Engine API's multiplexed exec stream (no TTY) into stdout and stderr. Each frame
// is an 8-byte header {stream, 0, 0, 0, size as big-endian uint32} and `size` bytes; frames
// arrive cut anywhere by the socket reads. Sans-IO: the caller feeds what it read.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hivemind::detail {

enum class ExecStream : std::uint8_t { stdin_echo = 0, out = 1, err = 2 };

class ExecStreamDemux {
 public:
  // Calls sink(ExecStream, std::string_view) for each piece of payload in `bytes` and
  // returns false as soon as the sink does (it wants no more) or a header is malformed.
  template <typename Sink>
  bool feed(std::string_view bytes, Sink&& sink) {
    while (!bytes.empty()) {
      if (remaining_ == 0) {
        const std::size_t take = std::min(bytes.size(), header_.size() - header_size_);
        for (std::size_t i = 0; i < take; ++i) header_[header_size_++] = bytes[i];
        bytes.remove_prefix(take);
        if (header_size_ < header_.size()) return true;
        if (!start_frame()) return false;
        continue;
      }
      const std::size_t take = std::min<std::size_t>(bytes.size(), remaining_);
      remaining_ -= take;
      if (!sink(stream_, bytes.substr(0, take))) return false;
      bytes.remove_prefix(take);
    }
    return true;
  }

  // Whether the stream ended between frames (a cut inside a frame means output was lost).
  bool at_frame_boundary() const { return remaining_ == 0 && header_size_ == 0; }
  bool malformed() const { return malformed_; }

 private:
  bool start_frame();

  std::array<char, 8> header_{};
  std::size_t header_size_ = 0;
  std::uint32_t remaining_ = 0;
  ExecStream stream_ = ExecStream::out;
  bool malformed_ = false;
};

}  // namespace hivemind::detail
