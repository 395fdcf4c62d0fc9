// Starts one child process (argv, never a shell) in a process group of its own, with
// stdin on /dev/null (or a lifeline pipe) and stdout/stderr on pipes, and guarantees it is
// killed and reaped.
// The one place the SDK spawns processes: run_process (bounded capture with a deadline)
// and run_output_stream (stdout delivered as it arrives) are both built on it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>

namespace hivemind::detail {

struct ChildCommand {
  std::string program;  // a name looked up on PATH (extra_environment's PATH wins), or a path
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> extra_environment;  // added to ours
  // stdin is a pipe that nothing is written to, held open until the child is reaped, instead
  // of /dev/null: the child (and what it forwards stdin to, like `docker exec -i`) sees EOF
  // only when this side is gone.
  bool stdin_lifeline = false;

  std::vector<std::string> argv() const;  // program first
  std::string describe() const;           // argv joined by spaces, shortened for messages
};

// A running (or exited) child. Move-only. Destroying it while the process may still run
// kills its whole process group and reaps it, so an abandoned operation (an exception, a
// cancellation, a destroyed coroutine) leaves no orphan and no zombie; its pipes close too.
class ChildProcess {
 public:
  // Starts `command`. When it cannot be started, `error` is set, the returned object is
  // empty (`!started()`) and no process remains (a failed exec's child is reaped).
  static ChildProcess launch(const boost::asio::any_io_executor& executor,
                             const ChildCommand& command, std::error_code& error);

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();

  bool started() const noexcept { return impl_ != nullptr; }
  boost::asio::readable_pipe& out();
  boost::asio::readable_pipe& err();

  // Completes with the exit code once the process has exited and been reaped. A cancelled
  // wait throws operation_aborted and leaves the process running.
  boost::asio::awaitable<int> async_wait();
  bool reaped() const noexcept;

  // SIGKILL to the process group and the process (e.g. to stop a writer that overflowed);
  // does not reap.
  // A no-op once reaped: the group id may then belong to someone else.
  void kill_group() noexcept;
  // Kills the group and reaps the process, unless it was already reaped.
  void kill_and_reap() noexcept;

 private:
  struct Impl;
  explicit ChildProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads what is already in `pipe` without waiting for EOF (which a grandchild holding the
// pipe open could postpone forever), passing each chunk to `consume` until it returns
// false or nothing more is available. For draining a pipe after its writer exited.
void read_available(boost::asio::readable_pipe& pipe,
                    const std::function<bool(std::string_view chunk)>& consume);

}  // namespace hivemind::detail
