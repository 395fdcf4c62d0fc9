// Learning the relay's connection age limit (issue 17): after the relay closed a connection
// unannounced at age A, later connections are recycled at min(recycle_after, 0.9 x A), so
// its closes stop meeting calls in flight.
#include <condition_variable>
#include <mutex>

#include "client_fixture.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;

TEST(McpAgeLimit, LearnsTheRelaysAgeLimitAndThenLosesNoCall) {
  MockRelayOptions relay_options;
  relay_options.max_age = 1000ms;  // far below the 270 s recycle_after
  relay_options.record_received = false;
  MockRelay relay(relay_options);
  relay.set_response_delay(5ms);
  auto options = options_for(relay);
  options.connect_deadline = 500ms;  // closes younger than this would be ignored
  McpTelemetryClient client(options);
  EXPECT_FALSE(client.learned_age_limit());

  constexpr std::size_t kWindow = 8;
  // The first close, then three recycled periods.
  constexpr std::size_t kConnections = 5;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t in_flight = 0;
  std::size_t succeeded = 0;
  std::size_t lost_while_learning = 0;  // allowed: in flight at the very first close
  std::size_t failed_before_learning = 0;
  std::size_t failed_after_learning = 0;
  std::string last_failure;

  const auto on_done = [&](bool issued_after_learning, std::exception_ptr failure) {
    std::lock_guard lock(mutex);
    --in_flight;
    if (!failure) {
      ++succeeded;
    } else {
      std::optional<errc> kind;
      try {
        std::rethrow_exception(failure);
      } catch (const Error& error) {
        kind = error.kind();
        last_failure = error.what();
      } catch (const std::exception& error) {
        last_failure = error.what();
      }
      if (issued_after_learning) {
        ++failed_after_learning;
      } else if (kind == errc::connection_lost) {
        ++lost_while_learning;
      } else {
        ++failed_before_learning;
      }
    }
    changed.notify_all();
  };

  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  std::unique_lock lock(mutex);
  while (relay.connections_accepted() < kConnections &&
         std::chrono::steady_clock::now() < give_up) {
    if (!changed.wait_until(lock, give_up, [&] { return in_flight < kWindow; })) break;
    ++in_flight;
    const bool learned = client.learned_age_limit().has_value();
    lock.unlock();
    client.async_call_tool("swarm_init", json::object(), {},
                           [&on_done, learned](std::exception_ptr failure, json) {
                             on_done(learned, std::move(failure));
                           });
    lock.lock();
  }
  ASSERT_TRUE(changed.wait_until(lock, give_up, [&] { return in_flight == 0; }));
  EXPECT_GE(relay.connections_accepted(), kConnections) << "the test ran out of patience";

  ASSERT_TRUE(client.learned_age_limit());
  EXPECT_GT(client.learned_age_limit()->count(), 0);
  EXPECT_EQ(failed_after_learning, 0u) << last_failure;
  EXPECT_EQ(failed_before_learning, 0u) << last_failure;
  EXPECT_LE(lost_while_learning, kWindow);
  EXPECT_GT(succeeded, 0u);
}

TEST(McpAgeLimit, ClosesWeMakeOurselvesTeachNothing) {
  MockRelay relay;                 // default age limit: 300 s, never reached here
  relay.set_response_delay(30ms);  // each connection lives longer than connect_deadline
  auto options = options_for(relay);
  // Without the handshake the deadline bounds only the TCP connect, so it can be short
  // (a 1 ms deadline on the handshake missed under ASan) and any relay close would count.
  options.send_initialize = false;
  options.connect_deadline = 20ms;
  options.recycle_after = 1ms;  // the client recycles after every call
  McpTelemetryClient client(options);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_GE(relay.connections_accepted(), 2u) << "recycling happened";
  EXPECT_FALSE(client.learned_age_limit());
}

TEST(McpAgeLimit, ARelayCloseYoungerThanTheConnectDeadlineIsIgnored) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));  // connect_deadline 5 s
  EventRecorder events(client);
  client.connect();
  relay.close_all_connections();
  ASSERT_TRUE(events.wait_for(McpEvent::Kind::disconnected));
  EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_FALSE(client.learned_age_limit());
}

}  // namespace
}  // namespace hivemind::testing
