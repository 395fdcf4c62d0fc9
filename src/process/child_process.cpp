#include "process/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>

// Boost 1.81's Process v2 headers use these without including them.
#include <boost/optional.hpp>
#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

extern char** environ;

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
namespace bp2 = boost::process::v2;

// Runs in the forked child, before exec. A process group of its own lets a kill reach
// whatever the child started too (a wrapper script's children would otherwise keep our
// pipes open). The signal mask is inherited across exec, and an application may block
// signals in its threads (hivectl blocks SIGINT/SIGTERM to take them with sigwait): the
// child starts with none blocked, or it could not be interrupted or terminated.
struct ChildSetup {
  bp2::error_code on_exec_setup(bp2::posix::default_launcher&, const std::filesystem::path&,
                                const char* const*) {
    if (::setpgid(0, 0) != 0) return {errno, bp2::system_category()};
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) return {errno, bp2::system_category()};
    return {};
  }
};

std::string lookup_path(const ChildCommand& command) {
  for (const auto& [key, value] : command.extra_environment) {
    if (key == "PATH") return value;
  }
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/local/bin:/usr/bin:/bin";
}

// Empty when `program` is a bare name found in no PATH directory.
std::filesystem::path resolve_program(const ChildCommand& command) {
  if (command.program.find('/') != std::string::npos) return command.program;
  const std::string path = lookup_path(command);
  std::string_view rest = path;
  while (!rest.empty() || path.empty()) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / command.program;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// The child's environment: ours plus the command's additions. (Process v2's own
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

std::vector<std::string> child_environment(const ChildCommand& command) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const auto key = text.substr(0, text.find('='));
    bool overridden = false;
    for (const auto& extra : command.extra_environment) overridden |= extra.first == key;
    if (!overridden) entries.emplace_back(text);
  }
  for (const auto& [key, value] : command.extra_environment) {
    entries.push_back(key);
    entries.back().append("=").append(value);
  }
  return entries;
}

}  // namespace

std::vector<std::string> ChildCommand::argv() const {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 1);
  argv.push_back(program);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string ChildCommand::describe() const {
  std::string text = program;
  for (const auto& arg : args) text += " " + arg;
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

struct ChildProcess::Impl {
  explicit Impl(const asio::any_io_executor& executor)
      : lifeline(executor), out(executor), err(executor), child_signals(executor, SIGCHLD) {}

  // Reaps the process (`flags`: 0 waits for its exit, WNOHANG does not) and answers its
  // exit code; empty while it runs. Asked again after that, it answers from memory: the
  // pid is no longer ours to wait for.
  std::optional<int> reap(int flags) {
    if (!exit_code) {
      int status = 0;
      pid_t result = -1;
      do {
        result = ::waitpid(pid, &status, flags);
      } while (result < 0 && errno == EINTR);
      if (result == 0) return std::nullopt;
      // -1: someone else reaped it (nothing in the SDK does); its exit code is lost.
      exit_code = result == pid ? bp2::evaluate_exit_code(status) : -1;
    }
    return exit_code;
  }

  asio::writable_pipe lifeline;  // the child's stdin, when it has one
  asio::readable_pipe out;
  asio::readable_pipe err;
  // Registered before the first look at the process: a SIGCHLD that comes between the look
  // and the wait is kept by the set, not lost.
  asio::signal_set child_signals;
  pid_t pid = -1;
  std::optional<int> exit_code;  // set once reaped
};

ChildProcess::ChildProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

ChildProcess ChildProcess::launch(const asio::any_io_executor& executor,
                                  const ChildCommand& command, std::error_code& error) {
  error.clear();
  const auto program = resolve_program(command);
  if (program.empty()) {
    error = std::make_error_code(std::errc::no_such_file_or_directory);
    return ChildProcess(nullptr);
  }
  // Refuse what exec would refuse without forking: Boost 1.81's child calls exit() (not
  // _exit()) when exec fails, which can deadlock a multithreaded parent's fork (seen under
  // AddressSanitizer, whose exit handlers wait for locks held by other threads).
  if (::access(program.c_str(), X_OK) != 0) {
    error = std::error_code(errno, std::generic_category());
    return ChildProcess(nullptr);
  }
  auto impl = std::make_unique<Impl>(executor);
  bp2::error_code launch_error;
  bp2::default_process_launcher launcher;
  // The launcher calls notify_fork on the context of the executor it is given: in the
  // parent around the fork, and in the child between fork and exec. On the application's
  // io_context that loses work (Asio's resolver stops its thread at fork_prepare and does
  // not restart it, so a connect resolving there never completes). On any context that
  // other threads touch as well, the child can inherit one of its mutexes locked at the
  // moment of the fork and hang before exec (seen with one context shared by all
  // launches). So each launch notifies a context of its own, which has no services yet
  // when it forks; the exit is awaited on the caller's executor.
  asio::io_context fork_context;
  const auto launch_with = [&](auto&& stdio) {
    return launcher(fork_context.get_executor(), launch_error, program, command.args, stdio,
                    ChildEnvironment(child_environment(command)), ChildSetup{});
  };
  bp2::process launched =
      command.stdin_lifeline ? launch_with(bp2::process_stdio{impl->lifeline, impl->out, impl->err})
                             : launch_with(bp2::process_stdio{nullptr, impl->out, impl->err});
  if (launch_error) {
    // Boost 1.81 does not reap a child whose exec failed; without this it stays a zombie.
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
    error = launch_error;
    return ChildProcess(nullptr);
  }
  // The exit is awaited on the caller's executor.
  impl->pid = launched.id();
  launched.detach();
  return ChildProcess(std::move(impl));
}

asio::readable_pipe& ChildProcess::out() {
  return impl_->out;
}
asio::readable_pipe& ChildProcess::err() {
  return impl_->err;
}
bool ChildProcess::reaped() const noexcept {
  return impl_ && impl_->exit_code;
}

// Process v2's own async_wait (Boost 1.81) can lose a cancellation: woken by the SIGCHLD of
// another child, it checks this one and waits again without looking at its cancellation
// state, so a cancellation that arrives while that wake-up is queued reaches no operation
// and the wait lasts until the process exits (a `tail -F` never does). Here each wait is a
// co_await of its own, and a coroutine whose cancellation state is cancelled throws at
// its next co_await.
asio::awaitable<int> ChildProcess::async_wait() {
  Impl& impl = *impl_;
  for (;;) {
    if (const auto exit_code = impl.reap(WNOHANG)) co_return *exit_code;
    co_await impl.child_signals.async_wait(asio::use_awaitable);
  }
}

void ChildProcess::kill_group() noexcept {
  if (!impl_ || impl_->exit_code || impl_->pid <= 0) return;
  ::kill(-impl_->pid, SIGKILL);
  ::kill(impl_->pid, SIGKILL);  // in case the child had not reached setpgid yet
}

void ChildProcess::kill_and_reap() noexcept {
  if (!impl_ || impl_->exit_code || impl_->pid <= 0) return;
  kill_group();
  impl_->reap(0);
}

void read_available(asio::readable_pipe& pipe,
                    const std::function<bool(std::string_view chunk)>& consume) {
  const int fd = pipe.native_handle();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::array<char, std::size_t{64} * 1024> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0 || !consume(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) return;
  }
}

}  // namespace hivemind::detail
