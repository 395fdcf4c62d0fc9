#include "hivemind/models/session_metadata.hpp"

#include "common/json_fields.hpp"

namespace hivemind {

void from_json(const nlohmann::json& in, SessionMetadata& out) {
  constexpr std::string_view kDocument = "session JSON";
  detail::require_object(in, kDocument);
  out.session_id = detail::required_field<std::string>(in, "session_id", kDocument);
  out.task = detail::required_field<std::string>(in, "task", kDocument);
  out.created = detail::required_field<Timestamp>(in, "created", kDocument);
  out.status = detail::required_field<SessionStatus>(in, "status", kDocument);
  const auto priority = detail::optional_field<std::string>(in, "priority", kDocument);
  out.priority = priority ? parse_priority(*priority) : std::nullopt;
  out.updated = detail::optional_field<Timestamp>(in, "updated", kDocument);
  out.working_dir = detail::optional_field<std::string>(in, "working_dir", kDocument).value_or("");
  out.output_dir = detail::optional_field<std::string>(in, "output_dir", kDocument).value_or("");
  out.database = detail::optional_field<std::string>(in, "database", kDocument).value_or("");
  out.log_file = detail::optional_field<std::string>(in, "log_file", kDocument).value_or("");
  out.metadata = in.value("metadata", nlohmann::json());
  out.raw = in;
}

void to_json(nlohmann::json& out, const SessionMetadata& in) {
  out = in.raw.is_object() ? in.raw : nlohmann::json::object();
  out["session_id"] = in.session_id;
  out["task"] = in.task;
  if (in.priority) out["priority"] = *in.priority;
  out["created"] = in.created;
  out["status"] = in.status;
  if (in.updated) out["updated"] = *in.updated;
  out["working_dir"] = in.working_dir;
  out["output_dir"] = in.output_dir;
  out["database"] = in.database;
  out["log_file"] = in.log_file;
  out["metadata"] = in.metadata;
}

}  // namespace hivemind
