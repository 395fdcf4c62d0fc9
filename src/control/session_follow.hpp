// Following a session's log until the session ends, without losing its last lines.
//
// `tail -F` never ends by itself, and cannot be told reliably when the session is over
// (`tail --pid` waits forever on a session process left as a zombie, which happens in
// containers whose init does not reap). So the follow runs beside a check of the session
// at FollowLogOptions::end_check_interval; once the session has ended, tail is stopped and
// the rest of the file, from the exact byte where tail stopped, is read and delivered.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "control/client_operations.hpp"
#include "hivemind/control/follow_log_options.hpp"

namespace hivemind::detail {

// Whether the session has ended for good: it started and its start process is gone (a
// completed, failed or dead session), or, in a container that cannot tell (no pgrep), its
// status says completed or failed. A session still writing after recording its final
// status has not ended.
boost::asio::awaitable<bool> session_has_ended(ClientConfig config, std::string session_id);

// Follows the log at `container_log_path` until the session has ended (then returns
// normally) or the follow fails or is cancelled (see LogFollower::run).
boost::asio::awaitable<void> follow_session_log(ClientConfig config, std::string session_id,
                                                std::string container_log_path,
                                                FollowLogOptions options,
                                                std::function<void(std::string_view)> on_line);

}  // namespace hivemind::detail
