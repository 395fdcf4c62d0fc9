// top (the session dashboard) and watch (the telemetry stream).
#include <sys/ioctl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>

#include <hivemind/journal/session_journal.hpp>
#include <hivemind/metrics/dashboard.hpp>
#include <hivemind/metrics/lifecycle_metrics.hpp>
#include <hivemind/telemetry/telemetry_stream.hpp>

#include "commands.hpp"
#include "fleet_targets.hpp"

namespace hivectl {
namespace {

using std::chrono::system_clock;

constexpr std::chrono::minutes kFailureWindow{5};
constexpr const char* kDefaultWsUrl = "ws://127.0.0.1:3002";
// What render_dashboard starts a frame with on a terminal: cursor home, clear screen.
constexpr const char* kClearScreen = "\x1b[H\x1b[2J";

std::optional<std::string> from_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// The registry's view of each session, completed by what the journal knows: its
// priority (the registry has none), the SDK's dead/lost verdicts, and the sessions the
// container no longer lists (cleaned up, or in another container).
class SessionTable {
 public:
  // The client that knows a session listed in `index` (with a fleet, its target's).
  using ClientOf = std::function<hivemind::HiveMindClient(const std::string& session_id)>;

  std::vector<hivemind::JournalEntry> merge(Context& context, const hivemind::SessionIndex& index,
                                            const std::vector<hivemind::JournalEntry>& journal,
                                            const ClientOf& client_of) {
    std::map<std::string, hivemind::JournalEntry> merged;
    for (const auto& entry : journal) merged[entry.session_id] = entry;
    for (const auto& [session_id, summary] : index.sessions) {
      const auto known = merged.find(session_id);
      auto& entry = merged[session_id];
      if (known == merged.end()) {
        entry.session_id = session_id;
        entry.task = summary.task;
        entry.priority = priority_of(context, client_of(session_id), session_id);
        if (summary.created) entry.created = summary.created->utc;
      }
      // A dead verdict stands while the container still says running: that is what
      // "dead" means (the process is gone, the status was never updated).
      if (!(entry.status == "dead" && summary.status.is_running())) {
        entry.status = summary.status.text();
        const auto& changed = summary.updated ? summary.updated : summary.created;
        if (changed) entry.status_seen = changed->utc;
      }
    }
    std::vector<hivemind::JournalEntry> sessions;
    for (auto& [session_id, entry] : merged) sessions.push_back(std::move(entry));
    return sessions;
  }

 private:
  // Read once per session with `get` (a priority never changes); a session removed
  // since `list` shows the default.
  hivemind::Priority priority_of(Context& context, const hivemind::HiveMindClient& client,
                                 const std::string& session_id) {
    if (const auto cached = priorities_.find(session_id); cached != priorities_.end())
      return cached->second;
    auto priority = hivemind::Priority::medium;
    try {
      const auto metadata = context.run(
          client.get_executor(), [&](auto token) { return client.async_get(session_id, token); });
      priority = metadata.priority.value_or(priority);
    } catch (const hivemind::Error& error) {
      if (error.kind() != hivemind::errc::session_not_found) throw;
    }
    priorities_.emplace(session_id, priority);
    return priority;
  }

