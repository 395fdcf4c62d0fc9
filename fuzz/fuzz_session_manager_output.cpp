// The parsers of hive-session-manager.sh output (create, status, get, list, paths,
// cleanup): each returns a value or throws hivemind::Error(protocol_error), nothing
// else; what they accept is well formed; the registry's fast status scan agrees with
// the full parse on every registry the full parse accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control/input_validation.hpp"
#include "control/session_manager_output.hpp"
#include "fuzz_check.hpp"
#include "hivemind/common/error.hpp"

namespace {

using namespace hivemind;
using namespace hivemind::detail;

// Refusals must be typed: hivemind::Error(protocol_error), nothing else.
constexpr errc kRefusal = errc::protocol_error;

void check_registry(std::string_view out) {
  SessionIndex index;
  if (!succeeds_or_throws(kRefusal, [&] { index = parse_index_json(out); })) return;
  std::unordered_map<std::string, SessionStatus> statuses;
  FUZZ_CHECK(succeeds_or_throws(kRefusal, [&] { statuses = parse_index_statuses(out); }));
  FUZZ_CHECK(statuses.size() == index.sessions.size());
  for (const auto& [id, summary] : index.sessions) {
    const auto it = statuses.find(id);
    FUZZ_CHECK(it != statuses.end());
    FUZZ_CHECK(it->second == summary.status);
    FUZZ_CHECK(summary.session_id == id);
  }
  // What the SDK writes back reads back the same.
  const nlohmann::json written = index;
  const auto again = written.get<SessionIndex>();
  FUZZ_CHECK(nlohmann::json(again) == written);
}

void check_session(std::string_view out) {
  SessionMetadata metadata;
  if (!succeeds_or_throws(kRefusal, [&] { metadata = parse_session_json(out); })) return;
  const nlohmann::json written = metadata;
  const auto again = written.get<SessionMetadata>();
  FUZZ_CHECK(nlohmann::json(again) == written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view out(reinterpret_cast<const char*>(data), size);

  std::string uuid;
  if (succeeds_or_throws(kRefusal, [&] { uuid = parse_created_uuid(out); })) {
    FUZZ_CHECK(is_canonical_uuid(uuid));
  }
  SessionStatus status;
  if (succeeds_or_throws(kRefusal, [&] { status = parse_status_output(out); })) {
    FUZZ_CHECK(!status.text().empty());
    FUZZ_CHECK(status.text() == trim(status.text()));
    FUZZ_CHECK(SessionStatus::parse(status.text()) == status);
  }
  std::string path;
  if (succeeds_or_throws(kRefusal, [&] { path = parse_path_line(out, "log"); })) {
    FUZZ_CHECK(path.starts_with('/'));
    FUZZ_CHECK(path.find('\n') == std::string::npos);
  }
  const CleanupReport report = parse_cleanup_output(out);  // never fails: it only collects
  for (const auto& id : report.removed_sessions) {
    FUZZ_CHECK(id.find_first_of(" \t\n") == std::string::npos);
  }
  check_session(out);
  check_registry(out);
  // The fast scan alone must not fail in any other way either.
  (void)succeeds_or_throws(kRefusal, [&] { (void)parse_index_statuses(out); });
  return 0;
}
