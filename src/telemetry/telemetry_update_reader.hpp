// One `telemetry_update` line into its typed form. The models' from_json over a
// nlohmann DOM defines the result; a single-pass scanner produces the same result
// for the shapes the documented stream sends, several times faster, and leaves
// every other line (escapes in strings, duplicate keys, syntax errors, ...) to the
// DOM path.
#pragma once

#include <optional>
#include <string_view>

#include "hivemind/telemetry/telemetry_models.hpp"

namespace hivemind::telemetry_detail {

// The scanner first, the DOM path when it is undecided; nullopt when the line is
// not a telemetry_update (not JSON, or another message type). A line that does not
// contain `telemetry_update` literally is not one (a cheap pre-check, so a type
// spelled with escapes is not recognised).
std::optional<TelemetryUpdate> decode_telemetry_update(std::string_view line);

// The reference: the same pre-check, a DOM parse, `type` checked, then from_json.
std::optional<TelemetryUpdate> decode_telemetry_update_dom(std::string_view line);

enum class ScanOutcome {
  update,      // `out` holds the update, exactly as the DOM path reads it
  not_update,  // a valid JSON object of another type
  undecided,   // a shape the scanner leaves to the DOM path; `out` is unspecified
};

// The fast path alone (exposed for the differential test and fuzz target). Strings
// with escapes, duplicate keys, values the scanner cannot convert exactly (numbers
// out of double range), nesting deeper than 64 levels and any syntax error are
// `undecided`.
ScanOutcome scan_telemetry_update(std::string_view line, TelemetryUpdate& out);

}  // namespace hivemind::telemetry_detail
