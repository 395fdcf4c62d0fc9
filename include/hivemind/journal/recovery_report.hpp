// What SessionLifecycle::recover() returns (docs/lifecycle.md).
#pragma once

#include <string>
#include <vector>

#include "hivemind/control/session_handle.hpp"

namespace hivemind {

// A journal entry whose status recovery settled.
struct RecoveredSession {
  std::string session_id;
  std::string previous_status;  // what the journal said before
  std::string status;           // completed, failed, dead or lost
  std::string evidence;         // for dead/lost: what was observed
};

struct RecoveryReport {
  // Sessions still created/starting/running with a live process: ready to wait on.
  std::vector<SessionHandle> running;
  std::vector<RecoveredSession> finished;  // completed or failed while the application was away
  std::vector<RecoveredSession> dead;      // running, but their process is gone
  std::vector<RecoveredSession> lost;      // the container no longer knows them
};

}  // namespace hivemind
