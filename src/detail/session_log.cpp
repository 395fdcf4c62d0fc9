#include "detail/session_log.hpp"

#include <utility>

#include "detail/container_exec.hpp"
#include "detail/line_splitter.hpp"
#include "detail/line_stream.hpp"
#include "hivemind/error.hpp"
#include "hivemind/logging.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;

void validate_log_path(const std::string& path) {
  // Checked here because the path ends up as an argument of a command in the container.
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos) {
    throw Error(errc::invalid_argument,
                "a session log path must be an absolute container path, got '" + path + "'");
  }
}

// The last line of `text` that is not empty (for messages; the full text is in the context).
std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const auto start = text.rfind('\n');
  return std::string(start == std::string_view::npos ? text : text.substr(start + 1));
}

}  // namespace

asio::awaitable<std::vector<std::string>> read_log_tail(const ClientOptions& options,
                                                        std::string container_log_path,
                                                        std::size_t last_n_lines) {
  validate_log_path(container_log_path);
  std::vector<std::string> command{"tail", "-n", std::to_string(last_n_lines), "--",
                                   container_log_path};
  const ContainerResult result =
      co_await exec_in_container(options, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) {
    // GNU and busybox tail both word a missing file with strerror(ENOENT), exit 1.
    if (result.err.find("No such file or directory") != std::string::npos) {
      co_return std::vector<std::string>{};
    }
    throw Error(errc::docker_exec_failed,
                "cannot read the log '" + container_log_path + "': " + last_line(result.err),
                context_of(result));
  }
  std::vector<std::string> lines;
  LineSplitter splitter(FollowOptions{}.max_line_bytes);
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  splitter.feed(result.out, keep);
  splitter.finish(keep);
  co_return lines;
}

asio::awaitable<void> follow_log(const ClientOptions& options, std::string container_log_path,
                                 FollowOptions follow,
                                 std::function<void(std::string_view line)> on_line) {
  validate_log_path(container_log_path);
  // -F: follow the name, retrying while it does not exist and across replacement.
  // -s 0.2: where inotify is unavailable (overlay file systems), tail polls; its default
  // one-second poll would hold lines back, and a file that appears late longer still.
  const std::vector<std::string> command{
      "tail", "-F",
      "-s",   "0.2",
      "-n",   follow.last_n_lines ? std::to_string(*follow.last_n_lines) : std::string("+1"),
      "--",   container_log_path};
  auto argv = container_argv(options, ExecMode::attached, command);
  LineStreamRequest request{
      ChildCommand{argv.front(), {argv.begin() + 1, argv.end()}, options.cli_environment},
      follow.max_line_bytes};
  logger()->debug("following log {}", container_log_path);
  const LineStreamResult ended = co_await run_line_stream(std::move(request), std::move(on_line));

  // `tail -F` never ends by itself: whatever ended it is a failure.
  if (ended.launch_error) {
    ErrorContext context;
    context.argv = std::move(argv);
    throw Error(errc::docker_exec_failed,
                "cannot run container CLI '" + options.cli + "': " + ended.launch_error.message(),
                std::move(context));
  }
  const ContainerResult result{std::move(argv), ended.exit_code, {}, ended.err};
  if (is_container_unavailable(result)) {
    throw Error(errc::container_unavailable,
                "following the log '" + container_log_path + "' failed: container '" +
                    options.container + "' is unavailable: " + last_line(result.err),
                context_of(result));
  }
  if (result.exit_code == 126 || result.exit_code == 127) {
    throw Error(errc::docker_exec_failed,
                "the container could not run tail (exit " + std::to_string(result.exit_code) +
                    "): " + last_line(result.err),
                context_of(result));
  }
  throw Error(errc::connection_lost,
              "following the log '" + container_log_path + "' ended unexpectedly (exit " +
                  std::to_string(result.exit_code) +
                  "); the container may have stopped or restarted",
              context_of(result));
}

}  // namespace hivemind::detail
