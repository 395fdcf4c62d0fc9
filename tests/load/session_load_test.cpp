// Load: 1,000 sessions (see session_count()) spawned and waited on concurrently against the
// mock container. Spawns run asynchronously with a bounded number in flight; every session is
// handed to one SessionWatcher as soon as it is spawned, so waits and spawns overlap. The container
// runs a lean session manager (tests/load/lean-session-manager.sh; see there why), behind the same
// fake docker CLI as every other control-plane test.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/control/session_watcher.hpp"
#include "support/leak_check.hpp"
#include "support/mock_container.hpp"

namespace hivemind::testing {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// 1,000 sessions cost about 3,000 fake-docker execs, each two or three bash processes
// (27 s on 2 idle cores in the dev build). HIVEMIND_LOAD_SESSIONS=N runs another count.
int session_count() {
  const char* text = std::getenv("HIVEMIND_LOAD_SESSIONS");
  return text ? std::max(1, std::atoi(text)) : 1000;
}
constexpr int kSpawnsInFlight = 16;

void install_lean_session_manager(const MockContainer& container) {
  const auto script = container.root() / "app" / "scripts" / "hive-session-manager.sh";
  fs::remove(script);  // `init` made it a link to the full mock
  fs::copy_file(HIVEMIND_LEAN_SESSION_MANAGER, script);
}

// What became of every session, filled in from the client's thread.
class Outcomes {
 public:
  void spawned(const std::string& uuid) {
    std::lock_guard lock(mutex_);
    uuids_.insert(uuid);
  }
  void ended(const std::string& what) {
    std::lock_guard lock(mutex_);
    ++by_kind_[what];
    ++ended_;
    changed_.notify_all();
  }
  // The errc of a failure, or "untyped" for anything that is not a hivemind::Error.
  static std::string kind_of(std::exception_ptr failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& error) {
      return error.kind() ? std::string(to_string(*error.kind())) : "untyped";
    } catch (...) {
      return "untyped";
    }
  }
  // Waits until `count` sessions ended (spawn failures included); bounded so that a
  // lost wait fails the test instead of hanging it.
  bool wait_for(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10min, [&] { return ended_ >= count; });
  }
  std::map<std::string, int> by_kind() const {
    std::lock_guard lock(mutex_);
    return by_kind_;
  }
  std::size_t distinct_uuids() const {
    std::lock_guard lock(mutex_);
    return uuids_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> uuids_;
  std::map<std::string, int> by_kind_;
  int ended_ = 0;
};

TEST(SessionLoad, ManySessionsSpawnedAndWaitedOnConcurrentlyAllComplete) {
  const int sessions = session_count();
  const LeakCheck leaks;
  const auto started = std::chrono::steady_clock::now();
  {
    MockContainer container;
    install_lean_session_manager(container);
    HiveMindClient client(container.options());
    WatcherOptions watcher_options;
    watcher_options.interval = 300ms;
    watcher_options.liveness_interval = 2s;
    SessionWatcher watcher(client, watcher_options);

    Outcomes outcomes;
    std::atomic<int> next{0};
    std::atomic<int> spawned{0};
    std::chrono::steady_clock::time_point all_spawned;  // written on the client's thread
    auto spawner = [&]() -> asio::awaitable<void> {
      for (int i = next++; i < sessions; i = next++) {
        std::string task = "load " + std::to_string(i) + " #sleep=0.2";
        std::string uuid;
        try {
          const SessionHandle session = co_await client.async_spawn_task(
              std::move(task), Priority::medium, nlohmann::json(), asio::use_awaitable);
          uuid = session.uuid();
        } catch (...) {
          outcomes.ended("spawn failed: " + Outcomes::kind_of(std::current_exception()));
          continue;
        }
        if (++spawned == sessions) all_spawned = std::chrono::steady_clock::now();
        outcomes.spawned(uuid);
        watcher.async_wait(uuid, [&outcomes](std::exception_ptr failure, WaitResult result) {
          outcomes.ended(failure ? Outcomes::kind_of(failure)
                                 : std::string(to_string(result.outcome)));
        });
      }
    };
    for (int i = 0; i < kSpawnsInFlight; ++i) {
      asio::co_spawn(client.get_executor(), spawner(), asio::detached);
    }

    ASSERT_TRUE(outcomes.wait_for(sessions)) << "not every session ended";
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto stats = watcher.stats();
    const auto spawn_seconds = std::chrono::duration<double>(all_spawned - started).count();
    std::cout << "[ load ] " << sessions << " sessions spawned in " << spawn_seconds
              << " s, all ended after " << seconds << " s; watcher: " << stats.ticks << " ticks, "
              << stats.list_calls << " list calls, " << stats.liveness_calls << " liveness calls\n";

    EXPECT_EQ(spawned.load(), sessions);
    EXPECT_EQ(outcomes.distinct_uuids(), static_cast<std::size_t>(sessions));
    EXPECT_EQ(outcomes.by_kind(), (std::map<std::string, int>{{"completed", sessions}}));
    EXPECT_EQ(stats.watched_sessions, 0u);
    EXPECT_EQ(stats.list_calls, stats.ticks);  // one `list` per tick, whatever the count

    const auto registry = client.list();
    EXPECT_EQ(registry.sessions.size(), static_cast<std::size_t>(sessions));
    for (const auto& [uuid, entry] : registry.sessions) {
      EXPECT_EQ(entry.status, SessionStatus::Kind::completed) << uuid;
    }
  }
  EXPECT_TRUE(leaks.settled());
  std::cout << "[ load ] torn down and leak-checked after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
}

}  // namespace
}  // namespace hivemind::testing
