#include "detail/process_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string_view>

// Boost 1.81's Process v2 headers use these without including them.
#include <boost/optional.hpp>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/multiple_exceptions.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include "hivemind/error.hpp"

extern char** environ;

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
namespace bp2 = boost::process::v2;
using namespace asio::experimental::awaitable_operators;

// Puts the child in a process group of its own, so a timeout kills whatever it
// started too (a wrapper script's children would otherwise keep our pipes open).
struct OwnProcessGroup {
  bp2::error_code on_exec_setup(bp2::posix::default_launcher&, const std::filesystem::path&,
                                const char* const*) {
    if (::setpgid(0, 0) != 0) return {errno, bp2::system_category()};
    return {};
  }
};

std::string lookup_path(const ProcessRequest& request) {
  for (const auto& [key, value] : request.extra_environment) {
    if (key == "PATH") return value;
  }
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/local/bin:/usr/bin:/bin";
}

// Empty when `program` is a bare name found in no PATH directory.
std::filesystem::path resolve_program(const ProcessRequest& request) {
  if (request.program.find('/') != std::string::npos) return request.program;
  const std::string path = lookup_path(request);
  std::string_view rest = path;
  while (!rest.empty() || path.empty()) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / request.program;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// The child's environment: ours plus the request's additions. (Process v2's own
// process_environment is declared but, in Boost 1.81's header-only mode, never defined.)
class ChildEnvironment {
 public:
  explicit ChildEnvironment(std::vector<std::string> entries) : entries_(std::move(entries)) {
    for (const auto& entry : entries_) pointers_.push_back(entry.c_str());
    pointers_.push_back(nullptr);
  }

  bp2::error_code on_setup(bp2::posix::default_launcher& launcher, const std::filesystem::path&,
                           const char* const*) {
    launcher.env = pointers_.data();
    return {};
  }

 private:
  std::vector<std::string> entries_;
  std::vector<const char*> pointers_;
};

std::vector<std::string> child_environment(const ProcessRequest& request) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const auto key = text.substr(0, text.find('='));
    bool overridden = false;
    for (const auto& extra : request.extra_environment) overridden |= extra.first == key;
    if (!overridden) entries.emplace_back(text);
  }
  for (const auto& [key, value] : request.extra_environment) entries.push_back(key + "=" + value);
  return entries;
}

// One captured stream. Past its limit it stops growing and remembers the overflow;
// the caller then fails the call (nothing is silently truncated).
struct Capture {
  std::string text;
  std::size_t limit;
  const char* name;
  bool overflowed = false;

  // false once the limit is passed.
  bool append(const char* data, std::size_t size) {
    if (text.size() + size > limit) {
      text.append(data, limit - text.size());
      overflowed = true;
      return false;
    }
    text.append(data, size);
    return true;
  }
};

// Reads until EOF. On overflow, calls `stop_writer` (which kills the process, so it
// cannot block on a full pipe) and returns.
template <class StopWriter>
asio::awaitable<void> read_until_eof(asio::readable_pipe& pipe, Capture& capture,
                                     StopWriter stop_writer) {
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    auto [ec, n] =
        co_await pipe.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (!capture.append(buffer.data(), n)) {
      stop_writer();
      co_return;
    }
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec) co_return;  // EOF, or the pipe broke: either way nothing more will come
  }
}

// After the process exited, whatever it wrote is already in the pipe; read it without
// waiting for EOF, which a grandchild holding the pipe could postpone forever.
void read_remaining(asio::readable_pipe& pipe, Capture& capture) {
  const int fd = pipe.native_handle();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0 || !capture.append(buffer.data(), static_cast<std::size_t>(n))) return;
  }
}

asio::awaitable<int> wait_for_exit(bp2::process& process) {
  co_return co_await process.async_wait(asio::use_awaitable);
}

void kill_and_reap(bp2::process& process) {
  if (process.id() <= 0) return;
  ::kill(-process.id(), SIGKILL);
  ::kill(process.id(), SIGKILL);  // in case the child had not reached setpgid yet
  bp2::error_code ignored;
  process.wait(ignored);
}

