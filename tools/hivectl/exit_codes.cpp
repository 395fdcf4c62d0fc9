#include "exit_codes.hpp"

namespace hivectl {

ExitCode exit_code_for(const hivemind::Error& error) noexcept {
  using hivemind::errc;
  switch (error.kind().value_or(errc::docker_exec_failed)) {
    case errc::invalid_argument:
      return ExitCode::usage;
    case errc::timeout:
      return ExitCode::timeout;
    case errc::cancelled:
      return ExitCode::interrupted;
    case errc::container_unavailable:
    case errc::connection_failed:
    case errc::connection_lost:
    case errc::auth_failed:
    case errc::rate_limited:
      return ExitCode::connection;
    case errc::session_not_found:
      return ExitCode::not_found;
    case errc::tool_unavailable:
    case errc::tool_failed:
      return ExitCode::tool_unavailable;
    case errc::task_failed:
      return ExitCode::session_failed;
    case errc::docker_exec_failed:
    case errc::protocol_error:
    case errc::rpc_error:
    case errc::output_too_large:
    case errc::journal_locked:
    case errc::journal_corrupt:
      return ExitCode::error;
  }
  return ExitCode::error;
}

ExitCode exit_code_for(hivemind::WaitOutcome outcome) noexcept {
  switch (outcome) {
    case hivemind::WaitOutcome::completed:
      return ExitCode::ok;
    case hivemind::WaitOutcome::failed:
      return ExitCode::session_failed;
    case hivemind::WaitOutcome::dead:
      return ExitCode::session_dead;
    case hivemind::WaitOutcome::stale:
      return ExitCode::session_stale;
    case hivemind::WaitOutcome::lost:  // the container no longer knows it
      return ExitCode::not_found;
  }
  return ExitCode::error;
}

}  // namespace hivectl
