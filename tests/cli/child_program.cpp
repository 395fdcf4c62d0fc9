#include "child_program.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/mock_container.hpp"
#include "support/proc_file.hpp"

extern char** environ;

namespace hivemind::testing {

struct ChildProgram::State {
  pid_t pid = -1;
  bool reaped = false;
  int exit_code = -1;
  mutable std::mutex mutex;
  std::string out;
  std::string err;
  std::thread out_reader;
  std::thread err_reader;
};

namespace {

void read_all(int fd, std::mutex& mutex, std::string& into) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::lock_guard lock(mutex);
    into.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ChildProgram::ChildProgram(const std::string& program, const std::vector<std::string>& args,
                           const Environment& environment)
    : state_(std::make_unique<State>()) {
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    if (std::string_view(*entry).starts_with("HIVEMIND_")) continue;
    env_strings.emplace_back(*entry);
  }
  for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  const int spawned =
      ::posix_spawn(&state_->pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw std::runtime_error("cannot run " + program);
  }
  state_->out_reader =
      std::thread(read_all, out_pipe[0], std::ref(state_->mutex), std::ref(state_->out));
  state_->err_reader =
      std::thread(read_all, err_pipe[0], std::ref(state_->mutex), std::ref(state_->err));
}

ChildProgram::~ChildProgram() {
  if (!state_->reaped) {
    ::kill(state_->pid, SIGKILL);
    finish();
  }
}

std::string ChildProgram::out_so_far() const {
  const std::lock_guard lock(state_->mutex);
  return state_->out;
}

std::string ChildProgram::err_so_far() const {
  const std::lock_guard lock(state_->mutex);
  return state_->err;
}

void ChildProgram::send_signal(int signal_number) const {
  ::kill(state_->pid, signal_number);
}

ProgramResult ChildProgram::finish(std::chrono::milliseconds limit) {
  if (!state_->reaped) {
    int status = 0;
    const bool exited =
        eventually([&] { return ::waitpid(state_->pid, &status, WNOHANG) == state_->pid; }, limit);
    if (!exited) {
      ::kill(state_->pid, SIGKILL);
      ::waitpid(state_->pid, &status, 0);
    }
    state_->reaped = true;
    state_->exit_code = decode_status(status);
    // Grandchildren holding the pipes open would block these joins; the programs under
    // test must not leave any (that is part of what the tests check).
    state_->out_reader.join();
    state_->err_reader.join();
  }
  return {state_->exit_code, out_so_far(), err_so_far()};
}

ProgramResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const Environment& environment) {
  return ChildProgram(program, args, environment).finish();
}

std::vector<std::string> mock_container_processes(const std::string& root) {
  // The fake docker's own process carries MOCK_ROOT, what it runs HIVE_MOCK_ROOT.
  const std::string markers[] = {"HIVE_MOCK_ROOT=" + root, "MOCK_ROOT=" + root};
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string environment = read_proc_file(entry.path() / "environ");
    bool matches = false;
    for (std::size_t start = 0; start < environment.size();) {
      const std::size_t end = environment.find('\0', start);
      for (const auto& marker : markers) {
        if (environment.compare(start, end - start, marker) == 0) matches = true;
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (!matches) continue;
    std::string cmdline = read_proc_file(entry.path() / "cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (!cmdline.empty()) found.push_back(cmdline);
  }
  return found;
}

}  // namespace hivemind::testing
