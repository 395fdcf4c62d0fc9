// ChildProcess: how children are started, and async_wait, whose exit is observed through
// SIGCHLD, which every child's exit raises in every waiter. Runs local commands (no container).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "process/child_process.hpp"

namespace {

namespace asio = boost::asio;
using hivemind::detail::ChildCommand;
using hivemind::detail::ChildProcess;

// How one async_wait ended.
struct ChildExit {
  std::exception_ptr failure;
  int exit_code = -1;
};

ChildProcess launch(asio::io_context& io, ChildCommand command) {
  std::error_code error;
  auto child = ChildProcess::launch(io.get_executor(), command, error);
  EXPECT_TRUE(child.started()) << command.describe() << ": " << error.message();
  return child;
}

void start_wait(asio::io_context& io, ChildProcess& child, std::optional<ChildExit>& outcome,
                asio::cancellation_slot slot = {}) {
  asio::co_spawn(io, child.async_wait(),
                 asio::bind_cancellation_slot(slot, [&outcome](std::exception_ptr e, int code) {
                   outcome = ChildExit{e, code};
                 }));
}

bool is_operation_aborted(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

// A FIFO in a directory of its own: `cat` on it exits once a writer has come and gone.
class Gate {
 public:
  Gate() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "hivemind-gate-XXXXXX").string();
    directory_ = ::mkdtemp(pattern.data());
    path_ = directory_ / "gate";
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  }
  ~Gate() { std::filesystem::remove_all(directory_); }
  const std::filesystem::path& path() const { return path_; }
  // Blocks until the reader has opened the FIFO, then closes it: the reader sees EOF.
  void open_and_close() const {
    const int fd = ::open(path_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }

 private:
  std::filesystem::path directory_;
  std::filesystem::path path_;
};

}  // namespace

// The SIGCHLD of another child completes this wait's signal wait, and the cancellation
// arrives while that completion is still queued. Boost 1.81's Process v2 wait went back to
// waiting there (the cancellation was lost and the wait lasted until the process exited:
// a hivectl Ctrl-C during `--follow` hung on its never-ending `tail -F`).
TEST(ChildProcessWait, ACancellationQueuedBehindAnotherChildsExitEndsTheWait) {
  asio::io_context waiting;  // run only once the stage is set
  auto sleeper = launch(waiting, ChildCommand{"sleep", {"1000"}, {}});
  asio::cancellation_signal cancel;
  std::optional<ChildExit> sleeper_outcome;
  start_wait(waiting, sleeper, sleeper_outcome, cancel.slot());
  waiting.poll();  // the wait is now armed on SIGCHLD
  ASSERT_FALSE(sleeper_outcome);

  // Another child exits while its own wait is armed on a second io_context, which
  // therefore reads the signal and hands it to every waiter, the sleeper's included.
  asio::io_context other;
  Gate gate;
  auto quick = launch(other, ChildCommand{"cat", {gate.path().string()}, {}});
  std::optional<ChildExit> quick_outcome;
  start_wait(other, quick, quick_outcome);
  other.poll();
  gate.open_and_close();
  other.run();
  ASSERT_TRUE(quick_outcome);
  EXPECT_FALSE(quick_outcome->failure);
  EXPECT_EQ(quick_outcome->exit_code, 0);

  cancel.emit(asio::cancellation_type::terminal);
  // Returns as soon as the wait has ended; the limit only keeps a regression from hanging.
  waiting.run_for(std::chrono::seconds(60));
  ASSERT_TRUE(sleeper_outcome) << "the cancelled wait did not end";
  EXPECT_TRUE(is_operation_aborted(sleeper_outcome->failure));
  EXPECT_FALSE(sleeper.reaped()) << "a cancelled wait leaves the process alone";
}

// The `||` of the SDK's process runner can complete a wait that is no longer needed, and
// then waits again: the second wait must answer the same exit code, not fail on a pid
// that is no longer a child.
TEST(ChildProcessWait, ASecondWaitAnswersTheSameExitCode) {
  asio::io_context io;
  auto child = launch(io, ChildCommand{"sh", {"-c", "exit 3"}, {}});
  std::optional<ChildExit> first;
  start_wait(io, child, first);
  io.run();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->failure);
  EXPECT_EQ(first->exit_code, 3);
  EXPECT_TRUE(child.reaped());

  std::optional<ChildExit> second;
  start_wait(io, child, second);
  io.restart();
  io.run();
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->failure);
  EXPECT_EQ(second->exit_code, 3);
}

// The signal mask survives exec. An application that blocks signals in its threads
// (hivectl takes SIGINT/SIGTERM with sigwait) must not pass that mask on: a child with
// SIGTERM blocked could not be stopped by anyone else.
TEST(ChildProcessLaunch, TheChildStartsWithNoSignalBlocked) {
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigset_t previous;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &blocked, &previous), 0);
  asio::io_context io;
  // grep reads its own mask: exit 0 when the SigBlk line is all zeros.
  auto child =
      launch(io, ChildCommand{"grep", {"-q", "^SigBlk:[[:space:]]*0*$", "/proc/self/status"}, {}});
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  std::optional<ChildExit> outcome;
  start_wait(io, child, outcome);
  io.run();
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->failure);
  EXPECT_EQ(outcome->exit_code, 0) << "the child inherited a blocked signal";
}
