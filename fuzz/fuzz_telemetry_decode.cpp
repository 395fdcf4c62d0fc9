// Telemetry decoding, differential: whenever the single-pass scanner decides a line,
// its result is exactly what the reference (nlohmann DOM + the models' from_json)
// makes of it, and decode_telemetry_update (scanner, then DOM) always is.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "telemetry/telemetry_update_reader.hpp"

namespace {

using hivemind::TelemetryUpdate;
using hivemind::telemetry_detail::decode_telemetry_update;
using hivemind::telemetry_detail::decode_telemetry_update_dom;
using hivemind::telemetry_detail::scan_telemetry_update;
using hivemind::telemetry_detail::ScanOutcome;

// Every field of the update, doubles to the last bit (-0.0 and 0.0 differ).
std::string text_of(const std::optional<TelemetryUpdate>& update) {
  return update ? nlohmann::json(*update).dump() : "(not an update)";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const std::optional<TelemetryUpdate> reference = decode_telemetry_update_dom(line);
  const std::string expected = text_of(reference);

  TelemetryUpdate scanned;
  switch (scan_telemetry_update(line, scanned)) {
    case ScanOutcome::update:
      FUZZ_CHECK(text_of(scanned) == expected);
      break;
    case ScanOutcome::not_update:
      FUZZ_CHECK(!reference.has_value());
      break;
    case ScanOutcome::undecided:
      break;
  }
  FUZZ_CHECK(text_of(decode_telemetry_update(line)) == expected);
  return 0;
}
