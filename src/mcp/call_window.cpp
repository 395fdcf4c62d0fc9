#include "hivemind/mcp/call_window.hpp"

#include <memory>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include "common/async_signal.hpp"
#include "common/typed_cancellation.hpp"

namespace hivemind {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

using detail::AsyncSignal;
using detail::SignalResult;

// Shared with the calls' handlers; the operation outlives them all (it waits for each).
struct WindowState {
  WindowState(const asio::any_io_executor& executor, std::size_t items)
      : changed(executor), cancels(items) {}
  AsyncSignal changed;
  std::vector<asio::cancellation_signal> cancels;  // one per item
  std::size_t in_flight = 0;
  std::exception_ptr handler_failure;
};

asio::awaitable<void> run_window(McpTelemetryClient* client, std::string tool,
                                 std::vector<json> arguments, std::size_t window,
                                 CallOptions options, CallResultHandler on_result) {
  if (window == 0) throw Error(errc::invalid_argument, "CallWindow: the window must be > 0");
  const asio::any_io_executor executor = co_await asio::this_coro::executor;  // the strand
  const std::size_t total = arguments.size();
  auto state = std::make_shared<WindowState>(executor, total);
  auto handler = std::make_shared<CallResultHandler>(std::move(on_result));
  std::size_t next = 0;
  bool cancelled = false;
  for (;;) {
    state->changed.reset();
    while (!cancelled && !state->handler_failure && next < total && state->in_flight < window) {
      const std::size_t index = next++;
      ++state->in_flight;
      auto finish = [state, handler, index](std::exception_ptr error, json result) {
        --state->in_flight;
        if (!state->handler_failure) {
          CallResult outcome{std::move(result), std::move(error)};
          try {
            (*handler)(index, std::move(outcome));
          } catch (...) {
            state->handler_failure = std::current_exception();
          }
        }
        state->changed.set();
      };
      client->async_call_tool(
          tool, std::move(arguments[index]), options,
          asio::bind_cancellation_slot(state->cancels[index].slot(),
                                       asio::bind_executor(executor, std::move(finish))));
    }
    if (state->in_flight == 0) break;
    const SignalResult woke =
        co_await state->changed.wait_until(AsyncSignal::clock::time_point::max());
    if (woke != SignalResult::signalled && !cancelled) {
      // Cancel what is in flight and wait for it: the handlers share the state.
      cancelled = true;
      for (std::size_t i = 0; i < next; ++i)
        state->cancels[i].emit(asio::cancellation_type::terminal);
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
  if (state->handler_failure) std::rethrow_exception(state->handler_failure);
  if (cancelled) throw Error(errc::cancelled, "CallWindow: cancelled");
}

asio::awaitable<std::vector<CallResult>> run_all(McpTelemetryClient* client, std::string tool,
                                                 std::vector<json> arguments, std::size_t window,
                                                 CallOptions options) {
  auto results = std::make_shared<std::vector<CallResult>>(arguments.size());
  CallResultHandler store = [results](std::size_t index, CallResult result) {
    (*results)[index] = std::move(result);
  };
  co_await run_window(client, std::move(tool), std::move(arguments), window, options,
                      std::move(store));
  co_return std::move(*results);
}

}  // namespace

void CallWindow::launch_call_all(std::string tool, std::vector<json> arguments,
                                 Completion<std::vector<CallResult>> done) const {
  detail::co_spawn_typed(client_->get_executor(),
                         run_all(client_, std::move(tool), std::move(arguments), window_, options_),
                         std::move(done));
}

void CallWindow::launch_call_each(std::string tool, std::vector<json> arguments,
                                  CallResultHandler on_result, Completion<void> done) const {
  detail::co_spawn_typed(client_->get_executor(),
                         run_window(client_, std::move(tool), std::move(arguments), window_,
                                    options_, std::move(on_result)),
                         std::move(done));
}

std::vector<CallResult> CallWindow::call_all(const std::string& tool,
                                             std::vector<json> arguments) const {
  return async_call_all(tool, std::move(arguments), asio::use_future).get();
}

void CallWindow::call_each(const std::string& tool, std::vector<json> arguments,
                           CallResultHandler on_result) const {
  async_call_each(tool, std::move(arguments), std::move(on_result), asio::use_future).get();
}

}  // namespace hivemind
