#include "hivemind/session_handle.hpp"

#include "detail/input_validation.hpp"

namespace hivemind {

SessionHandle SessionHandle::from_uuid(HiveMindClient client, std::string_view session_id) {
  detail::validate_uuid(session_id);
  return SessionHandle(std::move(client), std::string(session_id));
}

}  // namespace hivemind
