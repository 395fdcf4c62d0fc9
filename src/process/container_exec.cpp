#include "process/container_exec.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/cancellation.hpp"
#include "common/deadline.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "metrics/call_timer.hpp"
#include "process/engine_api.hpp"
#include "process/engine_endpoint.hpp"
#include "process/engine_exec_request.hpp"
#include "process/exec_token.hpp"
#include "process/kubectl_exec.hpp"

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

// One try at running the command: what it printed, or why it did not run.
struct Attempt {
  ContainerResult finished;
  std::optional<Error> failure;
  bool retryable = false;  // failed before the command ran
};

asio::awaitable<Attempt> through_cli(const ClientOptions& options, ExecMode mode,
                                     const std::vector<std::string>& command,
                                     std::string_view token, std::chrono::milliseconds timeout) {
  auto argv = container_argv(options, mode, command, token);
  ProcessRequest request{argv.front(),
                         {argv.begin() + 1, argv.end()},
                         options.cli_environment,
                         timeout,
                         options.max_output_bytes};
  ProcessResult result = co_await run_process(std::move(request));
  Attempt attempt;
  attempt.finished = {std::move(argv), result.exit_code, std::move(result.out),
                      std::move(result.err)};
  if (result.launch_error) {
    attempt.retryable = !is_permanent_launch_error(result.launch_error);
    ErrorContext context;
    context.argv = attempt.finished.argv;
    attempt.failure.emplace(
        errc::docker_exec_failed,
        "cannot run container CLI '" + options.cli + "': " + result.launch_error.message(),
        std::move(context));
  } else if (options.transport == ContainerTransport::kubectl) {
    if (auto refusal = kubectl_refusal(options, attempt.finished.exit_code, attempt.finished.err,
                                       context_of(attempt.finished))) {
      attempt.retryable = refusal->kind() == errc::container_unavailable;
      attempt.failure = std::move(refusal);
    }
  } else if (is_container_unavailable(attempt.finished)) {
    attempt.retryable = true;
    attempt.failure.emplace(errc::container_unavailable,
                            "container '" + options.container +
                                "' is unavailable: " + output_excerpt(attempt.finished.err),
                            context_of(attempt.finished));
  }
  co_return attempt;
}

asio::awaitable<Attempt> through_engine_api(const ClientOptions& options,
                                            const EngineEndpoint& endpoint, ExecMode mode,
                                            const std::vector<std::string>& command,
                                            std::string_view token,
                                            std::chrono::milliseconds timeout) {
  const auto request = engine_exec_request(options, mode == ExecMode::detached, command, token);
  Attempt attempt;
  attempt.finished.argv = engine_argv(endpoint, request);
  ErrorContext context;
  context.argv = attempt.finished.argv;
  const std::string described =
      "'" + (command.empty() ? "" : command.front()) + "' in container '" + options.container + "'";
  try {
    auto result = co_await within(timeout, engine_exec(endpoint, request));
    if (!result) {
      throw Error(errc::timeout,
                  described + " did not finish within " + std::to_string(timeout.count()) + " ms",
                  std::move(context));
    }
    attempt.finished.exit_code = result->exit_code;
    attempt.finished.out = std::move(result->out);
    attempt.finished.err = std::move(result->err);
  } catch (const Error& error) {
    if (error.kind() != errc::container_unavailable) throw;
    attempt.failure = error;
    attempt.retryable = true;
  } catch (...) {
    if (!is_cancellation(std::current_exception())) throw;
    throw Error(errc::cancelled, described + " was cancelled", std::move(context));
  }
  co_return attempt;
}

// A deadline, a cancel or an overflow ended the call, but not the command in the container.
bool leaves_the_command_running(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& error) {
    return error.kind() == errc::timeout || error.kind() == errc::cancelled ||
           error.kind() == errc::output_too_large;
  } catch (...) {
    return false;
  }
}

