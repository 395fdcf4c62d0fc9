// Test support: runs one awaitable operation on its own io_context thread, so a test can
// watch what it delivers (with eventually()) and cancel it the way an application would
// (Asio per-operation cancellation, terminal).
#pragma once

#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::testing {

template <class T>
class BackgroundOperation {
 public:
  // `make` is called on the operation's thread and returns the awaitable to run.
  template <class Make>
  explicit BackgroundOperation(Make make) {
    boost::asio::co_spawn(
        io_, [make = std::move(make)]() mutable { return make(); },
        boost::asio::bind_cancellation_slot(signal_.slot(),
                                            [this](std::exception_ptr failure, T value) {
                                              std::lock_guard lock(mutex_);
                                              failure_ = failure;
                                              if (!failure) value_ = std::move(value);
                                              done_ = true;
                                            }));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BackgroundOperation() {
    cancel();
    thread_.join();
  }
  BackgroundOperation(const BackgroundOperation&) = delete;
  BackgroundOperation& operator=(const BackgroundOperation&) = delete;

  void cancel() {
    boost::asio::post(io_, [this] { signal_.emit(boost::asio::cancellation_type::terminal); });
  }
  bool done() const {
    std::lock_guard lock(mutex_);
    return done_;
  }
  std::exception_ptr failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
  }
  std::optional<T> value() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  // The errc of the failure; nullopt when it succeeded or failed with a foreign exception.
  std::optional<errc> error_kind() const {
    try {
      if (const auto failure = this->failure()) std::rethrow_exception(failure);
    } catch (const Error& e) {
      return e.kind();
    } catch (...) {
    }
    return std::nullopt;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::cancellation_signal signal_;
  mutable std::mutex mutex_;
  bool done_ = false;
  std::exception_ptr failure_;
  std::optional<T> value_;
  std::thread thread_;
};

}  // namespace hivemind::testing
