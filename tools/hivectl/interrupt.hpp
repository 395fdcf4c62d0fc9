// Ctrl-C handling: SIGINT/SIGTERM request a stop that every running operation observes
// (through its stop_token or its Asio cancellation slot), so the SDK kills and reaps the
// processes it started instead of leaving them behind.
//
// The signals are blocked in every thread and taken by one thread in sigwait, never by an
// asynchronous handler: a handler runs in whichever thread the kernel picks, and a runtime
// may hold it back until that thread's blocking call returns (ThreadSanitizer does, and a
// Ctrl-C then waited for the call's 20 s deadline). The SDK clears the mask in the
// processes it starts, so they can still be interrupted.
#pragma once

#include <signal.h>

#include <atomic>
#include <stop_token>
#include <thread>

namespace hivectl {

class InterruptWatcher {
 public:
  // Construct in main before any other thread starts: threads inherit the blocked mask.
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  std::stop_token token() const noexcept { return source_.get_token(); }
  bool interrupted() const noexcept { return source_.stop_requested(); }

 private:
  std::stop_source source_;
  sigset_t previous_mask_{};
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace hivectl
