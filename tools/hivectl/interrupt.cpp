#include "interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <system_error>

namespace hivectl {
namespace {

int signal_pipe_write = -1;

extern "C" void on_interrupt(int signal_number) {
  const auto byte = static_cast<unsigned char>(signal_number);
  // Async-signal-safe; a full pipe only means a stop is pending already.
  [[maybe_unused]] const auto written = ::write(signal_pipe_write, &byte, 1);
}

}  // namespace

InterruptWatcher::InterruptWatcher() {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category());
  signal_pipe_write = pipe_[1];
  thread_ = std::thread([this] {
    unsigned char byte = 0;
    // A zero byte is the destructor's wake-up; anything else is a signal number.
    while (::read(pipe_[0], &byte, 1) == 1 && byte != 0) source_.request_stop();
  });
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

InterruptWatcher::~InterruptWatcher() {
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  const unsigned char wake = 0;
  [[maybe_unused]] const auto written = ::write(pipe_[1], &wake, 1);
  thread_.join();
  signal_pipe_write = -1;
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

}  // namespace hivectl
