#include "telemetry/telemetry_decoder.hpp"

#include "hivemind/common/logging.hpp"

namespace hivemind::telemetry_detail {
namespace {

bool looks_like_json_object(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '{';
}

}  // namespace

TelemetryDecoder::TelemetryDecoder(std::size_t max_line_size, UpdateHandler on_update,
                                   OtherLineHandler on_other_line)
    : framer_(detail::LineFramer::protocol(max_line_size)),
      on_update_(std::move(on_update)),
      on_other_line_(std::move(on_other_line)) {}

bool TelemetryDecoder::feed(std::string_view bytes) {
  counters_.bytes += bytes.size();
  return framer_.feed(bytes, [this](std::string_view line) { decode_line(line); });
}

void TelemetryDecoder::decode_line(std::string_view line) {
  ++counters_.lines;
  if (!looks_like_json_object(line)) {
    ++counters_.noise_lines;
    logger()->trace("telemetry: skipping non-JSON line ({} bytes)", line.size());
    return;
  }
  if (auto update = decode_telemetry_update(line)) {
    ++counters_.updates;
    counters_.agent_updates += update->agents.size();
    if (on_update_) on_update_(std::move(*update));
    return;
  }
  if (on_other_line_) on_other_line_(line);
}

}  // namespace hivemind::telemetry_detail
