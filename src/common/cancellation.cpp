#include "common/cancellation.hpp"

#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/multiple_exceptions.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/typed_cancellation.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind::detail {

namespace asio = boost::asio;

bool is_cancellation(const std::exception_ptr& failure) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return e.kind() == errc::cancelled;
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted ||
           e.code() == asio::experimental::channel_errc::channel_cancelled;
  } catch (const asio::multiple_exceptions& e) {
    return is_cancellation(e.first_exception());
  } catch (...) {
    return false;
  }
}

std::exception_ptr with_typed_cancellation(std::exception_ptr failure) noexcept {
  if (!failure || !is_cancellation(failure)) return failure;
  try {
    std::rethrow_exception(failure);
  } catch (const Error&) {
    return failure;  // already errc::cancelled
  } catch (...) {
  }
  return std::make_exception_ptr(Error(errc::cancelled, "the operation was cancelled"));
}

asio::awaitable<void> pause(std::chrono::steady_clock::duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  try {
    co_await timer.async_wait(asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted) throw;
    throw Error(errc::cancelled, "wait cancelled");
  }
}

}  // namespace hivemind::detail
