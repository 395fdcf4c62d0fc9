#include "process/container_exec.hpp"

#include <array>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "metrics/call_timer.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < needle.size() && match; ++j) {
      const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
      match = lower(haystack[i + j]) == lower(needle[j]);
    }
    if (match) return true;
  }
  return false;
}

// Wording varies across docker and podman versions, so the match is loose.
constexpr std::array<std::string_view, 9> kUnavailablePatterns{
    "no such container",
    "is not running",
    "is paused",
    "is restarting",
    "cannot connect to the docker daemon",
    "error during connect",
    "is the docker daemon running",
    "no container with name or id",
    "can only create exec sessions on running containers",
};

// A missing or non-executable CLI does not fix itself within a retry's backoff.
bool is_permanent_launch_error(std::error_code ec) {
  return ec == std::errc::no_such_file_or_directory || ec == std::errc::permission_denied ||
         ec == std::errc::not_a_directory;
}

std::string excerpt(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text.size() > 500 ? text.substr(0, 500) : text);
}

}  // namespace

std::vector<std::string> container_argv(const ClientOptions& options, ExecMode mode,
                                        const std::vector<std::string>& command) {
  std::vector<std::string> argv;
  argv.reserve(4 + options.cli_global_args.size() + options.exec_args.size() + command.size());
  argv.push_back(options.cli);
  argv.insert(argv.end(), options.cli_global_args.begin(), options.cli_global_args.end());
  argv.emplace_back("exec");
  if (mode == ExecMode::detached) argv.emplace_back("-d");
  if (mode == ExecMode::interactive) argv.emplace_back("-i");
  argv.insert(argv.end(), options.exec_args.begin(), options.exec_args.end());
  argv.push_back(options.container);
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

bool is_container_unavailable(const ContainerResult& result) {
  if (result.exit_code == 0) return false;
  for (const auto pattern : kUnavailablePatterns) {
    if (contains_ignoring_case(result.err, pattern)) return true;
  }
  return false;
}

ErrorContext context_of(const ContainerResult& result) {
  ErrorContext context;
  context.argv = result.argv;
  context.exit_code = result.exit_code;
  context.stderr_text = result.err;
  context.output_text = result.out.substr(0, 4096);
  return context;
}

asio::awaitable<ContainerResult> exec_in_container(const ClientOptions& options, ExecMode mode,
                                                   std::vector<std::string> command) {
  const auto argv = container_argv(options, mode, command);
  ProcessRequest request{argv.front(),
                         {argv.begin() + 1, argv.end()},
                         options.cli_environment,
                         options.call_timeout,
                         options.max_output_bytes};
  const int attempts = std::max(1, options.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    logger()->debug("exec (attempt {}/{}): {} ... {}", attempt, attempts, options.cli,
                    command.empty() ? "" : command.front());
    CallTimer exec_timer(options.metrics, &MetricsSink::on_docker_exec);
    ProcessResult result = co_await run_process(request);
    ContainerResult finished{argv, result.exit_code, std::move(result.out), std::move(result.err)};

    std::optional<Error> failure;
    bool retryable = false;
    if (result.launch_error) {
      retryable = !is_permanent_launch_error(result.launch_error);
      ErrorContext context;
      context.argv = argv;
      failure.emplace(
          errc::docker_exec_failed,
          "cannot run container CLI '" + options.cli + "': " + result.launch_error.message(),
          std::move(context));
    } else if (is_container_unavailable(finished)) {
      retryable = true;
      failure.emplace(
          errc::container_unavailable,
          "container '" + options.container + "' is unavailable: " + excerpt(finished.err),
          context_of(finished));
    } else if (finished.exit_code == 126 || finished.exit_code == 127) {
      // The CLI reached the container but could not run the command (e.g. wrong script path).
      failure.emplace(errc::docker_exec_failed,
                      "the container could not run '" + (command.empty() ? "" : command.front()) +
                          "' (exit " + std::to_string(finished.exit_code) +
                          "): " + excerpt(finished.err),
                      context_of(finished));
    }
    exec_timer.finish(failure.has_value());
    if (!failure) co_return finished;
    if (!retryable || attempt >= attempts) throw *failure;

    const auto delay = backoff_delay(options.retry, attempt);
    logger()->warn("{}; retrying in {} ms (attempt {}/{})", failure->what(), delay.count(),
                   attempt + 1, attempts);
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace hivemind::detail
