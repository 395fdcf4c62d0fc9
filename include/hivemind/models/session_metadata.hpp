// The session JSON that `get UUID` prints.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_status.hpp"
#include "hivemind/models/timestamp.hpp"

namespace hivemind {

struct SessionMetadata {
  std::string session_id;
  std::string task;
  // nullopt when the file holds no priority or one the SDK does not know (see raw).
  std::optional<Priority> priority;
  Timestamp created;
  SessionStatus status;
  std::optional<Timestamp> updated;  // present once the status has changed
  std::string working_dir;           // container paths, as the script reports them
  std::string output_dir;
  std::string database;
  std::string log_file;
  nlohmann::json metadata;  // the caller's metadata as stored; null when none was given
  nlohmann::json raw;       // the whole document, for fields the struct does not model
};

// Required: session_id, task, created, status. Extra fields are ignored (kept in raw);
// a missing or mistyped required field throws hivemind::Error(protocol_error) naming it.
void from_json(const nlohmann::json& in, SessionMetadata& out);
void to_json(nlohmann::json& out, const SessionMetadata& in);

}  // namespace hivemind
