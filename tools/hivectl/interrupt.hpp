// Ctrl-C handling: SIGINT/SIGTERM request a stop that every running operation observes
// (through its stop_token or its Asio cancellation slot), so the SDK kills and reaps the
// processes it started instead of leaving them behind. The handlers only write to a pipe;
// a thread turns that into request_stop(). Signals are not blocked, so child processes
// start with the default signal mask and dispositions.
#pragma once

#include <stop_token>
#include <thread>

namespace hivectl {

class InterruptWatcher {
 public:
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  std::stop_token token() const noexcept { return source_.get_token(); }
  bool interrupted() const noexcept { return source_.stop_requested(); }

 private:
  std::stop_source source_;
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace hivectl
