// The status string of a session, as `status`, `get` and `list` report it.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hivemind {

class SessionStatus {
 public:
  enum class Kind {
    created,
    starting,
    running,
    completed,
    failed,
    not_found,
    other,  // a string the SDK does not know (e.g. `paused`); kept verbatim in text()
  };

  // An empty status of kind `other`; only useful as a placeholder before assignment.
  SessionStatus() = default;
  SessionStatus(
      Kind kind);  // NOLINT(google-explicit-constructor): `status == Kind::running` reads well

  // Never fails: unknown strings become Kind::other and keep their text.
  static SessionStatus parse(std::string_view text);

  Kind kind() const noexcept { return kind_; }
  const std::string& text() const noexcept { return text_; }

  // completed or failed: the container will not change it by itself.
  bool is_terminal() const noexcept { return kind_ == Kind::completed || kind_ == Kind::failed; }
  // starting or running: a process should be working on it.
  bool is_running() const noexcept { return kind_ == Kind::starting || kind_ == Kind::running; }

  friend bool operator==(const SessionStatus& a, const SessionStatus& b) noexcept {
    return a.text_ == b.text_;
  }
  friend bool operator==(const SessionStatus& a, Kind b) noexcept { return a.kind_ == b; }

 private:
  Kind kind_ = Kind::other;
  std::string text_;
};

std::string_view to_string(SessionStatus::Kind kind) noexcept;

void to_json(nlohmann::json& out, const SessionStatus& status);
void from_json(const nlohmann::json& in, SessionStatus& status);

}  // namespace hivemind
