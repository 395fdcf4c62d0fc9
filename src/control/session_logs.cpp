// SessionHandle's log access: the container path from the session manager, then tail.
#include <boost/asio/use_awaitable.hpp>

#include "common/run_sync.hpp"
#include "control/client_operations.hpp"
#include "control/session_follow.hpp"
#include "control/session_log.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
}  // namespace

namespace detail {

asio::awaitable<std::vector<std::string>> read_log_op(SessionHandle session,
                                                      std::size_t last_n_lines) {
  const auto& config = ClientAccess::config(session.client());
  auto path = co_await log_file_op(config, session.uuid());
  co_return co_await read_log_tail(*config, std::move(path), last_n_lines);
}

asio::awaitable<void> follow_log_op(SessionHandle session, FollowLogOptions options,
                                    std::function<void(std::string_view line)> on_line) {
  const auto config = ClientAccess::config(session.client());
  auto path = co_await log_file_op(config, session.uuid());
  co_await follow_session_log(config, session.uuid(), std::move(path), options, std::move(on_line));
}

}  // namespace detail

std::vector<std::string> SessionHandle::read_log(std::size_t last_n_lines) const {
  return detail::run_sync(detail::read_log_op(*this, last_n_lines));
}

void SessionHandle::follow_log(const std::function<void(std::string_view line)>& on_line,
                               std::stop_token stop, const FollowLogOptions& options) const {
  try {
    detail::run_sync(detail::follow_log_op(*this, options, on_line), stop);
  } catch (const Error& e) {
    // A requested stop is the caller's way to end the follow, not a failure.
    if (e.kind() == errc::cancelled && stop.stop_requested()) return;
    throw;
  }
}

}  // namespace hivemind