// Kills what carries `token` in the container (exec_token.hpp). Best effort: the call's own
// error is what the caller sees; a failure here is logged.
asio::awaitable<void> end_in_container(const ClientOptions& options,
                                       const std::optional<EngineEndpoint>& endpoint,
                                       std::string_view token) {
  // Short: a Ctrl-C waits for it. A healthy engine runs this exec in well under a second.
  constexpr std::chrono::milliseconds kKillDeadline{3'000};
  const auto timeout = std::min(options.call_timeout, kKillDeadline);
  const auto command = kill_by_token_command(token);
  std::string problem;
  try {
    Attempt attempt;
    if (endpoint) {
      attempt =
          co_await through_engine_api(options, *endpoint, ExecMode::attached, command, {}, timeout);
    } else {
      attempt = co_await through_cli(options, ExecMode::attached, command, {}, timeout);
    }
    if (attempt.failure) problem = attempt.failure->what();
  } catch (const std::exception& error) {
    problem = error.what();
  }
  if (!problem.empty()) logger()->warn("could not end the command in the container: {}", problem);
}

}  // namespace

std::vector<std::string> container_argv(const ClientOptions& options, ExecMode mode,
                                        const std::vector<std::string>& command,
                                        std::string_view token) {
  if (options.transport == ContainerTransport::kubectl) {
    return kubectl_argv(options, mode, command, token);
  }
  std::vector<std::string> argv;
  argv.reserve(6 + options.cli_global_args.size() + options.exec_args.size() + command.size());
  argv.push_back(options.cli);
  argv.insert(argv.end(), options.cli_global_args.begin(), options.cli_global_args.end());
  argv.emplace_back("exec");
  if (mode == ExecMode::detached) argv.emplace_back("-d");
  if (mode == ExecMode::interactive) argv.emplace_back("-i");
  argv.insert(argv.end(), options.exec_args.begin(), options.exec_args.end());
  if (!token.empty()) {
    argv.emplace_back("-e");
    argv.push_back(exec_token_assignment(token));
  }
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

std::string output_excerpt(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return std::string(text.substr(0, 500));
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
                                                   std::vector<std::string> command,
                                                   std::string token) {
  const auto endpoint = engine_endpoint_for(options);
  // A detached command is meant to outlive the call; an interactive one ends with its stdin.
  if (token.empty() && mode == ExecMode::attached) token = new_exec_token();
  const int attempts = std::max(1, options.retry.max_attempts);
  for (int attempt_number = 1;; ++attempt_number) {
    logger()->debug("exec (attempt {}/{}) via {}: {}", attempt_number, attempts,
                    endpoint ? endpoint->text : options.cli,
                    command.empty() ? "" : command.front());
    CallTimer exec_timer(options.metrics, &MetricsSink::on_docker_exec);
    Attempt attempt;
    std::exception_ptr ended;
    try {
      // No co_await inside ?: (g++ 12 destroys such temporaries twice).
      if (endpoint) {
        attempt = co_await through_engine_api(options, *endpoint, mode, command, token,
                                              options.call_timeout);
      } else {
        attempt = co_await through_cli(options, mode, command, token, options.call_timeout);
      }
    } catch (...) {
      ended = std::current_exception();
    }
    if (ended) {
      if (mode == ExecMode::attached && leaves_the_command_running(ended)) {
        // A cancelled coroutine throws at its next co_await: clear that, to clean up.
        co_await asio::this_coro::reset_cancellation_state();
        co_await end_in_container(options, endpoint, token);
      }
      std::rethrow_exception(ended);
    }
    const ContainerResult& finished = attempt.finished;
    if (!attempt.failure && (finished.exit_code == 126 || finished.exit_code == 127)) {
      // The container was reached but could not run the command (e.g. wrong script path).
      attempt.failure.emplace(
          errc::docker_exec_failed,
          "the container could not run '" + (command.empty() ? "" : command.front()) + "' (exit " +
              std::to_string(finished.exit_code) +
              "): " + output_excerpt(finished.err.empty() ? finished.out : finished.err),
          context_of(finished));
    }
    exec_timer.finish(attempt.failure.has_value());
    if (!attempt.failure) co_return std::move(attempt.finished);
    if (!attempt.retryable || attempt_number >= attempts) throw *attempt.failure;

    const auto delay = backoff_delay(options.retry, attempt_number);
    // In a fleet every target's container may carry the same name: say which target it is.
    logger()->warn("{}{}; retrying in {} ms (attempt {}/{})",
                   options.target_name.empty() ? "" : "fleet target " + options.target_name + ": ",
                   attempt.failure->what(), delay.count(), attempt_number + 1, attempts);
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace hivemind::detail
