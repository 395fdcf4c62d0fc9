// Shared helpers of the client-against-mock-relay tests: options pointing at the
// mock, an event recorder, and waiting on conditions with generous bounds
// (never a fixed sleep used as synchronisation).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "mock_relay.hpp"

namespace hivemind::testing {

using namespace std::chrono_literals;

// Bound for anything that should happen "soon"; only reached when a test fails.
inline constexpr auto kPatience = 20s;

inline McpOptions options_for(const MockRelay& relay) {
  McpOptions options;
  options.host = "127.0.0.1";
  options.port = relay.port();
  options.reconnect.initial_delay = 10ms;
  options.reconnect.max_delay = 50ms;
  return options;
}

// Polls `condition` until it holds or kPatience passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// How many requests with `method` the relay has received.
inline std::size_t count_received(const MockRelay& relay, const std::string& method) {
  std::size_t count = 0;
  for (const auto& message : relay.received()) {
    if (message.value("method", "") == method) ++count;
  }
  return count;
}

// The errc of what `action` threw; fails the test when it threw nothing.
template <class Action>
errc error_kind_of(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind().value_or(errc::docker_exec_failed);
  }
  ADD_FAILURE() << "expected a hivemind::Error";
  return errc::docker_exec_failed;
}

class EventRecorder {
 public:
  explicit EventRecorder(McpTelemetryClient& client)
      : client_(client), subscription_(client.subscribe([this](const McpEvent& event) {
          std::lock_guard lock(mutex_);
          events_.push_back(event);
          changed_.notify_all();
        })) {}
  ~EventRecorder() { client_.unsubscribe(subscription_); }

  // Waits for an event of `kind` (and `text` in its method or message, if given).
  bool wait_for(McpEvent::Kind kind, const std::string& text = {}) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return count_locked(kind, text) > 0; });
  }
  std::size_t count(McpEvent::Kind kind, const std::string& text = {}) {
    std::lock_guard lock(mutex_);
    return count_locked(kind, text);
  }

 private:
  std::size_t count_locked(McpEvent::Kind kind, const std::string& text) const {
    std::size_t n = 0;
    for (const auto& event : events_) {
      if (event.kind != kind) continue;
      if (text.empty() || event.method.find(text) != std::string::npos ||
          event.message.find(text) != std::string::npos) {
        ++n;
      }
    }
    return n;
  }

  McpTelemetryClient& client_;
  int subscription_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<McpEvent> events_;
};

// Waits for a future with the standard patience; fails the test if it never completes.
template <class T>
T get_within_patience(std::future<T>& future) {
  if (future.wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "operation did not complete";
    throw std::runtime_error("hung");
  }
  return future.get();
}

}  // namespace hivemind::testing
