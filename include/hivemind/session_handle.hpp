// SessionHandle: one session UUID tied to the client that created or found it.
// Cheap to copy; copies refer to the same session.
#pragma once

#include <string>
#include <string_view>

#include "hivemind/hivemind_client.hpp"

namespace hivemind {

class SessionHandle {
 public:
  // An empty handle (uuid() is empty; every operation fails with invalid_argument).
  // Exists because asynchronous completions need a default-constructible result.
  SessionHandle() : client_(HiveMindClient::EmptyTag{}) {}

  // Validates the UUID (invalid_argument otherwise); does not contact the container.
  static SessionHandle from_uuid(HiveMindClient client, std::string_view session_id);

  const std::string& uuid() const noexcept { return uuid_; }
  const HiveMindClient& client() const noexcept { return client_; }

  SessionStatus status() const { return client_.status(uuid_); }
  SessionMetadata metadata() const { return client_.get(uuid_); }
  std::string output_dir() const { return client_.output_dir(uuid_); }
  std::string log_file() const { return client_.log_file(uuid_); }

  template <class Token>
  auto async_status(Token&& token) const {
    return client_.async_status(uuid_, std::forward<Token>(token));
  }
  template <class Token>
  auto async_metadata(Token&& token) const {
    return client_.async_get(uuid_, std::forward<Token>(token));
  }

 private:
  SessionHandle(HiveMindClient client, std::string session_id)
      : client_(std::move(client)), uuid_(std::move(session_id)) {}

  HiveMindClient client_;
  std::string uuid_;
};

}  // namespace hivemind
