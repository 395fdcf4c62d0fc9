#include "hivemind/control/session_handle.hpp"

#include "common/run_sync.hpp"
#include "common/typed_cancellation.hpp"
#include "control/client_operations.hpp"
#include "control/input_validation.hpp"

namespace hivemind {

SessionHandle SessionHandle::from_uuid(HiveMindClient client, std::string_view session_id) {
  detail::validate_uuid(session_id);
  return SessionHandle(std::move(client), std::string(session_id));
}

SessionMetadata SessionHandle::refresh() const {
  return detail::run_sync(detail::get_op(detail::ClientAccess::config(client_), uuid_,
                                         detail::MetadataSource::container));
}

SessionOutputs SessionHandle::outputs() const {
  return SessionOutputs(SessionOutputs::resolve_host_ext_dir(client_.options().host_ext_dir),
                        uuid_);
}

std::filesystem::path SessionHandle::host_output_dir() const {
  return SessionOutputs::to_host_path(
      SessionOutputs::resolve_host_ext_dir(client_.options().host_ext_dir), output_dir());
}

void SessionHandle::launch_refresh(Completion<SessionMetadata> done) const {
  detail::co_spawn_typed(client_.get_executor(),
                         detail::get_op(detail::ClientAccess::config(client_), uuid_,
                                        detail::MetadataSource::container),
                         std::move(done));
}
void SessionHandle::launch_wait(WaitOptions options, Completion<WaitResult> done) const {
  detail::co_spawn_typed(client_.get_executor(), detail::wait_op(*this, std::move(options)),
                         std::move(done));
}
void SessionHandle::launch_follow_log(std::function<void(std::string_view line)> on_line,
                                      FollowLogOptions options, Completion<void> done) const {
  detail::co_spawn_typed(client_.get_executor(),
                         detail::follow_log_op(*this, options, std::move(on_line)),
                         std::move(done));
}
void SessionHandle::launch_read_log(std::size_t last_n_lines,
                                    Completion<std::vector<std::string>> done) const {
  detail::co_spawn_typed(client_.get_executor(), detail::read_log_op(*this, last_n_lines),
                         std::move(done));
}
void SessionHandle::launch_cancel(Completion<CancelOutcome> done) const {
  detail::co_spawn_typed(client_.get_executor(), detail::cancel_op(*this), std::move(done));
}

}  // namespace hivemind
