// logs and outputs: what a session wrote.
#include "commands.hpp"

namespace hivectl {
namespace {

// read_log() takes a line count; this one means "the whole log".
constexpr std::size_t kWholeLog = 1'000'000'000;

nlohmann::json skipped_json(const std::vector<hivemind::SkippedOutput>& skipped) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& entry : skipped) {
    entries.push_back({{"path", entry.relative_path.generic_string()}, {"reason", entry.reason}});
  }
  return entries;
}

void report_skipped(const std::vector<hivemind::SkippedOutput>& skipped) {
  for (const auto& entry : skipped) {
    std::fprintf(stderr, "hivectl: skipped %s: %s\n", entry.relative_path.c_str(),
                 entry.reason.c_str());
  }
}

void add_logs(CLI::App& app, Context& context) {
  struct Arguments {
    std::string session_id;
    bool follow = false;
    std::optional<std::size_t> last_n_lines;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* logs = app.add_subcommand("logs", "Print a session's log");
  logs->add_option("session_id", arguments->session_id, "Session UUID")->required();
  logs->add_flag("-f,--follow", arguments->follow,
                 "Keep printing lines as they are written, until the session ends "
                 "(exit code as for wait)");
  logs->add_option("-n,--lines", arguments->last_n_lines, "Only the last N lines");
  logs->callback([&context, arguments] {
    if (arguments->follow) {
      FollowSettings settings;
      settings.follow_logs = true;
      settings.last_n_lines = arguments->last_n_lines;
      auto results = wait_for_sessions(context, {arguments->session_id}, settings);
      context.output().document(results.front());
      return;
    }
    const auto session = context.session(arguments->session_id);
    const auto lines = context.run(session.client().get_executor(), [&](auto token) {
      return session.async_read_log(arguments->last_n_lines.value_or(kWholeLog), token);
    });
    context.output().document({{"session_id", arguments->session_id}, {"lines", lines}});
    for (const auto& line : lines) context.output().line(line);
  });
}

void add_outputs(CLI::App& app, Context& context) {
  struct Arguments {
    std::string session_id;
    std::optional<std::string> copy_to;
    bool through_engine = false;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* outputs = app.add_subcommand(
      "outputs", "List a session's output files (read on the host, under --host-ext-dir)");
  outputs->add_option("session_id", arguments->session_id, "Session UUID")->required();
  auto* copy_to =
      outputs->add_option("--copy-to", arguments->copy_to, "Copy the files into this directory");
  outputs
      ->add_flag("--through-engine", arguments->through_engine,
                 "Copy out through the container engine (exec tar), for a container that "
                 "shares no directory with this host")
      ->needs(copy_to);
  outputs->callback([&context, arguments] {
    const auto session = context.session(arguments->session_id);
    const auto files = session.outputs();
    const auto& out = context.output();
    if (arguments->copy_to) {
      const auto report = arguments->through_engine
                              ? session.fetch_outputs_to(*arguments->copy_to, context.stop_token())
                              : files.copy_to(*arguments->copy_to);
      nlohmann::json copied = nlohmann::json::array();
      for (const auto& path : report.copied) copied.push_back(path.generic_string());
      out.document({{"session_id", arguments->session_id},
                    {"destination", *arguments->copy_to},
                    {"copied", copied},
                    {"bytes", report.bytes},
                    {"skipped", skipped_json(report.skipped)}});
      out.line("copied " + std::to_string(report.copied.size()) + " file(s), " +
               format_bytes(report.bytes) + ", to " + *arguments->copy_to);
      report_skipped(report.skipped);
      return;
    }
    const auto listing = files.list_with_skipped();
    nlohmann::json entries = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& file : listing.files) {
      entries.push_back({{"path", file.relative_path.generic_string()}, {"size", file.size}});
      rows.push_back({file.relative_path.generic_string(), format_bytes(file.size)});
    }
    out.document({{"session_id", arguments->session_id},
                  {"directory", files.directory().string()},
                  {"files", entries},
                  {"skipped", skipped_json(listing.skipped)}});
    out.line(std::to_string(listing.files.size()) + " file(s) in " + files.directory().string());
    out.table({"PATH", "SIZE"}, rows);
    report_skipped(listing.skipped);
  });
}

}  // namespace

void add_file_commands(CLI::App& app, Context& context) {
  add_logs(app, context);
  add_outputs(app, context);
}

}  // namespace hivectl
