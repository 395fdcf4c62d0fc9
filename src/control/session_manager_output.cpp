#include "control/session_manager_output.hpp"

#include <nlohmann/json.hpp>

#include "control/input_validation.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

std::string quoted_excerpt(std::string_view text) {
  return "'" + std::string(text.substr(0, 200)) + (text.size() > 200 ? "...'" : "'");
}

template <class Model>
Model parse_model(std::string_view out, std::string_view what) {
  return read_json_output(out, what,
                          [](const nlohmann::json& document) { return document.get<Model>(); });
}

// SAX handler for parse_index_statuses: picks `sessions.<id>.status` and skips the rest.
class StatusCollector {
 public:
  using json = nlohmann::json;

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(json::number_integer_t) { return scalar(); }
  bool number_unsigned(json::number_unsigned_t) { return scalar(); }
  bool number_float(json::number_float_t, const std::string&) { return scalar(); }
  bool binary(json::binary_t&) { return scalar(); }
  bool string(std::string& value) {
    if (depth_ == 3 && in_sessions_ && key_ == "status") {
      statuses_.insert_or_assign(session_id_, SessionStatus::parse(value));
    }
    return true;
  }
  bool start_object(std::size_t) {
    ++depth_;
    if (depth_ == 1) top_is_object_ = true;
    // key_ is only fresh for members of an object: inside a top-level array it could
    // still name a member of an earlier element.
    if (depth_ == 2 && top_is_object_ && key_ == "sessions") {
      in_sessions_ = true;
      saw_sessions_ = true;
      statuses_.clear();  // a repeated "sessions" replaces the earlier one, as in the DOM
    }
    if (depth_ == 3 && in_sessions_) {
      session_id_ = key_;
      statuses_.emplace(session_id_, SessionStatus());  // present even without a status
    }
    return true;
  }
  bool end_object() {
    if (depth_ == 2) in_sessions_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(std::string& name) {
    key_ = name;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception&) { return false; }

  bool saw_sessions() const { return saw_sessions_; }
  std::unordered_map<std::string, SessionStatus> take() { return std::move(statuses_); }

 private:
  bool scalar() { return true; }

  int depth_ = 0;
  bool top_is_object_ = false;
  bool in_sessions_ = false;
  bool saw_sessions_ = false;
  std::string key_;
  std::string session_id_;
  std::unordered_map<std::string, SessionStatus> statuses_;
};

}  // namespace

void throw_unparseable(const std::string& message, std::string_view out) {
  ErrorContext context;
  context.output_text = std::string(out.substr(0, 4096));
  throw Error(errc::protocol_error, message, std::move(context));
}

nlohmann::json parse_json_document(std::string_view out, std::string_view what) {
  auto document = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw_unparseable(std::string(what) + " is not valid JSON: " + quoted_excerpt(trim(out)), out);
  }
  return document;
}

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string parse_created_uuid(std::string_view out) {
  const auto line = trim(out);
  if (!is_canonical_uuid(line)) {
    throw_unparseable("create printed no session UUID: " + quoted_excerpt(line), out);
  }
  return std::string(line);
}

SessionStatus parse_status_output(std::string_view out) {
  const auto line = trim(out);
  if (line.empty() || line.find_first_of(" \t\r\n{") != std::string_view::npos) {
    throw_unparseable("status printed no status word: " + quoted_excerpt(line), out);
  }
  return SessionStatus::parse(line);
}

SessionMetadata parse_session_json(std::string_view out) {
  // A task with raw quotes or control characters breaks the container's session file;
  // the SDK escapes them, but sessions created by other clients may still be broken.
  return parse_model<SessionMetadata>(out, "session JSON");
}

SessionIndex parse_index_json(std::string_view out) {
  return parse_model<SessionIndex>(out, "session registry");
}

std::unordered_map<std::string, SessionStatus> parse_index_statuses(std::string_view out) {
  StatusCollector collector;
  if (!nlohmann::json::sax_parse(out, &collector)) {
    throw_unparseable("session registry is not valid JSON: " + quoted_excerpt(trim(out)), out);
  }
  if (!collector.saw_sessions()) {
    throw_unparseable("session registry lacks the 'sessions' object", out);
  }
  return collector.take();
}

std::string parse_path_line(std::string_view out, std::string_view what) {
  const auto line = trim(out);
  if (line.empty() || line.front() != '/' || line.find('\n') != std::string_view::npos) {
    throw_unparseable(std::string(what) + " is not an absolute path: " + quoted_excerpt(line), out);
  }
  return std::string(line);
}

CleanupReport parse_cleanup_output(std::string_view out) {
  constexpr std::string_view kPrefix = "Cleaning up session: ";
  CleanupReport report;
  for_each_line(out, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.starts_with(kPrefix)) {
      const auto rest = trim(line.substr(kPrefix.size()));
      report.removed_sessions.emplace_back(rest.substr(0, rest.find_first_of(" \t")));
    }
  });
  return report;
}

}  // namespace hivemind::detail
