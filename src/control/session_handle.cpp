#include "hivemind/control/session_handle.hpp"

#include "common/run_sync.hpp"
#include "control/input_validation.hpp"

namespace hivemind {

SessionHandle SessionHandle::from_uuid(HiveMindClient client, std::string_view session_id) {
  detail::validate_uuid(session_id);
  return SessionHandle(std::move(client), std::string(session_id));
}

SessionMetadata SessionHandle::refresh() const {
  return detail::run_sync(
      HiveMindClient::get_op(client_.config_, uuid_, HiveMindClient::MetadataSource::container));
}

SessionOutputs SessionHandle::outputs() const {
  return SessionOutputs(SessionOutputs::resolve_host_ext_dir(client_.options().host_ext_dir),
                        uuid_);
}

std::filesystem::path SessionHandle::host_output_dir() const {
  return SessionOutputs::to_host_path(
      SessionOutputs::resolve_host_ext_dir(client_.options().host_ext_dir), output_dir());
}

}  // namespace hivemind
