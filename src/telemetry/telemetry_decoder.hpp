// Sans-IO decoding of what arrives on port 3002: bytes in, typed telemetry
// updates and JSON-RPC lines out. Frames are not line-aligned (several lines per
// frame, lines split across frames, plain log text in between), so the bytes go
// through the shared line framer first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/line_framer.hpp"
#include "hivemind/telemetry/telemetry_models.hpp"
#include "telemetry/telemetry_update_reader.hpp"

namespace hivemind::telemetry_detail {

struct DecoderCounters {
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  std::uint64_t updates = 0;
  std::uint64_t agent_updates = 0;
  std::uint64_t noise_lines = 0;  // plain text between the JSON lines, skipped
};

class TelemetryDecoder {
 public:
  using UpdateHandler = std::function<void(TelemetryUpdate)>;
  // JSON lines that are not telemetry (JSON-RPC answers, errors, notifications).
  using OtherLineHandler = std::function<void(std::string_view line)>;

  TelemetryDecoder(std::size_t max_line_size, UpdateHandler on_update,
                   OtherLineHandler on_other_line);

  // Returns false once a line exceeded the maximum: the stream is broken and the
  // decoder ignores further input.
  bool feed(std::string_view bytes);

  const DecoderCounters& counters() const noexcept { return counters_; }

 private:
  void decode_line(std::string_view line);

  detail::LineFramer framer_;
  UpdateHandler on_update_;
  OtherLineHandler on_other_line_;
  DecoderCounters counters_;
};

}  // namespace hivemind::telemetry_detail
