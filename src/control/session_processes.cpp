#include "control/session_processes.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "control/input_validation.hpp"
#include "control/session_manager_output.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "process/container_exec.hpp"
#include "process/exec_token.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kStartMarker = "hive-session-manager.sh start ";

// pgrep and pkill exit 0 when something matched and 1 when nothing did; anything else
// (2 syntax error, 3 fatal, 126/127 not installed) means the container cannot tell.
asio::awaitable<std::optional<ContainerResult>> run_process_tool(const ClientOptions& options,
                                                                 std::vector<std::string> command) {
  try {
    auto result = co_await exec_in_container(options, ExecMode::attached, std::move(command));
    if (result.exit_code == 0 || result.exit_code == 1) co_return result;
    logger()->warn("'{}' in container '{}' exited with {}: {}", result.argv.back(),
                   options.container, result.exit_code, trim(result.err));
  } catch (const Error& e) {
    if (e.kind() != errc::docker_exec_failed || !e.context().exit_code) throw;
    logger()->warn("cannot check session processes in container '{}': {}", options.container,
                   e.what());
  }
  co_return std::nullopt;
}

[[noreturn]] void fail_tool(std::string_view tool, const ContainerResult& result) {
  throw Error(errc::docker_exec_failed,
              std::string(tool) + " in the container exited with " +
                  std::to_string(result.exit_code) + ": " + std::string(trim(result.err)),
              context_of(result));
}

}  // namespace

std::string start_process_pattern(std::string_view session_id) {
  return "[h]ive-session-manager.sh start " + std::string(session_id);
}

std::set<std::string> parse_started_sessions(std::string_view pgrep_output) {
  std::set<std::string> sessions;
  for_each_line(pgrep_output, [&](std::string_view line) {
    if (const auto marker = line.find(kStartMarker); marker != std::string_view::npos) {
      const auto candidate = line.substr(marker + kStartMarker.size(), 36);
      if (is_canonical_uuid(candidate)) sessions.emplace(candidate);
    }
  });
  return sessions;
}

asio::awaitable<std::optional<bool>> session_process_alive(const ClientOptions& options,
                                                           std::string session_id) {
  validate_uuid(session_id);
  std::vector<std::string> command{"pgrep", "-f", start_process_pattern(session_id)};
  const auto result = co_await run_process_tool(options, std::move(command));
  if (!result) co_return std::nullopt;
  co_return result->exit_code == 0;
}

asio::awaitable<std::optional<std::set<std::string>>> live_sessions(const ClientOptions& options) {
  std::vector<std::string> command{"pgrep", "-af", "[h]ive-session-manager.sh start "};
  const auto result = co_await run_process_tool(options, std::move(command));
  if (!result) co_return std::nullopt;
  co_return parse_started_sessions(result->out);
}

std::vector<int> process_tree(const std::vector<int>& roots, std::string_view ps_output) {
  std::multimap<int, int> children_of;
  for_each_line(ps_output, [&](std::string_view raw) {
    const auto line = trim(raw);
    int pid = 0;
    int ppid = 0;
    const auto [after_pid, pid_ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
    const auto rest = trim(std::string_view(after_pid, line.data() + line.size() - after_pid));
    const auto [after_ppid, ppid_ec] =
        std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
    if (pid_ec == std::errc() && ppid_ec == std::errc()) children_of.emplace(ppid, pid);
  });
  std::vector<int> tree(roots);
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const auto [first, last] = children_of.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) {
      if (std::find(tree.begin(), tree.end(), it->second) == tree.end()) tree.push_back(it->second);
    }
  }
  return tree;
}

asio::awaitable<bool> kill_session_processes(const ClientOptions& options, std::string session_id) {
  validate_uuid(session_id);
  // Everything the SDK's `start` began carries the session's token, orphans included: an
  // agent forked between the `ps` and the `kill` below escapes the tree walk, not this.
  const auto by_token = co_await exec_in_container(
      options, ExecMode::attached, kill_by_token_command(session_exec_token(session_id)));
  int killed_by_token = 0;
  const auto count = trim(by_token.out);
  std::from_chars(count.data(), count.data() + count.size(), killed_by_token);
  // The tree walk: for a session started some other way (another client, by hand).
  std::vector<std::string> find{"pgrep", "-f", start_process_pattern(session_id)};
  const auto found = co_await run_process_tool(options, std::move(find));
  if (!found) {
    throw Error(errc::docker_exec_failed, "cannot find the processes of session " + session_id +
                                              " in container '" + options.container +
                                              "' (no usable pgrep there)");
  }
  std::vector<int> roots;
  for_each_line(found->out, [&](std::string_view line) {
    int pid = 0;
    if (std::from_chars(line.data(), line.data() + line.size(), pid).ec == std::errc()) {
      roots.push_back(pid);
    }
  });
  if (roots.empty()) co_return killed_by_token > 0;

  std::vector<std::string> list{"ps", "-e", "-o", "pid=,ppid="};
  const auto listed = co_await exec_in_container(options, ExecMode::attached, std::move(list));
  if (listed.exit_code != 0) fail_tool("ps", listed);
  std::vector<std::string> kill{"kill", "-KILL"};
  for (const int pid : process_tree(roots, listed.out)) kill.push_back(std::to_string(pid));
  // Exit 1 here means some process ended on its own meanwhile, which is what we wanted.
  const auto killed = co_await exec_in_container(options, ExecMode::attached, std::move(kill));
  if (killed.exit_code > 1) fail_tool("kill", killed);
  co_return true;
}

asio::awaitable<std::optional<std::uint64_t>> container_file_size(const ClientOptions& options,
                                                                  std::string container_path) {
  std::vector<std::string> command{"stat", "-c", "%s", std::move(container_path)};
  const auto result = co_await exec_in_container(options, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) co_return std::nullopt;
  const auto text = trim(result.out);
  std::uint64_t size = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(errc::protocol_error, "stat printed no size: '" + std::string(text) + "'",
                context_of(result));
  }
  co_return size;
}

}  // namespace hivemind::detail