// Cancellation surfaces as operation_aborted, or, when several awaited branches were
// aborted together, as a multiple_exceptions wrapping it.
bool was_cancelled(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (const asio::multiple_exceptions& e) {
    return was_cancelled(e.first_exception());
  } catch (...) {
    return false;
  }
}

ErrorContext context_of(const ProcessRequest& request, const Capture& err) {
  ErrorContext context;
  context.argv.reserve(request.args.size() + 1);
  context.argv.push_back(request.program);
  context.argv.insert(context.argv.end(), request.args.begin(), request.args.end());
  context.stderr_text = err.text;
  return context;
}

std::string describe(const ProcessRequest& request) {
  std::string text = request.program;
  for (const auto& arg : request.args) text += " " + arg;
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

}  // namespace

asio::awaitable<ProcessResult> run_process(ProcessRequest request) {
  const auto executor = co_await asio::this_coro::executor;
  ProcessResult result;
  const auto program = resolve_program(request);
  if (program.empty()) {
    result.launch_error = std::make_error_code(std::errc::no_such_file_or_directory);
    co_return result;
  }

  asio::readable_pipe out_pipe(executor);
  asio::readable_pipe err_pipe(executor);
  bp2::error_code launch_error;
  bp2::default_process_launcher launcher;
  bp2::process process = launcher(executor, launch_error, program, request.args,
                                  bp2::process_stdio{nullptr, out_pipe, err_pipe},
                                  ChildEnvironment(child_environment(request)), OwnProcessGroup{});
  if (launch_error) {
    // Boost 1.81 does not reap a child whose exec failed; without this it stays a zombie.
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
    result.launch_error = launch_error;
    co_return result;
  }

  Capture out{{}, request.max_output_bytes, "stdout"};
  Capture err{{}, request.max_output_bytes, "stderr"};
  asio::steady_timer deadline(executor, request.timeout);
  bool exited = false;
  std::exception_ptr failure;
  try {
    const auto stop_writer = [pid = process.id()] { ::kill(-pid, SIGKILL); };
    auto first = co_await ((read_until_eof(out_pipe, out, stop_writer) &&
                            read_until_eof(err_pipe, err, stop_writer)) ||
                           wait_for_exit(process) || deadline.async_wait(asio::use_awaitable));
    if (first.index() == 0) {  // both streams closed: the exit follows
      auto exit = co_await (wait_for_exit(process) || deadline.async_wait(asio::use_awaitable));
      exited = exit.index() == 0;
      if (exited) result.exit_code = std::get<0>(exit);
    } else if (first.index() == 1) {
      exited = true;
      result.exit_code = std::get<1>(first);
      read_remaining(out_pipe, out);
      read_remaining(err_pipe, err);
    }
    for (const Capture* capture : {&out, &err}) {
      if (capture->overflowed && !failure) {
        failure = std::make_exception_ptr(
            Error(errc::output_too_large,
                  std::string(capture->name) + " of '" + describe(request) + "' exceeded " +
                      std::to_string(capture->limit) + " bytes; the process was killed",
                  context_of(request, err)));
      }
    }
    if (!exited && !failure) {
      failure = std::make_exception_ptr(Error(errc::timeout,
                                              "'" + describe(request) + "' did not finish within " +
                                                  std::to_string(request.timeout.count()) +
                                                  " ms; it was killed",
                                              context_of(request, err)));
    }
  } catch (...) {
    if (!was_cancelled(std::current_exception())) throw;
    failure = std::make_exception_ptr(Error(
        errc::cancelled, "'" + describe(request) + "' was cancelled", context_of(request, err)));
  }
  if (failure) {
    // Once reaped, the pid (and its group id) may already belong to someone else.
    if (!exited) kill_and_reap(process);
    std::rethrow_exception(failure);
  }
  result.out = std::move(out.text);
  result.err = std::move(err.text);
  co_return result;
}

}  // namespace hivemind::detail
