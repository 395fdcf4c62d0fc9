#include "fleet_targets.hpp"

namespace hivectl {

nlohmann::json targets_json(const std::vector<hivemind::TargetState>& targets) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& target : targets) {
    entries.push_back({{"name", target.name},
                       {"health", hivemind::to_string(target.health)},
                       {"running", target.running_sessions},
                       {"known", target.known_sessions},
                       {"placed", target.placed_sessions},
                       {"last_error", target.last_error}});
  }
  return entries;
}

void print_targets_table(const Output& output, const std::vector<hivemind::TargetState>& targets) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& target : targets) {
    std::string error = target.last_error.empty() ? "-" : target.last_error;
    for (char& c : error) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    rows.push_back({target.name, std::string(hivemind::to_string(target.health)),
                    std::to_string(target.running_sessions), std::to_string(target.known_sessions),
                    std::to_string(target.placed_sessions), error});
  }
  output.table({"TARGET", "HEALTH", "RUNNING", "KNOWN", "PLACED", "LAST_ERROR"}, rows);
}

}  // namespace hivectl
