// The one place a finished wait is written down: the journal's last known status and
// the metrics sink's session counters.
#pragma once

#include <string>

#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/wait_options.hpp"

namespace hivemind::detail {

void record_session_end(const HiveMindClient& client, const std::string& session_id,
                        const WaitResult& result);

}  // namespace hivemind::detail
