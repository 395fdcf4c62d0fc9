#include "process/output_stream.hpp"

#include <array>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using OutputHandler = std::function<void(std::string_view chunk)>;

// Keeps only the most recent `limit` bytes: for a long-running process the last words on
// stderr are the ones that explain how it ended.
struct RecentText {
  std::string text;
  std::size_t limit;

  void append(std::string_view data) {
    text.append(data);
    if (text.size() > limit) text.erase(0, text.size() - limit);
  }
};

// The stdout side. A throwing `on_output` must end the whole stream, but the `||` below
// waits for a branch to *succeed*; so the exception is parked in `callback_failure`, the
// process killed (its exit then completes the wait), and rethrown by the caller.
struct OutputReader {
  const OutputHandler& on_output;
  ChildProcess& child;
  std::exception_ptr callback_failure;

  void feed(std::string_view chunk) {
    if (callback_failure || chunk.empty()) return;
    try {
      on_output(chunk);
    } catch (...) {
      callback_failure = std::current_exception();
      child.kill_group();
    }
  }

  asio::awaitable<void> read_until_eof() {
    std::array<char, std::size_t{16} * 1024> buffer;
    for (;;) {
      auto [ec, n] = co_await child.out().async_read_some(asio::buffer(buffer),
                                                          asio::as_tuple(asio::use_awaitable));
      feed({buffer.data(), n});
      if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
      if (ec) co_return;  // EOF, or the pipe broke: either way nothing more will come
    }
  }
};

asio::awaitable<void> read_until_eof(asio::readable_pipe& pipe, RecentText& text) {
  std::array<char, std::size_t{4} * 1024> buffer;
  for (;;) {
    auto [ec, n] =
        co_await pipe.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    text.append({buffer.data(), n});
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec) co_return;
  }
}

}  // namespace

asio::awaitable<OutputStreamResult> run_output_stream(OutputStreamRequest request,
                                                      OutputHandler on_output) {
  // Read before anything can fail: whether an exception below comes from a cancellation is
  // told by this state, not by the exception's shape.
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  OutputStreamResult result;
  ChildProcess child = ChildProcess::launch(co_await asio::this_coro::executor, request.command,
                                            result.launch_error);
  if (!child.started()) co_return result;

  OutputReader output{on_output, child, nullptr};
  RecentText err{{}, request.max_stderr_bytes};
  try {
    auto first = co_await ((output.read_until_eof() && read_until_eof(child.err(), err)) ||
                           child.async_wait());
    if (first.index() == 0) {  // both streams closed: the exit follows
      result.exit_code = co_await child.async_wait();
    } else {
      result.exit_code = std::get<1>(first);
      // Whatever it wrote is already in the pipes; a grandchild holding them open must not
      // keep the stream alive after the process itself has ended.
      read_available(child.out(), [&output](std::string_view chunk) {
        output.feed(chunk);
        return true;
      });
      read_available(child.err(), [&err](std::string_view chunk) {
        err.append(chunk);
        return true;
      });
    }
  } catch (...) {
    if (cancellation.cancelled() == asio::cancellation_type::none) throw;  // ~ChildProcess reaps
    child.kill_and_reap();
    ErrorContext context;
    context.argv = request.command.argv();
    context.stderr_text = std::move(err.text);
    throw Error(errc::cancelled, "'" + request.command.describe() + "' was cancelled",
                std::move(context));
  }
  if (output.callback_failure) std::rethrow_exception(output.callback_failure);
  result.err = std::move(err.text);
  co_return result;
}

}  // namespace hivemind::detail
