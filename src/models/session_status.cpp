#include "hivemind/models/session_status.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

namespace hivemind {
namespace {

constexpr std::array<std::pair<std::string_view, SessionStatus::Kind>, 6> kKnown{{
    {"created", SessionStatus::Kind::created},
    {"starting", SessionStatus::Kind::starting},
    {"running", SessionStatus::Kind::running},
    {"completed", SessionStatus::Kind::completed},
    {"failed", SessionStatus::Kind::failed},
    {"not_found", SessionStatus::Kind::not_found},
}};

}  // namespace

SessionStatus::SessionStatus(Kind kind) : kind_(kind), text_(to_string(kind)) {}

SessionStatus SessionStatus::parse(std::string_view text) {
  SessionStatus status;
  status.text_ = std::string(text);
  for (const auto& [name, kind] : kKnown) {
    if (name == text) status.kind_ = kind;
  }
  return status;
}

std::string_view to_string(SessionStatus::Kind kind) noexcept {
  for (const auto& [name, known] : kKnown) {
    if (known == kind) return name;
  }
  return "other";
}

void to_json(nlohmann::json& out, const SessionStatus& status) {
  out = status.text();
}

void from_json(const nlohmann::json& in, SessionStatus& status) {
  status = SessionStatus::parse(in.get<std::string>());
}

}  // namespace hivemind
