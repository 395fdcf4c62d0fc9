// spawn, create, start, status, get, list, cancel, cleanup.
#include <algorithm>

#include "commands.hpp"
#include "fleet_targets.hpp"

namespace hivectl {
namespace {

hivemind::Priority parse_priority_option(const std::string& text) {
  if (auto priority = hivemind::parse_priority(text)) return *priority;
  throw hivemind::Error(hivemind::errc::invalid_argument,
                        "priority '" + text + "' is not one of high, medium, low");
}

nlohmann::json parse_metadata(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& error) {
    throw hivemind::Error(hivemind::errc::invalid_argument,
                          "--meta is not valid JSON: " + std::string(error.what()));
  }
}

std::string text_or_dash(const std::optional<hivemind::Timestamp>& timestamp) {
  return timestamp ? timestamp->to_string() : "-";
}

// One line of at most `width` characters (tasks can be long and multi-line).
std::string one_line(std::string text, std::size_t width) {
  for (char& c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

struct CreateArguments {
  std::string task;
  std::string priority = "medium";
  std::optional<std::string> metadata;
};

// The validated priority and metadata of create/spawn.
struct SessionRequest {
  hivemind::Priority priority;
  nlohmann::json metadata;
};

SessionRequest parse_request(const CreateArguments& arguments) {
  return {parse_priority_option(arguments.priority), parse_metadata(arguments.metadata)};
}

// " on TARGET" after what a fleet command printed; nothing without a fleet.
std::string on_target(const std::string& target) {
  return target.empty() ? std::string() : " on " + target;
}

void add_create_options(CLI::App& command, CreateArguments& arguments) {
  command.add_option("task", arguments.task, "What the agents should do")->required();
  command.add_option("--priority", arguments.priority, "high, medium or low")
      ->check(CLI::IsMember({"high", "medium", "low"}));
  command.add_option("--meta", arguments.metadata, "Metadata stored with the session (JSON)");
}

void add_spawn(CLI::App& app, Context& context) {
  struct Arguments : CreateArguments {
    bool wait = false;
    bool follow = false;
    std::optional<std::string> timeout;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* spawn = app.add_subcommand("spawn", "Create a session and start it");
  add_create_options(*spawn, *arguments);
  spawn->add_flag("--wait", arguments->wait, "Wait for the end, showing progress");
  spawn->add_flag("--follow", arguments->follow, "Wait, printing the session's log as it grows");
  spawn
      ->add_option("--timeout", arguments->timeout, "With --wait/--follow: give up after this long")
      ->check(duration_validator());
  spawn->callback([&context, arguments] {
    auto request = parse_request(*arguments);
    const auto spawn_session = [&] {
      if (context.fleet_mode()) {
        return context.fleet().spawn_task(arguments->task, request.priority, request.metadata);
      }
      const auto& client = context.client();
      return context.run(client.get_executor(), [&](auto token) {
        return client.async_spawn_task(arguments->task, request.priority,
                                       std::move(request.metadata), token);
      });
    };
    const auto session = spawn_session();
    nlohmann::json document{{"session_id", session.uuid()}};
    const std::string target = context.fleet_mode() ? session.client().options().target_name : "";
    if (!target.empty()) document["target"] = target;
    context.output().line("spawned " + session.uuid() + on_target(target));
    if (arguments->wait || arguments->follow) {
      FollowSettings settings;
      settings.follow_logs = arguments->follow;
      if (arguments->timeout) settings.timeout = parse_duration(*arguments->timeout);
      auto results = wait_for_sessions(context, {session.uuid()}, settings);
      document.update(results.front());
      print_wait_results(context.output(), results);
    }
    context.output().document(document);
  });
}

void add_create(CLI::App& app, Context& context) {
  auto arguments = std::make_shared<CreateArguments>();
  auto* create = app.add_subcommand("create", "Create a session without starting it");
  add_create_options(*create, *arguments);
  create->callback([&context, arguments] {
    auto request = parse_request(*arguments);
    const auto create_session = [&] {
      if (context.fleet_mode()) {
        return context.fleet().create_task(arguments->task, request.priority, request.metadata);
      }
      const auto& client = context.client();
      return hivemind::SessionHandle::from_uuid(
          client, context.run(client.get_executor(), [&](auto token) {
            return client.async_create(arguments->task, request.priority,
                                       std::move(request.metadata), token);
          }));
    };
    const auto session = create_session();
    const auto& session_id = session.uuid();
    const std::string target = context.fleet_mode() ? session.client().options().target_name : "";
    nlohmann::json document{{"session_id", session_id}};
    if (!target.empty()) document["target"] = target;
    context.output().document(document);
    context.output().line(session_id + on_target(target));
  });
}

void add_start(CLI::App& app, Context& context) {
  struct Arguments {
    std::string session_id;
    std::vector<std::string> extra;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* start = app.add_subcommand("start", "Start a created session (detached)");
  start->add_option("session_id", arguments->session_id, "Session UUID")->required();
  start->add_option("extra", arguments->extra, "Extra hive-mind arguments (after --)");
  start->callback([&context, arguments] {
    const auto session = context.session(arguments->session_id);
    const auto& client = session.client();
    context.run(client.get_executor(), [&](auto token) {
      return client.async_start(arguments->session_id, arguments->extra, token);
    });
    context.output().document({{"session_id", arguments->session_id}, {"started", true}});
    context.output().line("started " + arguments->session_id);
  });
}

void add_status(CLI::App& app, Context& context) {
  auto session_ids = std::make_shared<std::vector<std::string>>();
  auto* status = app.add_subcommand("status", "Print the status of sessions");
  status->add_option("session_ids", *session_ids, "Session UUIDs")->required();
  status->callback([&context, session_ids] {
    nlohmann::json statuses = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& session_id : *session_ids) {
      std::string text;
      try {
        const auto session = context.session(session_id);
        const auto& client = session.client();
        text = context
                   .run(client.get_executor(),
                        [&](auto token) { return client.async_status(session_id, token); })
                   .text();
      } catch (const hivemind::Error& error) {
        // One unknown session does not hide the others; cancellation ends them all.
        if (error.kind() != hivemind::errc::session_not_found) throw;
        report_error("session_not_found", error.what());
        context.fail_with(ExitCode::not_found);
        text = "not_found";
      }
      statuses.push_back({{"session_id", session_id}, {"status", text}});
      rows.push_back({session_id, text});
    }
    context.output().document({{"sessions", statuses}});
    context.output().table({"SESSION", "STATUS"}, rows);
  });
}

void add_get(CLI::App& app, Context& context) {
  auto session_id = std::make_shared<std::string>();
  auto* get = app.add_subcommand("get", "Print a session's metadata");
  get->add_option("session_id", *session_id, "Session UUID")->required();
  get->callback([&context, session_id] {
    const auto session = context.session(*session_id);
    const auto& client = session.client();
    const auto metadata = context.run(
        client.get_executor(), [&](auto token) { return client.async_get(*session_id, token); });
    context.output().document(metadata);
    const auto& out = context.output();
    out.table({"FIELD", "VALUE"},
              {{"session_id", metadata.session_id},
               {"task", one_line(metadata.task, 100)},
               {"priority",
                metadata.priority ? std::string(hivemind::to_string(*metadata.priority)) : "-"},
               {"status", metadata.status.text()},
               {"created", metadata.created.to_string()},
               {"updated", text_or_dash(metadata.updated)},
               {"output_dir", metadata.output_dir},
               {"log_file", metadata.log_file},
               {"metadata", metadata.metadata.dump()}});
  });
}

// A session of `list`: the registry's fields (its key is the id), and the table row.
nlohmann::json session_json(const hivemind::SessionSummary& summary) {
  nlohmann::json entry = summary;
  entry["session_id"] = summary.session_id;
  return entry;
}
std::vector<std::string> session_row(const hivemind::SessionSummary& summary) {
  return {summary.session_id, summary.status.text(), text_or_dash(summary.created),
          one_line(summary.task, 60)};
}

// The fleet's merged list (by target, then creation time) under a table of its targets.
void list_fleet(Context& context, const std::optional<std::string>& status_filter) {
  const auto index = context.fleet().list();
  nlohmann::json sessions = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& [target, summary] : index.sessions) {
    if (status_filter && summary.status.text() != *status_filter) continue;
    auto entry = session_json(summary);
    entry["target"] = target;
    sessions.push_back(std::move(entry));
    auto row = session_row(summary);
    row.insert(row.begin() + 1, target);
    rows.push_back(std::move(row));
  }
  context.output().document({{"sessions", sessions}, {"targets", targets_json(index.targets)}});
  print_targets_table(context.output(), index.targets);
  context.output().line("");
  context.output().table({"SESSION", "TARGET", "STATUS", "CREATED", "TASK"}, rows);
}

void add_list(CLI::App& app, Context& context) {
  auto status_filter = std::make_shared<std::optional<std::string>>();
  auto* list = app.add_subcommand(
      "list", "List the sessions the container knows (with a fleet: every target's)");
  list->add_option("--status", *status_filter, "Only sessions with this status");
  list->callback([&context, status_filter] {
    if (context.fleet_mode()) return list_fleet(context, *status_filter);
    const auto& client = context.client();
    const auto index =
        context.run(client.get_executor(), [&](auto token) { return client.async_list(token); });
    std::vector<const hivemind::SessionSummary*> shown;
    for (const auto& [id, summary] : index.sessions) {
      if (!*status_filter || summary.status.text() == **status_filter) shown.push_back(&summary);
    }
    // Oldest first, then by id.
    const auto created = [](const hivemind::SessionSummary* summary) {
      return summary->created ? summary->created->utc : std::chrono::sys_seconds::min();
    };
    std::sort(shown.begin(), shown.end(), [&](const auto* a, const auto* b) {
      return std::pair(created(a), a->session_id) < std::pair(created(b), b->session_id);
    });
    nlohmann::json sessions = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto* summary : shown) {
      sessions.push_back(session_json(*summary));
      rows.push_back(session_row(*summary));
    }
    context.output().document({{"sessions", sessions}});
    context.output().table({"SESSION", "STATUS", "CREATED", "TASK"}, rows);
  });
}

void add_cancel(CLI::App& app, Context& context) {
  auto session_id = std::make_shared<std::string>();
  auto* cancel = app.add_subcommand("cancel", "End a session's processes and record `failed`");
  cancel->add_option("session_id", *session_id, "Session UUID")->required();
  cancel->callback([&context, session_id] {
    const auto session = context.session(*session_id);
    const auto outcome = context.run(session.client().get_executor(),
                                     [&](auto token) { return session.async_cancel(token); });
    const char* text =
        outcome == hivemind::CancelOutcome::cancelled ? "cancelled" : "already_finished";
    context.output().document({{"session_id", *session_id}, {"outcome", text}});
    context.output().line(*session_id + " " + text);
  });
}

void add_cleanup(CLI::App& app, Context& context) {
  auto max_age_hours = std::make_shared<int>(24);
  auto* cleanup =
      app.add_subcommand("cleanup", "Remove completed/failed sessions older than --max-age");
  cleanup->add_option("--max-age", *max_age_hours, "Age in hours (default 24)")
      ->check(CLI::Range(0, 24 * 365 * 10));
  cleanup->callback([&context, max_age_hours] {
    // With a fleet: every target that is up, each session line naming its target.
    std::vector<std::string> targets{""};
    if (context.fleet_mode()) {
      targets.clear();
      for (const auto& target : context.fleet().targets())
        if (target.health == hivemind::TargetHealth::up) targets.push_back(target.name);
    }
    nlohmann::json removed = nlohmann::json::array();
    std::vector<std::string> lines;
    for (const auto& target : targets) {
      const auto client = target.empty() ? context.client() : context.fleet().client(target);
      const auto report = context.run(client.get_executor(), [&](auto token) {
        return client.async_cleanup(*max_age_hours, token);
      });
      for (const auto& session_id : report.removed_sessions) {
        removed.push_back(session_id);
        lines.push_back("  " + session_id + on_target(target));
      }
    }
    context.output().document({{"removed", removed}});
    context.output().line("removed " + std::to_string(lines.size()) + " session(s)");
    for (const auto& line : lines) context.output().line(line);
  });
}

}  // namespace

void add_session_commands(CLI::App& app, Context& context) {
  add_spawn(app, context);
  add_create(app, context);
  add_start(app, context);
  add_status(app, context);
  add_get(app, context);
  add_list(app, context);
  add_cancel(app, context);
  add_cleanup(app, context);
}

}  // namespace hivectl
