#include "process/exec_stream_demux.hpp"

namespace hivemind::detail {

bool ExecStreamDemux::start_frame() {
  const auto byte = [this](std::size_t i) { return static_cast<std::uint8_t>(header_[i]); };
  header_size_ = 0;
  if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) {
    malformed_ = true;
    return false;
  }
  stream_ = static_cast<ExecStream>(byte(0));
  remaining_ = (std::uint32_t{byte(4)} << 24) | (std::uint32_t{byte(5)} << 16) |
               (std::uint32_t{byte(6)} << 8) | std::uint32_t{byte(7)};
  return true;
}

}  // namespace hivemind::detail
