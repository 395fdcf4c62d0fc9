// LineFramer, both policies: whatever the chunking, the lines handed out are those of the
// whole stream.
//  - protocol: terminator and one trailing '\r' removed, empty lines skipped, up to the
//    first line over the limit, after which nothing more is handed out (checked against a
//    reference framing written the obvious way);
//  - text: the same lines cut into pieces of at most the limit, empty lines kept (checked
//    against one feed of the whole stream, with every piece within the limit and nothing lost).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/line_framer.hpp"
#include "fuzz_check.hpp"

namespace {

using hivemind::detail::LineFramer;

struct Framing {
  std::vector<std::string> lines;
  bool overflowed = false;
  std::size_t buffered = 0;
};

// The protocol framing, written the obvious way over the whole stream at once.
Framing reference_protocol_framing(std::string_view stream, std::size_t max_line_size) {
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

// Feeds the stream in pseudo-random chunks of 1..17 bytes derived from `chunk_seed`.
Framing frame_in_chunks(LineFramer::Policy policy, std::string_view stream, unsigned chunk_seed,
                        bool at_eof) {
  LineFramer framer(policy);
  Framing actual;
  bool accepting = true;
  const auto keep = [&](std::string_view line) {
    FUZZ_CHECK(accepting);  // nothing may come out once the stream broke
    actual.lines.emplace_back(line);
  };
  for (std::size_t pos = 0; pos < stream.size();) {
    chunk_seed = chunk_seed * 1103515245u + 12345u;
    const std::size_t chunk_size =
        std::min<std::size_t>(1 + (chunk_seed >> 16) % 17, stream.size() - pos);
    const bool fed = framer.feed(stream.substr(pos, chunk_size), keep);
    FUZZ_CHECK(fed == !framer.overflowed());
    if (!fed) accepting = false;
    pos += chunk_size;
  }
  actual.overflowed = framer.overflowed();
  actual.buffered = framer.buffered_size();
  if (at_eof) framer.finish(keep);
  return actual;
}

void check_protocol(std::string_view stream, std::size_t max_line_size, unsigned chunk_seed) {
  const Framing actual =
      frame_in_chunks(LineFramer::protocol(max_line_size), stream, chunk_seed, false);
  const Framing expected = reference_protocol_framing(stream, max_line_size);
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
}

void check_text(std::string_view stream, std::size_t max_line_size, unsigned chunk_seed) {
  const auto policy = LineFramer::text(max_line_size);
  const Framing chunked = frame_in_chunks(policy, stream, chunk_seed, true);
  FUZZ_CHECK(!chunked.overflowed);
  FUZZ_CHECK(chunked.buffered <= policy.max_line_bytes + 1);
  for (const auto& line : chunked.lines) FUZZ_CHECK(line.size() <= policy.max_line_bytes);

  // Chunking changes nothing: one feed of the whole stream frames it the same way.
  LineFramer whole(policy);
  std::vector<std::string> at_once;
  const auto keep = [&](std::string_view line) { at_once.emplace_back(line); };
  whole.feed(stream, keep);
  whole.finish(keep);
  FUZZ_CHECK(chunked.lines == at_once);

  // Nothing is lost: without '\r', the pieces are the stream without its newlines.
  if (stream.find('\r') == std::string_view::npos) {
    std::string pieces;
    for (const auto& line : chunked.lines) pieces += line;
    std::string content;
    for (const char c : stream) {
      if (c != '\n') content += c;
    }
    FUZZ_CHECK(pieces == content);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: the line limit (low 6 bits) and the policy (bit 7); byte 1: seeds the chunk
  // sizes; the rest is the stream.
  const std::size_t max_line_size = data[0] % 64;
  const bool text_policy = (data[0] & 0x80) != 0;
  const unsigned chunk_seed = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  if (text_policy) {
    check_text(stream, max_line_size, chunk_seed);
  } else {
    check_protocol(stream, max_line_size, chunk_seed);
  }
  return 0;
}
