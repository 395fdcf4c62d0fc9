// What the session manager's `cleanup` did.
#pragma once

#include <string>
#include <vector>

namespace hivemind {

struct CleanupReport {
  // UUIDs from the script's `Cleaning up session: UUID` lines. The script's own final
  // count line always says 0 in the deployed container, so it is not used.
  std::vector<std::string> removed_sessions;

  std::size_t removed_count() const noexcept { return removed_sessions.size(); }
};

}  // namespace hivemind
