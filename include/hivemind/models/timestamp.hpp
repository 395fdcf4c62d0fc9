// An ISO-8601 timestamp with its UTC offset, as `date -Iseconds` writes it
// (`2025-10-05T19:45:00+00:00`). The instant and the offset are both kept so
// the value prints back as it was read.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hivemind {

struct Timestamp {
  std::chrono::sys_seconds utc{};      // the instant
  std::chrono::minutes utc_offset{0};  // the writer's offset from UTC

  // Accepts `YYYY-MM-DDTHH:MM:SS` followed by `Z`, `±HH:MM` or `±HHMM`; a fractional
  // part of the seconds is accepted and dropped (the container writes whole seconds).
  static std::optional<Timestamp> parse(std::string_view text) noexcept;

  // ISO-8601 in the original offset, e.g. `2025-10-05T21:45:00+02:00`.
  std::string to_string() const;

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

void to_json(nlohmann::json& out, const Timestamp& timestamp);
// Throws hivemind::Error(protocol_error) naming the text when it is not ISO-8601.
void from_json(const nlohmann::json& in, Timestamp& timestamp);

}  // namespace hivemind