  std::map<std::string, hivemind::Priority> priorities_;
};

// The session rates computed from the sessions themselves (`top` creates none, so its
// own LifecycleMetrics counts only the calls it makes: those stay in `own_calls`).
hivemind::MetricsSnapshot session_rates(const std::vector<hivemind::JournalEntry>& sessions,
                                        hivemind::MetricsSnapshot own_calls,
                                        system_clock::time_point now) {
  auto rates = std::move(own_calls);
  rates.sessions_created = sessions.size();
  rates.sessions_created_per_minute = 0;
  rates.sessions_active = rates.sessions_completed = rates.sessions_failed = 0;
  rates.sessions_dead = rates.sessions_lost = rates.failure_window_ended = 0;
  std::uint64_t failed_in_window = 0;
  for (const auto& entry : sessions) {
    if (now - entry.created <= std::chrono::minutes(1)) ++rates.sessions_created_per_minute;
    if (!entry.is_final()) {
      ++rates.sessions_active;
      continue;
    }
    const bool failure = entry.status != "completed";
    if (entry.status == "completed") ++rates.sessions_completed;
    if (entry.status == "failed") ++rates.sessions_failed;
    if (entry.status == "dead") ++rates.sessions_dead;
    if (entry.status == "lost") ++rates.sessions_lost;
    if (now - entry.status_seen <= kFailureWindow) {
      ++rates.failure_window_ended;
      if (failure) ++failed_in_window;
    }
  }
  rates.failure_rate =
      rates.failure_window_ended == 0
          ? 0
          : static_cast<double>(failed_in_window) / static_cast<double>(rates.failure_window_ended);
  return rates;
}

nlohmann::json rates_json(const hivemind::MetricsSnapshot& rates) {
  return {{"sessions", rates.sessions_created},
          {"created_per_minute", rates.sessions_created_per_minute},
          {"active", rates.sessions_active},
          {"completed", rates.sessions_completed},
          {"failed", rates.sessions_failed},
          {"dead", rates.sessions_dead},
          {"lost", rates.sessions_lost},
          {"failure_rate", rates.failure_rate},
          {"failure_window_ended", rates.failure_window_ended},
          {"docker_exec_calls", rates.docker_exec_calls},
          {"docker_exec_failures", rates.docker_exec_failures}};
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 100;
}

// Sleeps for `interval` unless a stop (Ctrl-C) comes first; then throws cancelled.
void pause_or_stop(std::stop_token stop, std::chrono::milliseconds interval) {
  std::mutex mutex;
  std::condition_variable_any wakeup;
  std::unique_lock lock(mutex);
  wakeup.wait_for(lock, stop, interval, [] { return false; });
  if (stop.stop_requested()) throw hivemind::Error(hivemind::errc::cancelled, "interrupted");
}

// Control characters as spaces: a line of text that cannot move the cursor.
std::string printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return text;
}

// Shown under the table while the container cannot be read: what failed, and when.
std::string refresh_failure_line(const hivemind::Error& error, std::chrono::milliseconds interval) {
  const auto now = system_clock::to_time_t(system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  char at[16];
  std::strftime(at, sizeof at, "%H:%M:%S", &local);
  return std::string("\nrefresh failed at ") + at + " [" +
         hivemind::to_string(error.kind().value_or(hivemind::errc::protocol_error)) +
         "]: " + printable(error.what()) + "; retrying every " + std::to_string(interval.count()) +
         " ms\n";
}

void add_top(CLI::App& app, Context& context) {
  struct Arguments {
    std::string interval = "2s";
    std::optional<std::string> journal;
    bool once = false;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* top = app.add_subcommand("top", "Dashboard of the sessions and rates, refreshed");
  top->add_option("--interval", arguments->interval, "Refresh interval (default 2s)")
      ->check(duration_validator());
  top->add_option("--journal", arguments->journal,
                  "Session journal directory to merge in, read without locking it "
                  "[env HIVEMIND_JOURNAL_DIR]");
  top->add_flag("--once", arguments->once, "Print one frame and exit (also when not a terminal)");
  top->callback([&context, arguments] {
    const auto interval = parse_duration(arguments->interval);
    const auto journal_dir =
        arguments->journal ? arguments->journal : from_environment("HIVEMIND_JOURNAL_DIR");
    // Counts the calls of this process (a fleet's targets get it through the base options).
    auto own_calls = std::make_shared<hivemind::LifecycleMetrics>();
    context.set_metrics(own_calls);
    const bool live = !arguments->once && !context.output().json() && ::isatty(STDOUT_FILENO) == 1;
    SessionTable table;
    std::vector<hivemind::TargetState> targets;  // with a fleet: as of the last refresh
    const auto read_journal = [&] {
      return journal_dir ? hivemind::SessionJournal::read(*journal_dir)
                         : std::vector<hivemind::JournalEntry>{};
    };
    const auto refresh_fleet = [&] {
      auto& fleet = context.fleet();
      const auto fleet_index = fleet.list();
      targets = fleet_index.targets;
      hivemind::SessionIndex index;
      std::map<std::string, std::string> target_of;
      for (const auto& [target, summary] : fleet_index.sessions) {
        index.sessions.emplace(summary.session_id, summary);
        target_of.emplace(summary.session_id, target);
      }
      return table.merge(context, index, read_journal(), [&](const std::string& session_id) {
        return fleet.client(target_of.at(session_id));
      });
    };
    const auto refresh = [&] {
      if (context.fleet_mode()) return refresh_fleet();
      const auto& client = context.client();
      const auto index =
          context.run(client.get_executor(), [&](auto token) { return client.async_list(token); });
      return table.merge(context, index, read_journal(),
                         [&](const std::string&) { return client; });
    };
    std::vector<hivemind::JournalEntry> sessions;
    while (true) {
      // A live dashboard outlives a failed refresh (the container restarting, a journal
      // being rewritten): it keeps the last sessions it saw and says why they are old.
      std::string refresh_error;
      try {
        sessions = refresh();
      } catch (const hivemind::Error& error) {
        if (!live || error.kind() == hivemind::errc::cancelled) throw;
        refresh_error = refresh_failure_line(error, interval);
      }
      const auto now = system_clock::now();
      const auto rates = session_rates(sessions, own_calls->snapshot(), now);
      if (context.output().json()) {
        nlohmann::json document{{"rates", rates_json(rates)}, {"sessions", sessions}};
        if (context.fleet_mode()) document["targets"] = targets_json(targets);
        context.output().document(document);
        return;
      }
      hivemind::DashboardOptions options;
      options.width = live ? terminal_width() : 100;
      options.clear_screen = live;
      options.now = now;
      if (context.fleet_mode()) {
        // The targets go above the dashboard, so the screen is cleared before them.
        if (live) std::cout << kClearScreen;
        options.clear_screen = false;
        print_targets_table(context.output(), targets);
        std::cout << '\n';
      }
      std::cout << hivemind::render_dashboard(rates, sessions, options) << refresh_error
                << std::flush;
      if (!live) return;
      pause_or_stop(context.stop_token(), interval);
    }
  });
}

hivemind::TelemetryMode parse_mode(const std::string& text) {
  if (text == "subscribe") return hivemind::TelemetryMode::subscribe;
  if (text == "poll") return hivemind::TelemetryMode::poll;
  return hivemind::TelemetryMode::automatic;
}

std::string abbreviated(std::string_view text, std::size_t width) {
  if (text.size() <= width) return std::string(text);
  return std::string(text.substr(0, width - 1)) + "~";
}

// `TIME session S agents N: ID(TYPE,STATUS,@X,Y,Z) ... topology +A>B -C>D`; at most 8
// agents and 8 changes are spelled out, the rest counted (`+N more`).
std::string update_line(const hivemind::TelemetryUpdate& update) {
  constexpr std::size_t shown = 8;
  std::string line = (update.timestamp.empty() ? "-" : update.timestamp) + " session " +
                     (update.session_id.empty() ? "-" : abbreviated(update.session_id, 12)) +
                     " agents " + std::to_string(update.agents.size());
  for (std::size_t i = 0; i < update.agents.size() && i < shown; ++i) {
    const auto& agent = update.agents[i];
    line += (i == 0 ? ": " : " ") + abbreviated(agent.agent_id, 12) + "(" +
            abbreviated(agent.type, 10) + "," + abbreviated(agent.status, 10);
    if (agent.position) {
      char position[64];
      std::snprintf(position, sizeof position, ",@%.1f,%.1f,%.1f", agent.position->x,
                    agent.position->y, agent.position->z);
      line += position;
    }
    line += ")";
  }
  if (update.agents.size() > shown)
    line += " +" + std::to_string(update.agents.size() - shown) + " more";
  if (!update.topology_changes.empty()) line += " topology";
  for (std::size_t i = 0; i < update.topology_changes.size() && i < shown; ++i) {
    const auto& change = update.topology_changes[i];
    const char sign = change.type.find("remov") != std::string::npos ? '-' : '+';
    line +=
        std::string(" ") + sign + abbreviated(change.from, 12) + ">" + abbreviated(change.to, 12);
  }
  if (update.topology_changes.size() > shown)
    line += " +" + std::to_string(update.topology_changes.size() - shown) + " more";
  return printable(std::move(line));
}

// The stream `watch` reads: port 3002's WebSocket, or (`--via tcp`) the MCP relay's TCP
// port polled through the context's McpTelemetryClient.
std::unique_ptr<hivemind::TelemetryStream> open_stream(Context& context, bool via_tcp,
                                                       const std::optional<std::string>& ws_url,
                                                       hivemind::TelemetryOptions options) {
  if (via_tcp) {
    if (options.mode == hivemind::TelemetryMode::subscribe) {
      throw hivemind::Error(hivemind::errc::invalid_argument,
                            "--via tcp polls the MCP relay: --mode subscribe needs --via ws");
    }
    options.mode = hivemind::TelemetryMode::poll;
    return std::make_unique<hivemind::TelemetryStream>(context.mcp(), std::move(options));
  }
  options.set_url(ws_url ? *ws_url : from_environment("HIVEMIND_WS_URL").value_or(kDefaultWsUrl));
  options.token = from_environment("HIVEMIND_MCP_TOKEN").value_or("");
  // Nothing listening is reported within about a second rather than after the default
  // six attempts (~6 s); a watch that was connected reconnects after routine closes.
  options.reconnect.max_attempts = 4;
  options.reconnect.initial_delay = std::chrono::milliseconds(100);
  return std::make_unique<hivemind::TelemetryStream>(std::move(options));
}

void add_watch(CLI::App& app, Context& context) {
  struct Arguments {
    std::string session_id;
    std::optional<std::string> ws_url;
    std::string via = "ws";
    std::string mode = "auto";
    std::optional<std::size_t> count;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* watch =
      app.add_subcommand("watch", "Print the agent telemetry stream, one line per update");
  watch->add_option("session_id", arguments->session_id, "Only this session's updates");
  watch->add_option("--ws-url", arguments->ws_url,
                    "Telemetry server [env HIVEMIND_WS_URL, default ws://127.0.0.1:3002]");
  watch
      ->add_option("--via", arguments->via,
                   "ws (port 3002, --ws-url) or tcp (poll the MCP relay, --mcp-host/--mcp-port)")
      ->check(CLI::IsMember({"ws", "tcp"}));
  watch
      ->add_option("--mode", arguments->mode,
                   "auto (subscribe, else poll the relay), subscribe or poll")
      ->check(CLI::IsMember({"auto", "subscribe", "poll"}));
  watch->add_option("--count", arguments->count, "Exit after this many updates")
      ->check(CLI::PositiveNumber);
  watch->callback([&context, arguments] {
    hivemind::TelemetryOptions options;
    options.mode = parse_mode(arguments->mode);
    options.session_id = arguments->session_id;
    const auto stream =
        open_stream(context, arguments->via == "tcp", arguments->ws_url, std::move(options));
    const std::stop_callback on_stop(context.stop_token(), [&stream] { stream->stop(); });
    context.run(stream->get_executor(), [&](auto token) { return stream->async_start(token); });
    for (std::size_t received = 0; !arguments->count || received < *arguments->count; ++received) {
      const auto update = stream->next();
      if (context.output().json()) {
        std::cout << nlohmann::json(update).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
                  << std::endl;
      } else {
        std::cout << update_line(update) << std::endl;
      }
    }
  });
}

}  // namespace

void add_monitor_commands(CLI::App& app, Context& context) {
  add_top(app, context);
  add_watch(app, context);
}

}  // namespace hivectl
