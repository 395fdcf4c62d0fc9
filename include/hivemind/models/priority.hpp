// Session priority, as the session manager's `create` takes it.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hivemind {

enum class Priority { high, medium, low };

std::string_view to_string(Priority priority) noexcept;

// nullopt for anything but "high", "medium" or "low".
std::optional<Priority> parse_priority(std::string_view text) noexcept;

void to_json(nlohmann::json& out, Priority priority);
// Throws hivemind::Error(protocol_error) for an unknown priority string.
void from_json(const nlohmann::json& in, Priority& priority);

}  // namespace hivemind
