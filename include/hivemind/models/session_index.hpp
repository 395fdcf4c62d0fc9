// The session registry that `list` prints:
// {"sessions": {UUID: {task, status, created, updated?, dir}}, "created": TS}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "hivemind/models/session_status.hpp"
#include "hivemind/models/timestamp.hpp"

namespace hivemind {

struct SessionSummary {
  std::string session_id;
  std::string task;
  SessionStatus status;
  std::optional<Timestamp> created;
  std::optional<Timestamp> updated;
  std::string dir;  // container path of the session directory
};

struct SessionIndex {
  std::unordered_map<std::string, SessionSummary> sessions;  // keyed by session UUID
  std::optional<Timestamp> created;                          // when the registry was made

  // nullptr when the registry does not know the UUID.
  const SessionSummary* find(std::string_view session_id) const;
};

void from_json(const nlohmann::json& in, SessionSummary& out);
void to_json(nlohmann::json& out, const SessionSummary& in);
// A missing "sessions" object, or an entry without a status, throws
// hivemind::Error(protocol_error) naming what is missing.
void from_json(const nlohmann::json& in, SessionIndex& out);
void to_json(nlohmann::json& out, const SessionIndex& in);

}  // namespace hivemind
