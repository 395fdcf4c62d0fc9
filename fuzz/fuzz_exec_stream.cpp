// ExecStreamDemux (the Engine API's multiplexed exec output): whatever the chunking, the
// payload handed out per stream is what a reference decoder of the whole stream finds, up to
// the first malformed header; the boundary flag says whether the stream ended between frames.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "process/exec_stream_demux.hpp"

namespace {

using hivemind::detail::ExecStream;
using hivemind::detail::ExecStreamDemux;

struct Decoded {
  std::string out;
  std::string err;
  bool malformed = false;
  bool at_boundary = true;
};

// Frames read the obvious way: header, then `size` bytes (fewer when the stream is cut).
Decoded reference_decode(std::string_view stream) {
  Decoded expected;
  while (!stream.empty()) {
    if (stream.size() < 8) {
      expected.at_boundary = false;
      return expected;
    }
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(stream[i]); };
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) {
      expected.malformed = true;
      return expected;
    }
    const std::size_t size = (std::size_t{byte(4)} << 24) | (std::size_t{byte(5)} << 16) |
                             (std::size_t{byte(6)} << 8) | byte(7);
    const bool is_err = byte(0) == 2;
    stream.remove_prefix(8);
    const auto payload = stream.substr(0, size);
    (is_err ? expected.err : expected.out) += payload;
    stream.remove_prefix(payload.size());
    if (payload.size() < size) expected.at_boundary = false;
  }
  return expected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // Byte 0 seeds the chunk sizes; the rest is the stream.
  unsigned chunk_seed = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  ExecStreamDemux demux;
  Decoded actual;
  bool going = true;
  for (std::size_t pos = 0; pos < stream.size() && going;) {
    chunk_seed = chunk_seed * 1103515245u + 12345u;
    const std::size_t chunk_size =
        std::min<std::size_t>(1 + (chunk_seed >> 16) % 23, stream.size() - pos);
    going =
        demux.feed(stream.substr(pos, chunk_size), [&](ExecStream which, std::string_view piece) {
          FUZZ_CHECK(which == ExecStream::out || which == ExecStream::err ||
                     which == ExecStream::stdin_echo);
          (which == ExecStream::err ? actual.err : actual.out) += piece;
          return true;
        });
    FUZZ_CHECK(going == !demux.malformed());
    pos += chunk_size;
  }
  const Decoded expected = reference_decode(stream);
  FUZZ_CHECK(demux.malformed() == expected.malformed);
  FUZZ_CHECK(actual.out == expected.out);
  FUZZ_CHECK(actual.err == expected.err);
  if (!expected.malformed) FUZZ_CHECK(demux.at_frame_boundary() == expected.at_boundary);
  return 0;
}
