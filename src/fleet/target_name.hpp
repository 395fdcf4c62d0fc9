// Target names of a fleet end up in paths (the journal subdirectory) and in hivectl
// arguments, so only a safe alphabet is accepted.
#pragma once

#include <string_view>

namespace hivemind::detail {

// Throws invalid_argument naming the name and what is wrong with it.
void validate_target_name(std::string_view name);

}  // namespace hivemind::detail
