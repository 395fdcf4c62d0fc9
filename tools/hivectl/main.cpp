// hivectl: the hivemind-cpp SDK as a command-line tool. See docs/hivectl.md.
#include <iostream>

#include "commands.hpp"
#include "interrupt.hpp"

namespace {

constexpr const char* kFooter =
    R"(Environment: HIVEMIND_CONTAINER, HIVEMIND_DOCKER, HIVEMIND_SCRIPT,
HIVEMIND_HOST_EXT_DIR, HIVEMIND_MCP_HOST, HIVEMIND_MCP_PORT, HIVEMIND_MCP_TOKEN,
HIVEMIND_TIMEOUT, HIVEMIND_FLEET, HIVEMIND_JOURNAL_DIR (top), HIVEMIND_WS_URL (watch)
(options given on the command line win).

Fleets: --fleet FILE (a JSON file of "targets", "docker" and "kubernetes" entries, see
docs/hivectl.md) spreads spawn/create over its containers, merges list and top (with a
TARGET column) and finds each session's container for the commands taking a UUID;
--target NAME uses one of them as if it were the only container.

Exit codes: 0 ok/completed, 1 error, 2 usage, 3 session failed, 4 session dead,
5 session stale, 6 timeout, 7 connection (container or MCP relay unreachable, auth),
8 session not found, 9 MCP tool unavailable or failed, 130 interrupted (Ctrl-C).)";

}  // namespace

int main(int argc, char** argv) {
  using hivectl::ExitCode;
  const hivectl::InterruptWatcher interrupts;
  hivectl::Context context(interrupts.token());

  CLI::App app("hivectl: create, start, follow and inspect hive-mind sessions", "hivectl");
  app.set_version_flag("--version", std::string("hivectl ") + hivemind::version_string);
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.footer(kFooter);
  context.add_global_options(app);
  hivectl::add_session_commands(app, context);
  hivectl::add_wait_commands(app, context);
  hivectl::add_file_commands(app, context);
  hivectl::add_mcp_commands(app, context);
  hivectl::add_monitor_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    hivectl::report_error("usage", std::string(error.what()) + " (see hivectl --help)");
    return static_cast<int>(ExitCode::usage);
  } catch (const hivemind::Error& error) {
    const auto code = hivectl::exit_code_for(error);
    if (code == ExitCode::interrupted) {
      hivectl::report_error("interrupted", "cancelled");
    } else {
      hivectl::report_error(
          hivemind::to_string(error.kind().value_or(hivemind::errc::protocol_error)), error.what());
    }
    return static_cast<int>(code);
  } catch (const std::exception& error) {
    hivectl::report_error("error", error.what());
    return static_cast<int>(ExitCode::error);
  }
  return static_cast<int>(context.exit_code());
}
