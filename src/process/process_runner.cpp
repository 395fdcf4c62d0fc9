#include "process/process_runner.hpp"

#include <array>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/cancellation.hpp"
#include "hivemind/common/error.hpp"
#include "process/bounded_capture.hpp"
#include "process/child_process.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

// Reads until EOF. On overflow, kills the process group (so the writer cannot block on a
// full pipe) and returns.
asio::awaitable<void> read_until_eof(asio::readable_pipe& pipe, BoundedCapture& capture,
                                     ChildProcess& child) {
  std::array<char, std::size_t{64} * 1024> buffer;
  for (;;) {
    auto [ec, n] =
        co_await pipe.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (!capture.append({buffer.data(), n})) {
      child.kill_group();
      co_return;
    }
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec) co_return;  // EOF, or the pipe broke: either way nothing more will come
  }
}

ErrorContext context_of(const ChildCommand& command, const BoundedCapture& err) {
  ErrorContext context;
  context.argv = command.argv();
  context.stderr_text = err.text;
  return context;
}

}  // namespace

asio::awaitable<ProcessResult> run_process(ProcessRequest request) {
  ProcessResult result;
  const ChildCommand command{std::move(request.program), std::move(request.args),
                             std::move(request.extra_environment)};
  ChildProcess child =
      ChildProcess::launch(co_await asio::this_coro::executor, command, result.launch_error);
  if (!child.started()) co_return result;

  BoundedCapture out{{}, request.max_output_bytes, "stdout"};
  BoundedCapture err{{}, request.max_output_bytes, "stderr"};
  asio::steady_timer deadline(co_await asio::this_coro::executor, request.timeout);
  bool exited = false;
  std::exception_ptr failure;
  try {
    auto first = co_await (
        (read_until_eof(child.out(), out, child) && read_until_eof(child.err(), err, child)) ||
        child.async_wait() || deadline.async_wait(asio::use_awaitable));
    if (first.index() == 0) {  // both streams closed: the exit follows
      auto exit = co_await (child.async_wait() || deadline.async_wait(asio::use_awaitable));
      exited = exit.index() == 0;
      if (exited) result.exit_code = std::get<0>(exit);
    } else if (first.index() == 1) {
      exited = true;
      result.exit_code = std::get<1>(first);
      // Whatever it wrote is already in the pipes.
      read_available(child.out(), [&out](std::string_view chunk) { return out.append(chunk); });
      read_available(child.err(), [&err](std::string_view chunk) { return err.append(chunk); });
    }
    for (const BoundedCapture* capture : {&out, &err}) {
      if (capture->overflowed && !failure) {
        failure = std::make_exception_ptr(
            Error(errc::output_too_large,
                  std::string(capture->name) + " of '" + command.describe() + "' exceeded " +
                      std::to_string(capture->limit) + " bytes; the process was killed",
                  context_of(command, err)));
      }
    }
    if (!exited && !failure) {
      failure = std::make_exception_ptr(
          Error(errc::timeout,
                "'" + command.describe() + "' did not finish within " +
                    std::to_string(request.timeout.count()) + " ms; it was killed",
                context_of(command, err)));
    }
  } catch (...) {
    if (!is_cancellation(std::current_exception())) throw;
    failure = std::make_exception_ptr(Error(
        errc::cancelled, "'" + command.describe() + "' was cancelled", context_of(command, err)));
  }
  if (failure) {
    child.kill_and_reap();
    std::rethrow_exception(failure);
  }
  result.out = std::move(out.text);
  result.err = std::move(err.text);
  co_return result;
}

}  // namespace hivemind::detail
