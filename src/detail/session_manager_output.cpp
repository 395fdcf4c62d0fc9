#include "detail/session_manager_output.hpp"

#include <nlohmann/json.hpp>

#include "detail/input_validation.hpp"
#include "hivemind/error.hpp"

namespace hivemind::detail {
namespace {

[[noreturn]] void unparseable(const std::string& message, std::string_view out) {
  ErrorContext context;
  context.output_text = std::string(out.substr(0, 4096));
  throw Error(errc::protocol_error, message, std::move(context));
}

std::string quoted_excerpt(std::string_view text) {
  return "'" + std::string(text.substr(0, 200)) + (text.size() > 200 ? "...'" : "'");
}

nlohmann::json parse_json_document(std::string_view out, std::string_view what) {
  auto document = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    unparseable(std::string(what) + " is not valid JSON: " + quoted_excerpt(trim(out)), out);
  }
  return document;
}

template <class Model>
Model parse_model(std::string_view out, std::string_view what) {
  const auto document = parse_json_document(out, what);
  try {
    return document.get<Model>();
  } catch (const Error& e) {
    unparseable(e.what(), out);
  }
}

}  // namespace

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string parse_created_uuid(std::string_view out) {
  const auto line = trim(out);
  if (!is_canonical_uuid(line)) {
    unparseable("create printed no session UUID: " + quoted_excerpt(line), out);
  }
  return std::string(line);
}

SessionStatus parse_status_output(std::string_view out) {
  const auto line = trim(out);
  if (line.empty() || line.find_first_of(" \t\r\n{") != std::string_view::npos) {
    unparseable("status printed no status word: " + quoted_excerpt(line), out);
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

std::string parse_path_line(std::string_view out, std::string_view what) {
  const auto line = trim(out);
  if (line.empty() || line.front() != '/' || line.find('\n') != std::string_view::npos) {
    unparseable(std::string(what) + " is not an absolute path: " + quoted_excerpt(line), out);
  }
  return std::string(line);
}

CleanupReport parse_cleanup_output(std::string_view out) {
  constexpr std::string_view kPrefix = "Cleaning up session: ";
  CleanupReport report;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = std::min(out.find('\n', start), out.size());
    const auto line = trim(out.substr(start, end - start));
    if (line.starts_with(kPrefix)) {
      const auto rest = trim(line.substr(kPrefix.size()));
      report.removed_sessions.emplace_back(rest.substr(0, rest.find_first_of(" \t")));
    }
    start = end + 1;
  }
  return report;
}

}  // namespace hivemind::detail
