// One table for every verb of hive-session-manager.sh: what a finished run of the script
// means, from its exit code and output (container-contract.md §1). Pure: the control plane
// runs the verb, asks the table, and throws what it says (with the run's context); the
// success path's stdout is then parsed by session_manager_output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {

enum class Verb { create, start, status, get, list, output_dir, log, update_status, cleanup, init };

// The verb as the script spells it ("output-dir", "update-status", ...).
std::string_view verb_name(Verb verb) noexcept;

struct VerbRun {
  int exit_code = 0;
  std::string_view out;
  std::string_view err;
};

struct VerbFailure {
  errc code;
  std::string message;
};

// nullopt when the run succeeded; else the typed error it stands for. `session_id` (empty for
// verbs without one) names the session in the message.
std::optional<VerbFailure> verb_failure(Verb verb, std::string_view session_id, const VerbRun& run);

}  // namespace hivemind::detail
