// Asio reports a cancelled operation as operation_aborted (or, from awaitable operators,
// as multiple_exceptions wrapping it); the SDK reports errc::cancelled. One place for both.
#pragma once

#include <chrono>
#include <exception>

#include <boost/asio/awaitable.hpp>

namespace hivemind::detail {

bool is_cancellation(std::exception_ptr failure) noexcept;

// Waits `duration` on the current executor; throws Error(cancelled) if cancelled meanwhile.
boost::asio::awaitable<void> pause(std::chrono::steady_clock::duration duration);

}  // namespace hivemind::detail
