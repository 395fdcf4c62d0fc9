#include "hivemind/models/session_index.hpp"

#include "common/json_fields.hpp"

namespace hivemind {

const SessionSummary* SessionIndex::find(std::string_view session_id) const {
  const auto it = sessions.find(std::string(session_id));
  return it == sessions.end() ? nullptr : &it->second;
}

void from_json(const nlohmann::json& in, SessionSummary& out) {
  constexpr std::string_view kDocument = "registry entry";
  detail::require_object(in, kDocument);
  out.task = detail::optional_field<std::string>(in, "task", kDocument).value_or("");
  out.status = detail::required_field<SessionStatus>(in, "status", kDocument);
  out.created = detail::optional_field<Timestamp>(in, "created", kDocument);
  out.updated = detail::optional_field<Timestamp>(in, "updated", kDocument);
  out.dir = detail::optional_field<std::string>(in, "dir", kDocument).value_or("");
}

void to_json(nlohmann::json& out, const SessionSummary& in) {
  out = nlohmann::json{{"task", in.task}, {"status", in.status}, {"dir", in.dir}};
  if (in.created) out["created"] = *in.created;
  if (in.updated) out["updated"] = *in.updated;
}

void from_json(const nlohmann::json& in, SessionIndex& out) {
  constexpr std::string_view kDocument = "session registry";
  detail::require_object(in, kDocument);
  const auto sessions = in.find("sessions");
  if (sessions == in.end() || !sessions->is_object()) {
    throw Error(errc::protocol_error, "session registry lacks the 'sessions' object");
  }
  out.sessions.clear();
  out.sessions.reserve(sessions->size());
  for (const auto& [id, entry] : sessions->items()) {
    SessionSummary summary = entry.get<SessionSummary>();
    summary.session_id = id;
    out.sessions.emplace(id, std::move(summary));
  }
  out.created = detail::optional_field<Timestamp>(in, "created", kDocument);
}

void to_json(nlohmann::json& out, const SessionIndex& in) {
  nlohmann::json sessions = nlohmann::json::object();
  for (const auto& [id, summary] : in.sessions) sessions[id] = summary;
  out = nlohmann::json{{"sessions", std::move(sessions)}};
  if (in.created) out["created"] = *in.created;
}

}  // namespace hivemind
