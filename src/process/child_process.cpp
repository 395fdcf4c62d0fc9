#include "process/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

extern char** environ;

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;

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

std::vector<std::string> child_environment(const ChildCommand& command);

// The exit status, or the signal number for a killed process (as Boost.Process reports it).
int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return WTERMSIG(wait_status);
  return wait_status;
}

// Null-terminated pointers into `strings`, as execve and posix_spawn take them.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// A pipe whose two ends close on exec: only the dup2 of posix_spawn hands one to the child.
bool open_pipe(std::array<int, 2>& ends, std::error_code& error) {
  if (::pipe2(ends.data(), O_CLOEXEC) == 0) return true;
  error = std::error_code(errno, std::generic_category());
  return false;
}

// posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK) + exec) rather than fork: the child runs
// none of our code and no atfork handler, allocates nothing and takes no lock, so a launch from
// a threaded process cannot hang before exec (fork's hazards: a mutex inherited locked from
// another thread, Asio's notify_fork, Boost 1.81's child calling exit() after a failed exec).
// A process group of its own lets a kill reach whatever the child started too (a wrapper
// script's children would otherwise keep our pipes open). The signal mask and dispositions are
// reset: an application may block signals in its threads (hivectl blocks SIGINT/SIGTERM to
// take them with sigwait) or ignore them, and the child must stay interruptible.
class Spawn {
 public:
  Spawn() {
    ::posix_spawnattr_init(&attributes_);
    ::posix_spawn_file_actions_init(&actions_);
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    ::posix_spawnattr_setsigmask(&attributes_, &none);
    ::posix_spawnattr_setsigdefault(&attributes_, &all);
    ::posix_spawnattr_setpgroup(&attributes_, 0);
    ::posix_spawnattr_setflags(
        &attributes_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  Spawn(const Spawn&) = delete;
  Spawn& operator=(const Spawn&) = delete;
  ~Spawn() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attributes_);
  }

  void give(int fd, int as) { ::posix_spawn_file_actions_adddup2(&actions_, fd, as); }
  void give_null_stdin() {
    ::posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }

  // The child's pid, or 0 with `error` set (a failed exec is reported, and reaped, here).
  pid_t run(const std::filesystem::path& program, const ChildCommand& command,
            std::error_code& error) {
    auto argv_strings = command.argv();
    auto environment_strings = child_environment(command);
    const auto argv = c_strings(argv_strings);
    const auto envp = c_strings(environment_strings);
    pid_t pid = 0;
    if (const int failed = ::posix_spawn(&pid, program.c_str(), &actions_, &attributes_,
                                         argv.data(), envp.data())) {
      error = std::error_code(failed, std::generic_category());
      return 0;
    }
    return pid;
  }

 private:
  posix_spawnattr_t attributes_;
  posix_spawn_file_actions_t actions_;
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
      exit_code = result == pid ? exit_code_of(status) : -1;
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
  // Refuse what exec would refuse without starting a process at all.
  if (::access(program.c_str(), X_OK) != 0) {
    error = std::error_code(errno, std::generic_category());
    return ChildProcess(nullptr);
  }
  auto impl = std::make_unique<Impl>(executor);
  std::array<int, 2> out{-1, -1};
  std::array<int, 2> err{-1, -1};
  std::array<int, 2> in{-1, -1};
  const auto close_all = [&] {
    for (auto* ends : {&out, &err, &in}) {
      for (const int fd : *ends) {
        if (fd >= 0) ::close(fd);
      }
    }
  };
  if (!open_pipe(out, error) || !open_pipe(err, error) ||
      (command.stdin_lifeline && !open_pipe(in, error))) {
    close_all();
    return ChildProcess(nullptr);
  }
  Spawn spawn;
  if (command.stdin_lifeline) {
    spawn.give(in[0], STDIN_FILENO);
  } else {
    spawn.give_null_stdin();
  }
  spawn.give(out[1], STDOUT_FILENO);
  spawn.give(err[1], STDERR_FILENO);
  const pid_t pid = spawn.run(program, command, error);
  // The child holds its own copies now; ours of its ends must go, or EOF never comes.
  for (const int child_end : {out[1], err[1], in[0]}) {
    if (child_end >= 0) ::close(child_end);
  }
  if (pid == 0) {
    for (const int parent_end : {out[0], err[0], in[1]}) {
      if (parent_end >= 0) ::close(parent_end);
    }
    return ChildProcess(nullptr);
  }
  impl->out.assign(out[0]);
  impl->err.assign(err[0]);
  if (command.stdin_lifeline) impl->lifeline.assign(in[1]);
  impl->pid = pid;
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
