// wait, and the waiting/following shared with spawn --wait/--follow and logs -f.
#include <exception>
#include <thread>

#include "commands.hpp"

namespace hivectl {
namespace {

struct Outcome {
  std::string session_id;
  std::string target;  // the fleet target that has it; empty without a fleet
  std::optional<hivemind::WaitResult> result;
  std::exception_ptr error;
};

// Prints one session's log while it is waited for, on a thread of its own. The SDK's follow
// ends by itself once the session has ended, after its last line.
class LogPrinter {
 public:
  LogPrinter(const hivemind::SessionHandle& session, Progress& progress, std::string prefix,
             std::optional<std::size_t> last_n_lines)
      : session_(session), progress_(progress), prefix_(std::move(prefix)) {
    hivemind::FollowLogOptions options;
    options.last_n_lines = last_n_lines;
    thread_ = std::jthread([this, options](std::stop_token stop) {
      try {
        session_.follow_log(
            [this](std::string_view line) { progress_.print_line(prefix_ + std::string(line)); },
            stop, options);
      } catch (const hivemind::Error& error) {
        report_error(hivemind::to_string(error.kind().value_or(hivemind::errc::protocol_error)),
                     std::string("following the log of ") + session_.uuid() + ": " + error.what());
      }
    });
  }

  // Waits for the last line of a session that has ended.
  void finish() { thread_.join(); }
  // Stops following a session that is still running (destruction does the same).
  void stop() {
    thread_.request_stop();
    thread_.join();
  }

 private:
  hivemind::SessionHandle session_;
  Progress& progress_;
  std::string prefix_;
  std::jthread thread_;
};

Outcome wait_for_one(Context& context, Progress& progress, const std::string& session_id,
                     const FollowSettings& settings, bool prefix_lines) {
  Outcome outcome{session_id, {}, std::nullopt, nullptr};
  try {
    const auto session = context.session(session_id);
    outcome.target = session.client().options().target_name;
    auto options = interactive_wait_options();
    options.timeout = settings.timeout;
    options.stale_after = settings.stale_after;
    options.on_status_change = [&](const hivemind::SessionStatus& status) {
      progress.status_changed(session_id, status.text());
    };
    std::optional<LogPrinter> follower;
    if (settings.follow_logs) {
      follower.emplace(session, progress, prefix_lines ? session_id.substr(0, 8) + " | " : "",
                       settings.last_n_lines);
    }
    outcome.result = session.wait_for_completion(options, context.stop_token());
    if (follower) {
      const auto ended = outcome.result->outcome;
      // Stale: still running. Lost: nothing left to follow.
      if (ended == hivemind::WaitOutcome::stale || ended == hivemind::WaitOutcome::lost) {
        follower->stop();
      } else {
        follower->finish();
      }
    }
  } catch (const hivemind::Error&) {
    outcome.error = std::current_exception();
  }
  return outcome;
}

nlohmann::json describe(Context& context, const Outcome& outcome) {
  nlohmann::json entry{{"session_id", outcome.session_id}};
  if (!outcome.target.empty()) entry["target"] = outcome.target;
  if (outcome.result) {
    const auto& result = *outcome.result;
    context.fail_with(exit_code_for(result.outcome));
    entry["outcome"] = hivemind::to_string(result.outcome);
    entry["status"] = result.status.text();
    if (!result.evidence.empty()) entry["evidence"] = result.evidence;
    if (result.outcome != hivemind::WaitOutcome::completed)
      entry["log_file"] = result.metadata.log_file;
    return entry;
  }
  try {
    std::rethrow_exception(outcome.error);
  } catch (const hivemind::Error& error) {
    const auto kind = error.kind().value_or(hivemind::errc::protocol_error);
    context.fail_with(exit_code_for(error));
    if (kind == hivemind::errc::cancelled) {
      report_error("interrupted", "stopped waiting; session " + outcome.session_id +
                                      " keeps running in the container (`hivectl cancel " +
                                      outcome.session_id + "` ends it)");
    } else {
      report_error(hivemind::to_string(kind), error.what());
    }
    entry["error"] = {{"kind", hivemind::to_string(kind)}, {"message", error.what()}};
  }
  return entry;
}

}  // namespace

std::vector<nlohmann::json> wait_for_sessions(Context& context,
                                              const std::vector<std::string>& session_ids,
                                              const FollowSettings& settings) {
  std::vector<Outcome> outcomes(session_ids.size());
  context.connect();  // the client or fleet is built here, before the threads that share it
  {
    Progress progress(context.output());
    std::vector<std::jthread> waiters;
    for (std::size_t i = 0; i < session_ids.size(); ++i) {
      waiters.emplace_back([&, i] {
        outcomes[i] =
            wait_for_one(context, progress, session_ids[i], settings, session_ids.size() > 1);
      });
    }
  }
  std::vector<nlohmann::json> described;
  for (const auto& outcome : outcomes) described.push_back(describe(context, outcome));
  return described;
}

void print_wait_results(const Output& output, const std::vector<nlohmann::json>& results) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& entry : results) {
    if (entry.contains("error")) continue;  // reported on stderr already
    rows.push_back({entry.at("session_id"), entry.at("outcome"), entry.at("status"),
                    entry.value("evidence", "")});
  }
  if (!rows.empty()) output.table({"SESSION", "OUTCOME", "STATUS", "EVIDENCE"}, rows);
}

void add_wait_commands(CLI::App& app, Context& context) {
  struct Arguments {
    std::vector<std::string> session_ids;
    std::optional<std::string> timeout;
    std::optional<std::string> stale_after;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* wait =
      app.add_subcommand("wait", "Wait until the sessions complete, fail or are found dead");
  wait->add_option("session_ids", arguments->session_ids, "Session UUIDs")->required();
  wait->add_option("--timeout", arguments->timeout, "Give up after this long (90s, 5m, 2h)")
      ->check(duration_validator());
  wait->add_option("--stale-after", arguments->stale_after,
                   "End as stale when the log has not grown for this long")
      ->check(duration_validator());
  wait->callback([&context, arguments] {
    FollowSettings settings;
    if (arguments->timeout) settings.timeout = parse_duration(*arguments->timeout);
    if (arguments->stale_after) settings.stale_after = parse_duration(*arguments->stale_after);
    const auto results = wait_for_sessions(context, arguments->session_ids, settings);
    context.output().document({{"results", results}});
    print_wait_results(context.output(), results);
  });
}

}  // namespace hivectl
