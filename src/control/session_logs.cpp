// SessionHandle's log access: the container path from the session manager, then tail.
#include <boost/asio/use_awaitable.hpp>

#include "common/run_sync.hpp"
#include "control/session_follow.hpp"
#include "control/session_log.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
}  // namespace

asio::awaitable<std::vector<std::string>> SessionHandle::read_log_op(SessionHandle session,
                                                                     std::size_t last_n_lines) {
  const auto& config = session.client_.config_;
  auto path = co_await HiveMindClient::log_file_op(config, session.uuid_);
  co_return co_await detail::read_log_tail(*config, std::move(path), last_n_lines);
}

asio::awaitable<void> SessionHandle::follow_log_op(
    SessionHandle session, FollowLogOptions options,
    std::function<void(std::string_view line)> on_line) {
  const auto config = session.client_.config_;
  auto path = co_await HiveMindClient::log_file_op(config, session.uuid_);
  co_await detail::follow_session_log(config, session.uuid_, std::move(path), options,
                                      std::move(on_line));
}

std::vector<std::string> SessionHandle::read_log(std::size_t last_n_lines) const {
  return detail::run_sync(read_log_op(*this, last_n_lines));
}

void SessionHandle::follow_log(const std::function<void(std::string_view line)>& on_line,
                               std::stop_token stop, const FollowLogOptions& options) const {
  try {
    detail::run_sync(follow_log_op(*this, options, on_line), stop);
  } catch (const Error& e) {
    // A requested stop is the caller's way to end the follow, not a failure.
    if (e.kind() == errc::cancelled && stop.stop_requested()) return;
    throw;
  }
}

}  // namespace hivemind
