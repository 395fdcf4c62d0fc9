#include "control/verb_outcome.hpp"

#include <array>
#include <span>

#include "control/session_manager_output.hpp"

namespace hivemind::detail {
namespace {

// What a failed run means beyond "the verb failed".
enum class Meaning {
  session_not_found,
  unreadable_session_file,
};

// Which stdout a row applies to.
enum class Stdout { any, empty, is_not_found_word, says_session_not_found };

// One row: a failed run matching all its conditions means `meaning`. Rows are tried in order;
// a failed run no row matches is docker_exec_failed ("the verb failed"), quoting stderr.
struct Row {
  int exit_code;  // kAnyFailure matches every nonzero status
  Stdout out;
  std::string_view err_contains;  // empty: any stderr
  Meaning meaning;
};
constexpr int kAnyFailure = -1;

constexpr std::array kStatusRows{
    Row{1, Stdout::is_not_found_word, "", Meaning::session_not_found},
    // The deployed script exits with jq's status (4) and prints nothing when the session
    // file is not valid JSON, which a task with raw quotes or control characters causes.
    Row{kAnyFailure, Stdout::any, "", Meaning::unreadable_session_file},
};
constexpr std::array kGetRows{
    Row{1, Stdout::says_session_not_found, "", Meaning::session_not_found},
    // A `cleanup` removing the session while `get` runs: the directory was still there but
    // its session.json no longer is, so `cat` fails with nothing on stdout.
    Row{1, Stdout::empty, "session.json: No such file or directory", Meaning::session_not_found},
};
// `output-dir` and `log` print nothing and exit 1 for an unknown session.
constexpr std::array kPathRows{
    Row{1, Stdout::empty, "", Meaning::session_not_found},
};
// `update-status` exits 1 only for an unknown session.
constexpr std::array kUpdateStatusRows{
    Row{1, Stdout::any, "", Meaning::session_not_found},
};

struct VerbSpec {
  std::string_view name;
  std::span<const Row> rows;
};

VerbSpec spec_of(Verb verb) noexcept {
  switch (verb) {
    case Verb::create:
      return {"create", {}};
    case Verb::start:
      return {"start", {}};
    case Verb::status:
      return {"status", kStatusRows};
    case Verb::get:
      return {"get", kGetRows};
    case Verb::list:
      return {"list", {}};
    case Verb::output_dir:
      return {"output-dir", kPathRows};
    case Verb::log:
      return {"log", kPathRows};
    case Verb::update_status:
      return {"update-status", kUpdateStatusRows};
    case Verb::cleanup:
      return {"cleanup", {}};
    case Verb::init:
      return {"init", {}};
  }
  return {"?", {}};
}

bool stdout_matches(Stdout condition, std::string_view out) {
  switch (condition) {
    case Stdout::any:
      return true;
    case Stdout::empty:
      return trim(out).empty();
    case Stdout::is_not_found_word:
      return trim(out) == "not_found";
    case Stdout::says_session_not_found:
      return out.find("Session not found") != out.npos;
  }
  return false;
}

bool row_matches(const Row& row, const VerbRun& run) {
  return (row.exit_code == kAnyFailure || row.exit_code == run.exit_code) &&
         stdout_matches(row.out, run.out) &&
         (row.err_contains.empty() || run.err.find(row.err_contains) != run.err.npos);
}

VerbFailure failure_of(Meaning meaning, std::string_view session_id, const VerbRun& run) {
  const std::string session(session_id);
  switch (meaning) {
    case Meaning::session_not_found:
      return {errc::session_not_found, "session " + session + " is not known to the container"};
    case Meaning::unreadable_session_file:
      return {errc::protocol_error, "status of session " + session + " is unreadable (exit " +
                                        std::to_string(run.exit_code) +
                                        "); its session file is probably broken"};
  }
  return {errc::protocol_error, "unknown failure"};
}

}  // namespace

std::string_view verb_name(Verb verb) noexcept {
  return spec_of(verb).name;
}

std::optional<VerbFailure> verb_failure(Verb verb, std::string_view session_id,
                                        const VerbRun& run) {
  if (run.exit_code == 0) return std::nullopt;
  const auto spec = spec_of(verb);
  for (const auto& row : spec.rows) {
    if (row_matches(row, run)) return failure_of(row.meaning, session_id, run);
  }
  const auto err = trim(run.err);
  return VerbFailure{errc::docker_exec_failed,
                     "'" + std::string(spec.name) + "' exited with status " +
                         std::to_string(run.exit_code) +
                         (err.empty() ? std::string() : ": " + std::string(err.substr(0, 500)))};
}

}  // namespace hivemind::detail
