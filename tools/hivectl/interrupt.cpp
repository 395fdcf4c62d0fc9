#include "interrupt.hpp"

#include <pthread.h>

#include <system_error>

namespace hivectl {
namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

InterruptWatcher::InterruptWatcher() {
  const sigset_t signals = stop_signals();
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &signals, &previous_mask_); error != 0) {
    throw std::system_error(error, std::generic_category(), "blocking SIGINT/SIGTERM");
  }
  thread_ = std::thread([this, signals] {
    int signal_number = 0;
    while (::sigwait(&signals, &signal_number) == 0 && !closing_) source_.request_stop();
  });
}

InterruptWatcher::~InterruptWatcher() {
  closing_ = true;
  // Wakes the sigwait (the signal is blocked, so it only wakes; nothing is terminated). A
  // Ctrl-C arriving meanwhile ends the thread just as well.
  ::pthread_kill(thread_.native_handle(), SIGINT);
  thread_.join();
  // A signal still pending now takes its default action, as it would without hivectl.
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace hivectl
