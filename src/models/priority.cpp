#include "hivemind/models/priority.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind {

std::string_view to_string(Priority priority) noexcept {
  switch (priority) {
    case Priority::high:
      return "high";
    case Priority::medium:
      return "medium";
    case Priority::low:
      return "low";
  }
  return "medium";
}

std::optional<Priority> parse_priority(std::string_view text) noexcept {
  for (const auto candidate : {Priority::high, Priority::medium, Priority::low}) {
    if (to_string(candidate) == text) return candidate;
  }
  return std::nullopt;
}

void to_json(nlohmann::json& out, Priority priority) {
  out = std::string(to_string(priority));
}

void from_json(const nlohmann::json& in, Priority& priority) {
  const auto text = in.get<std::string>();
  const auto parsed = parse_priority(text);
  if (!parsed) {
    throw Error(errc::protocol_error,
                "unknown priority '" + text + "' (expected high, medium or low)");
  }
  priority = *parsed;
}

}  // namespace hivemind
