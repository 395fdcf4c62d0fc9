#include "control/session_log.hpp"

#include <utility>

#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "process/container_exec.hpp"
#include "process/output_stream.hpp"

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

// fd 3 carries stdin into the watchdog: a shell gives a background job /dev/null as its
// stdin, even with an explicit `<&0`; tail itself does not keep fd 3.
constexpr const char* kTailWithLifeline =
    "exec 3<&0; tail_pid=$$; (cat <&3 >/dev/null; kill $tail_pid) >/dev/null 2>&1 & "
    "exec tail -F -s 0.2 -c +1 -- \"$1\" 3<&-";

// GNU and busybox tail both word a missing file with strerror(ENOENT), exit 1.
bool is_missing_file(const ContainerResult& result) {
  return result.exit_code == 1 && result.err.find("No such file or directory") != std::string::npos;
}

// `tail RANGE -- PATH` (RANGE: -n N or -c +OFFSET): what it printed; empty when the file
// does not exist yet. `part` names what was read in the error ("" or "the rest of ").
asio::awaitable<std::string> read_with_tail(const ClientOptions& options,
                                            std::vector<std::string> range, const std::string& path,
                                            std::string_view part) {
  std::vector<std::string> command{"tail"};
  command.insert(command.end(), range.begin(), range.end());
  command.push_back("--");
  command.push_back(path);
  auto result = co_await exec_in_container(options, ExecMode::attached, std::move(command));
  if (result.exit_code == 0) co_return std::move(result.out);
  if (is_missing_file(result)) co_return std::string();
  throw Error(
      errc::docker_exec_failed,
      "cannot read " + std::string(part) + "the log '" + path + "': " + last_line(result.err),
      context_of(result));
}

}  // namespace

asio::awaitable<std::vector<std::string>> read_log_tail(const ClientOptions& options,
                                                        std::string container_log_path,
                                                        std::size_t last_n_lines) {
  validate_log_path(container_log_path);
  std::vector<std::string> range{"-n", std::to_string(last_n_lines)};
  const auto text = co_await read_with_tail(options, std::move(range), container_log_path, "");
  std::vector<std::string> lines;
  LineFramer framer(LineFramer::text(FollowOptions{}.max_line_bytes));
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  framer.feed(text, keep);
  framer.finish(keep);
  co_return lines;
}

LogFollower::LogFollower(std::string container_log_path, FollowOptions follow, LineHandler on_line)
    : path_(std::move(container_log_path)),
      follow_(follow),
      on_line_(std::move(on_line)),
      framer_(LineFramer::text(follow.max_line_bytes)) {
  validate_log_path(path_);
}

asio::awaitable<void> LogFollower::begin(const ClientOptions& options) {
  if (!follow_.last_n_lines) co_return;  // everything is wanted: no history to hold back
  history_bytes_ = (co_await container_file_size(options, path_)).value_or(0);
  in_history_ = history_bytes_ > 0;
}

void LogFollower::consume(std::string_view chunk) {
  const auto consumed_before = consumed_;
  consumed_ += chunk.size();
  if (in_history_) {
    const auto keep_last = [this](std::string_view line) {
      history_.emplace_back(line);
      if (history_.size() > *follow_.last_n_lines) history_.pop_front();
    };
    const auto history_left = history_bytes_ - consumed_before;
    if (chunk.size() < history_left) {
      framer_.feed(chunk, keep_last);
      return;
    }
    framer_.feed(chunk.substr(0, history_left), keep_last);
    chunk.remove_prefix(history_left);
    end_history();
  }
  framer_.feed(chunk, on_line_);
}

// A line still incomplete where the history ends counts as new: it is delivered whole,
// once it is complete.
void LogFollower::end_history() {
  in_history_ = false;
  while (!history_.empty()) {
    on_line_(history_.front());
    history_.pop_front();
  }
}

asio::awaitable<void> LogFollower::run(const ClientOptions& options) {
  // -F: follow the name, retrying while it does not exist and across replacement.
  // -s 0.2: where inotify is unavailable (overlay file systems), tail polls; its default
  // one-second poll would hold lines back, and a file that appears late longer still.
  // -c +1: from the first byte, so that consumed_ is an offset into the file.
  // Killing the docker CLI leaves the command running in the container (moby/moby#9098),
  // and a tail on a log that no longer grows would never notice. So tail runs beside a
  // watchdog that kills it when stdin reaches EOF, which `exec -i` delivers once the CLI is
  // gone. The path is an argument of the script ($1), never part of its text.
  const std::vector<std::string> command{"sh", "-c", kTailWithLifeline, "hivemind-follow", path_};
  auto argv = container_argv(options, ExecMode::interactive, command);
  ChildCommand child{argv.front(), {argv.begin() + 1, argv.end()}, options.cli_environment};
  child.stdin_lifeline = true;
  OutputStreamRequest request{std::move(child)};
  logger()->debug("following log {}", path_);
  std::function<void(std::string_view)> on_output = [this](std::string_view chunk) {
    consume(chunk);
  };
  const auto ended = co_await run_output_stream(std::move(request), std::move(on_output));

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
                "following the log '" + path_ + "' failed: container '" + options.container +
                    "' is unavailable: " + last_line(result.err),
                context_of(result));
  }
  if (result.exit_code == 126 || result.exit_code == 127) {
    throw Error(errc::docker_exec_failed,
                "the container could not run tail (exit " + std::to_string(result.exit_code) +
                    "): " + last_line(result.err),
                context_of(result));
  }
  throw Error(errc::connection_lost,
              "following the log '" + path_ + "' ended unexpectedly (exit " +
                  std::to_string(result.exit_code) +
                  "); the container may have stopped or restarted",
              context_of(result));
}

asio::awaitable<void> LogFollower::catch_up(const ClientOptions& options) {
  std::vector<std::string> range{"-c", "+" + std::to_string(consumed_ + 1)};
  consume(co_await read_with_tail(options, std::move(range), path_, "the rest of "));
  if (in_history_) end_history();
  framer_.finish(on_line_);
}

asio::awaitable<void> follow_log(const ClientOptions& options, std::string container_log_path,
                                 FollowOptions follow,
                                 std::function<void(std::string_view line)> on_line) {
  LogFollower follower(std::move(container_log_path), follow, std::move(on_line));
  co_await follower.begin(options);
  co_await follower.run(options);
}

}  // namespace hivemind::detail
