// Load: 100,000 MCP requests over 8 connections to the mock relay, which drops
// connections and leaves requests unanswered at random (seeded). Every request must
// complete or fail with a typed hivemind::Error, and the counts must add up.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>

#include "hivemind/common/error.hpp"
#include "hivemind/mcp/connection_pool.hpp"
#include "mock_relay.hpp"
#include "support/leak_check.hpp"

namespace hivemind::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kRequests = 100'000;
constexpr std::size_t kConnections = 8;
constexpr int kInFlightPerConnection = 32;

// Keeps kInFlightPerConnection requests outstanding on each connection until kRequests
// were issued, and tallies how each one ended.
class Driver {
 public:
  explicit Driver(McpConnectionPool& pool) : pool_(pool) {}

  void start() {
    for (std::size_t connection = 0; connection < pool_.size(); ++connection) {
      for (int lane = 0; lane < kInFlightPerConnection; ++lane) issue(connection);
    }
  }
  // Bounded so that a request that never ends fails the test instead of hanging it.
  bool wait_until_all_ended() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10min, [&] { return ended_ == kRequests; });
  }
  // "ok", an errc's name, "wrong answer" or "untyped" -> how many requests ended so.
  std::map<std::string, int> tally() const {
    std::lock_guard lock(mutex_);
    return tally_;
  }

 private:
  void issue(std::size_t connection) {
    if (issued_++ >= kRequests) return;
    pool_.at(connection)
        .async_call("resources/list", nullptr, CallOptions{},
                    [this, connection](std::exception_ptr failure, const json& result) {
                      record(failure                        ? kind_of(failure)
                             : result.contains("resources") ? "ok"
                                                            : "wrong answer");
                      issue(connection);
                    });
  }

  static std::string kind_of(std::exception_ptr failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& error) {
      return error.kind() ? to_string(*error.kind()) : "untyped";
    } catch (...) {
      return "untyped";
    }
  }

  void record(const std::string& how) {
    std::lock_guard lock(mutex_);
    ++tally_[how];
    ++ended_;
    changed_.notify_all();
  }

  McpConnectionPool& pool_;
  std::atomic<int> issued_{0};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int> tally_;
  int ended_ = 0;
};

TEST(McpLoad, AHundredThousandRequestsOverEightConnectionsWithRandomDropsAddUp) {
  const LeakCheck leaks;
  const auto started = std::chrono::steady_clock::now();
  {
    MockRelayOptions relay_options;
    relay_options.record_received = false;
    MockRelay relay(relay_options);
    relay.set_random_faults({.drop_connection_ppm = 500, .never_answer_ppm = 200, .seed = 8});
    McpOptions options;
    options.host = "127.0.0.1";
    options.port = relay.port();
    options.reconnect.initial_delay = 10ms;
    options.reconnect.max_delay = 50ms;
    options.request_deadline = 5s;  // what an unanswered request ends with
    McpConnectionPool pool(options, kConnections);

    Driver driver(pool);
    driver.start();
    ASSERT_TRUE(driver.wait_until_all_ended()) << "not every request ended";
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto tally = driver.tally();
    std::cout << "[ load ] " << kRequests << " requests over " << kConnections << " connections in "
              << seconds << " s:";
    for (const auto& [how, count] : tally) std::cout << " " << how << "=" << count;
    std::cout << "; relay: " << relay.connections_accepted() << " connections, "
              << relay.random_drops() << " dropped, " << relay.random_unanswered()
              << " unanswered\n";

    int total = 0;
    for (const auto& [how, count] : tally) total += count;
    EXPECT_EQ(total, kRequests);
    // Each dropped connection cost at least the request whose answer it carried.
    ASSERT_GT(relay.random_drops(), 0u);
    ASSERT_GT(relay.random_unanswered(), 0u);
    const int ok = tally.contains("ok") ? tally.at("ok") : 0;
    EXPECT_GE(static_cast<std::size_t>(kRequests - ok),
              relay.random_drops() + relay.random_unanswered());
    EXPECT_GT(ok, 0);
    EXPECT_GT(tally.count("connection_lost"), 0u);
    for (const auto& [how, count] : tally) {
      // Typed, and only what drops and lost answers can cause.
      EXPECT_TRUE(how == "ok" || how == "connection_lost" || how == "timeout")
          << count << " request(s) ended as " << how;
    }
    EXPECT_GT(relay.connections_accepted(), kConnections);  // the dropped ones reconnected

    relay.set_random_faults({});
    for (std::size_t i = 0; i < kConnections; ++i) {
      EXPECT_TRUE(pool.at(i).call("resources/list").contains("resources"));
      EXPECT_EQ(pool.at(i).pending_requests(), 0u);
    }
  }
  EXPECT_TRUE(leaks.settled());
}

}  // namespace
}  // namespace hivemind::testing
