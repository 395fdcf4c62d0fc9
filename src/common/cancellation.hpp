// Asio reports a cancelled operation as operation_aborted, channel_cancelled or (from
// awaitable operators) a multiple_exceptions wrapping one; the SDK reports errc::cancelled.
// One place for all of them.
#pragma once

#include <chrono>
#include <exception>

#include <boost/asio/awaitable.hpp>

namespace hivemind::detail {

bool is_cancellation(const std::exception_ptr& failure) noexcept;

// Waits `duration` on the current executor; throws Error(cancelled) if cancelled meanwhile.
boost::asio::awaitable<void> pause(std::chrono::steady_clock::duration duration);

}  // namespace hivemind::detail
