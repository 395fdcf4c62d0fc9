// LineFramer: whatever the chunking, the lines handed out are exactly those of the
// whole stream (terminator and one trailing '\r' removed, empty lines skipped), up to
// the first line over the limit, after which nothing more is handed out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/line_framer.hpp"
#include "fuzz_check.hpp"

namespace {

struct Framing {
  std::vector<std::string> lines;
  bool overflowed = false;
  std::size_t buffered = 0;
};

// The framer's contract, written the obvious way over the whole stream at once.
Framing reference_framing(std::string_view stream, std::size_t max_line_size) {
  Framing expected;
  for (auto newline = stream.find('\n'); newline != std::string_view::npos;
       newline = stream.find('\n')) {
    std::string_view line = stream.substr(0, newline);
    stream.remove_prefix(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line_size) {
      expected.overflowed = true;
      return expected;
    }
    if (!line.empty()) expected.lines.emplace_back(line);
  }
  // A partial line may hold one byte more: the '\r' of a "\r\n" still to come.
  expected.overflowed = stream.size() > max_line_size + 1;
  expected.buffered = expected.overflowed ? 0 : stream.size();
  return expected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: the line limit; byte 1: seeds the chunk sizes; the rest is the stream.
  const std::size_t max_line_size = data[0] % 64;
  unsigned chunk_seed = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  hivemind::mcp_detail::LineFramer framer(max_line_size);
  Framing actual;
  bool accepting = true;
  for (std::size_t pos = 0; pos < stream.size();) {
    chunk_seed = chunk_seed * 1103515245u + 12345u;
    const std::size_t chunk_size =
        std::min<std::size_t>(1 + (chunk_seed >> 16) % 17, stream.size() - pos);
    const bool fed = framer.feed(stream.substr(pos, chunk_size), [&](std::string_view line) {
      FUZZ_CHECK(accepting);  // nothing may come out once the stream broke
      actual.lines.emplace_back(line);
    });
    FUZZ_CHECK(fed == !framer.overflowed());
    if (!fed) accepting = false;
    pos += chunk_size;
  }
  actual.overflowed = framer.overflowed();
  actual.buffered = framer.buffered_size();

  const Framing expected = reference_framing(stream, max_line_size);
  FUZZ_CHECK(actual.overflowed == expected.overflowed);
  FUZZ_CHECK(actual.lines == expected.lines);
  if (!expected.overflowed) FUZZ_CHECK(actual.buffered == expected.buffered);

  // Without '\r' and empty lines the framing loses nothing: lines + partial == stream.
  if (!expected.overflowed && stream.find('\r') == std::string_view::npos &&
      stream.find("\n\n") == std::string_view::npos && !stream.starts_with('\n')) {
    std::string reassembled;
    for (const auto& line : actual.lines) reassembled += line + '\n';
    FUZZ_CHECK(reassembled.size() + actual.buffered == stream.size());
    FUZZ_CHECK(stream.starts_with(reassembled));
  }
  return 0;
}
