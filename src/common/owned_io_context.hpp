// The io_context and background thread a client (or pool) owns when the
// application gives it no executor.
#pragma once

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace hivemind::detail {

struct OwnedIoContext {
  OwnedIoContext()
      : work(boost::asio::make_work_guard(context)), thread([this] { context.run(); }) {}
  // Lets the coroutines still running finish (the owner shut its clients down
  // first, which interrupts their waits), then joins the thread.
  ~OwnedIoContext() {
    work.reset();
    thread.join();
  }
  OwnedIoContext(const OwnedIoContext&) = delete;
  OwnedIoContext& operator=(const OwnedIoContext&) = delete;

  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::thread thread;
};

}  // namespace hivemind::detail
