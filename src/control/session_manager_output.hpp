// Parsers for what hive-session-manager.sh prints on stdout. Pure functions: each
// returns the typed value or throws hivemind::Error(protocol_error) quoting the text.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/models/cleanup_report.hpp"
#include "hivemind/models/session_index.hpp"
#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"

namespace hivemind::detail {

// `text` without leading and trailing white space.
std::string_view trim(std::string_view text) noexcept;

// Calls `on_line` with each `\n`-separated line of `text` (without the terminator).
template <class OnLine>
void for_each_line(std::string_view text, OnLine&& on_line) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    on_line(text.substr(start, end - start));
    start = end + 1;
  }
}

// Throws protocol_error with `message`, keeping `out` (bounded) in ErrorContext::output_text.
[[noreturn]] void throw_unparseable(const std::string& message, std::string_view out);

// `out` as one JSON document; protocol_error naming `what` and quoting the text otherwise.
nlohmann::json parse_json_document(std::string_view out, std::string_view what);

// Parses `out` and hands the document to `read`: invalid JSON and every hivemind::Error that
// `read` throws (a missing or mistyped field) become protocol_error keeping the text.
template <class Read>
auto read_json_output(std::string_view out, std::string_view what, Read&& read) {
  const auto document = parse_json_document(out, what);
  try {
    return read(document);
  } catch (const Error& e) {
    throw_unparseable(e.what(), out);
  }
}

std::string parse_created_uuid(std::string_view out);
SessionStatus parse_status_output(std::string_view out);
SessionMetadata parse_session_json(std::string_view out);
SessionIndex parse_index_json(std::string_view out);
// Only the status of every session in the registry, without building the DOM or the
// models: what a watcher needs on every tick, several times faster on large registries.
std::unordered_map<std::string, SessionStatus> parse_index_statuses(std::string_view out);
// `output-dir` and `log`: one absolute container path.
std::string parse_path_line(std::string_view out, std::string_view what);
CleanupReport parse_cleanup_output(std::string_view out);

}  // namespace hivemind::detail
