#include "hivemind/control/session_watcher.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/cancellation.hpp"
#include "common/run_sync.hpp"
#include "common/typed_cancellation.hpp"
#include "control/client_operations.hpp"
#include "control/input_validation.hpp"
#include "control/session_end.hpp"
#include "control/session_manager_output.hpp"
#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "process/container_exec.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
using detail::ClientAccess;
using Clock = std::chrono::steady_clock;

// What one waiter receives: a result or the error that ended its wait.
struct Outcome {
  WaitResult result;
  std::exception_ptr error;
};

using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code,
                                                            std::shared_ptr<Outcome>)>;

WatcherOptions validated(WatcherOptions options) {
  if (options.max_concurrent_finalizations == 0) {
    throw Error(errc::invalid_argument,
                "WatcherOptions::max_concurrent_finalizations must be at least 1");
  }
  return options;
}

// Whether this thread is one that runs `executor` (an io_context's or a thread pool's, as
// the client's own and most applications' are): waiting there for work on that executor
// would wait for ourselves.
bool runs_in_this_thread(const HiveMindClient::executor_type& executor) {
  if (const auto* io = executor.target<asio::io_context::executor_type>()) {
    return io->running_in_this_thread();
  }
  if (const auto* pool = executor.target<asio::thread_pool::executor_type>()) {
    return pool->running_in_this_thread();
  }
  return true;  // unknown: do not risk waiting on ourselves
}

// How many pollers still hold their Core (a new one may start before the old one let go).
// ~SessionWatcher waits until none does: the Core holds a copy of the client, and that copy
// must not outlive the watcher (it keeps the client's journal locked, so a new client on the
// same journal directory would be refused).
class PollerGate {
 public:
  void hold() {
    std::lock_guard lock(mutex_);
    ++held_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      --held_;
    }
    released_.notify_all();
  }
  void wait_released() {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return held_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  std::size_t held_ = 0;
};

}  // namespace

class SessionWatcher::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(HiveMindClient client, WatcherOptions options)
      : client_(std::move(client)),
        options_(validated(std::move(options))),
        strand_(asio::make_strand(client_.get_executor())),
        wake_(strand_, Clock::time_point::max()) {}

  const std::shared_ptr<PollerGate>& poller_gate() const noexcept { return poller_gate_; }

  // Registers a waiter for `session_id` and makes sure the poller runs. The channel lives on
  // the client's executor, not the waiter's: the poller may hold the last reference after a
  // stopped synchronous wait has destroyed its private io_context, and a channel outliving
  // its execution context is a use-after-free (seen under AddressSanitizer).
  std::shared_ptr<Channel> add(const std::string& session_id) {
    auto channel = std::make_shared<Channel>(client_.get_executor(), 1);
    // Taken under the lock that decides to start the poller, so the watcher's destructor
    // never sees a poller about to start without its lease; released by the lease even if
    // posting throws.
    std::optional<PollerLease> poller;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) {
        deliver(*channel, nullptr,
                std::make_exception_ptr(Error(errc::cancelled, "watcher stopped")));
        return channel;
      }
      waiters_[session_id].push_back(channel);
      if (!std::exchange(polling_, true)) poller.emplace(shared_from_this());
    }
    // Posted, not started inline: waits registered by the same handler (or before the
    // executor runs) all share the first tick.
    if (poller) {
      asio::post(strand_, [lease = std::move(*poller)]() mutable {
        auto& self = *lease;
        asio::co_spawn(self.strand_, poll_loop(std::move(lease)),
                       asio::bind_cancellation_slot(self.stop_poller_.slot(), asio::detached));
      });
    }
    return channel;
  }

  void remove(const std::string& session_id, const std::shared_ptr<Channel>& channel) {
    std::lock_guard lock(mutex_);
    const auto it = waiters_.find(session_id);
    if (it == waiters_.end()) return;
    std::erase(it->second, channel);
    if (it->second.empty()) waiters_.erase(it);
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    fail_all(std::make_exception_ptr(Error(errc::cancelled, "the session watcher was destroyed")));
    // The tick in flight is cancelled too (its exec killed and reaped), so the poller lets go
    // of the Core soon.
    asio::post(strand_, [self = shared_from_this()] {
      self->wake_.cancel();
      self->stop_poller_.emit(asio::cancellation_type::terminal);
    });
  }

  WatcherStats stats() const {
    std::lock_guard lock(mutex_);
    auto copy = stats_;
    copy.watched_sessions = waiters_.size();
    return copy;
  }

 private:
  static void deliver(Channel& channel, std::shared_ptr<Outcome> outcome,
                      std::exception_ptr error) {
    if (!outcome) outcome = std::make_shared<Outcome>();
    outcome->error = std::move(error);
    channel.try_send(boost::system::error_code{}, std::move(outcome));
  }

  // The sessions to look at this tick. When there are none, the poller is marked idle
  // under the same lock, so the next add() starts a new one.
  std::vector<std::string> watched_ids() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    if (!stopped_) {
      ids.reserve(waiters_.size());
      for (const auto& entry : waiters_) ids.push_back(entry.first);
    }
    if (ids.empty()) polling_ = false;
    return ids;
  }

  void finish(const std::string& session_id, const WaitResult& result,
              const std::exception_ptr& error) {
    std::vector<std::shared_ptr<Channel>> channels;
    {
      std::lock_guard lock(mutex_);
      const auto it = waiters_.find(session_id);
      if (it == waiters_.end()) return;
      channels = std::move(it->second);
      waiters_.erase(it);
    }
    for (const auto& channel : channels) {
      deliver(*channel, std::make_shared<Outcome>(Outcome{result, nullptr}), error);
    }
  }

  void fail_all(const std::exception_ptr& error) {
    std::unordered_map<std::string, std::vector<std::shared_ptr<Channel>>> all;
    {
      std::lock_guard lock(mutex_);
      all.swap(waiters_);
    }
    for (const auto& [id, channels] : all) {
      for (const auto& channel : channels) deliver(*channel, nullptr, error);
    }
  }

  // One tick's verdict for a watched session; nullopt while it still runs.
  static std::optional<WaitOutcome> judge(const std::string& session_id,
                                          const SessionStatus& status,
                                          const std::optional<std::set<std::string>>& live) {
    if (status == SessionStatus::Kind::completed) return WaitOutcome::completed;
    if (status == SessionStatus::Kind::failed) return WaitOutcome::failed;
    if (live && status.is_running() && !live->contains(session_id)) {
      return WaitOutcome::dead;  // a suspect: confirmed individually before it is reported
    }
    return std::nullopt;
  }

  // `list`, keeping only each session's status (the registry can hold thousands).
  asio::awaitable<std::unordered_map<std::string, SessionStatus>> list_statuses() {
    const auto& options = *ClientAccess::config(client_);
    std::vector<std::string> command{options.script, "list"};
    const auto result =
        co_await detail::exec_in_container(options, detail::ExecMode::attached, std::move(command));
    if (result.exit_code != 0) {
      throw Error(errc::docker_exec_failed,
                  "'list' exited with status " + std::to_string(result.exit_code),
                  detail::context_of(result));
    }
    co_return detail::parse_index_statuses(result.out);
  }

  // A session is dead only if, checked on its own, it still has no process while its
  // status still says running (it may have started or finished between snapshots).
  asio::awaitable<std::optional<WaitResult>> confirm_dead(const std::string& session_id) {
    const auto& config = ClientAccess::config(client_);
    if (co_await detail::session_process_alive(*config, session_id) != false)
      co_return std::nullopt;
    auto status = co_await detail::status_op(config, session_id);
    if (!status.is_running()) co_return std::nullopt;
    std::string evidence = "status '" + status.text() + "' but no process matching '" +
                           detail::start_process_pattern(session_id) + "'";
    if (options_.mark_dead_as_failed) {
      co_await detail::update_status_op(config, session_id, "failed");
      evidence += "; recorded as failed";
    }
    co_return WaitResult{WaitOutcome::dead, std::move(status), {}, std::move(evidence)};
  }

  asio::awaitable<void> tick(const std::vector<std::string>& watched,
                             Clock::time_point& next_liveness_check) {
    const auto& config = ClientAccess::config(client_);
    // Processes first, registry second: a session that ends between the two snapshots
    // then shows as finished rather than as dead.
    std::optional<std::set<std::string>> live;
    if (options_.liveness_interval && Clock::now() >= next_liveness_check) {
      next_liveness_check = Clock::now() + *options_.liveness_interval;
      live = co_await detail::live_sessions(*config);
      std::lock_guard lock(mutex_);
      ++stats_.liveness_calls;
    }
    const auto statuses = co_await list_statuses();
    {
      std::lock_guard lock(mutex_);
      ++stats_.ticks;
      ++stats_.list_calls;
    }
    std::vector<Ending> endings;
    for (const auto& session_id : watched) {
      const auto entry = statuses.find(session_id);
      if (entry == statuses.end()) {
        finish(session_id, {},
               std::make_exception_ptr(
                   Error(errc::session_not_found, "session " + session_id + " left the registry")));
        continue;
      }
      if (const auto verdict = judge(session_id, entry->second, live)) {
        endings.push_back(Ending{session_id, *verdict, entry->second});
      }
    }
    const bool any_ended = co_await finalize_all(endings);
    if (any_ended && options_.cleanup) co_await clean_up();
  }

  // A session this tick found ended (or suspects dead).
  struct Ending {
    std::string session_id;
    WaitOutcome verdict;
    SessionStatus status;
  };

  // Confirms a suspect dead, reads the final metadata and tells the waiters; false for a
  // suspect that turned out alive.
  asio::awaitable<bool> finalize(const Ending& ending) {
    std::optional<WaitResult> result;
    if (ending.verdict == WaitOutcome::dead) {
      result = co_await confirm_dead(ending.session_id);
      if (!result) co_return false;
      logger()->warn("session {} is dead: {}", ending.session_id, result->evidence);
    } else {
      result = WaitResult{ending.verdict, ending.status, {}, {}};
    }
    result->metadata = co_await detail::get_op(ClientAccess::config(client_), ending.session_id);
    detail::record_session_end(client_, ending.session_id, *result);
    finish(ending.session_id, *result, nullptr);
    co_return true;
  }

  // One of finalize_all's workers: takes the next ending until none is left. The workers
  // share the strand, so `next` and `any_ended` need no lock.
  asio::awaitable<void> finalize_from(const std::vector<Ending>& endings, std::size_t& next,
                                      bool& any_ended) {
    while (next < endings.size()) {
      const Ending& ending = endings[next++];
      if (co_await finalize(ending)) any_ended = true;
    }
  }

  // Each ending costs one exec or more; with many sessions ending in one tick, running
  // them one at a time would hold back the next tick (and every other waiter) for
  // seconds. Up to max_concurrent_finalizations run at once. The first failure is
  // rethrown once all workers are done, so no exec is left running.
  asio::awaitable<bool> finalize_all(const std::vector<Ending>& endings) {
    std::size_t next = 0;
    bool any_ended = false;
    using Worker =
        decltype(asio::co_spawn(strand_, finalize_from(endings, next, any_ended), asio::deferred));
    std::vector<Worker> workers;
    const auto count = std::min(endings.size(), options_.max_concurrent_finalizations);
    for (std::size_t i = 0; i < count; ++i) {
      workers.push_back(
          asio::co_spawn(strand_, finalize_from(endings, next, any_ended), asio::deferred));
    }
    if (workers.empty()) co_return false;
    auto [order, failures] =
        co_await asio::experimental::make_parallel_group(std::move(workers))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& failure : failures) {
      if (failure) std::rethrow_exception(failure);
    }
    co_return any_ended;
  }

  // Archiving is housekeeping: a failure is logged and retried after the next ending.
  asio::awaitable<void> clean_up() {
    try {
      const auto report = co_await detail::cleanup_finished_op(client_, *options_.cleanup);
      logger()->info("watcher cleanup: {} finished session(s) handled", report.sessions.size());
    } catch (const std::exception& e) {
      logger()->warn("watcher cleanup failed: {}", e.what());
    }
  }

  // The poller's share of the Core: released (and the gate told) when the poller ends,
  // including when its handler is destroyed unrun because the executor stopped.
  class PollerLease {
   public:
    explicit PollerLease(std::shared_ptr<Core> core)
        : core_(std::move(core)), gate_(core_->poller_gate_) {
      gate_->hold();
    }
    PollerLease(PollerLease&&) noexcept = default;
    PollerLease& operator=(PollerLease&&) = delete;
    ~PollerLease() {
      if (!gate_) return;  // moved from
      core_.reset();
      gate_->release();
    }
    Core& operator*() const noexcept { return *core_; }
    Core* operator->() const noexcept { return core_.get(); }

   private:
    std::shared_ptr<Core> core_;
    std::shared_ptr<PollerGate> gate_;
  };

  static asio::awaitable<void> poll_loop(PollerLease self) {
    auto next_liveness_check = Clock::now();
    for (;;) {
      const auto watched = self->watched_ids();
      if (watched.empty()) co_return;  // watched_ids() has marked the poller idle
      try {
        co_await self->tick(watched, next_liveness_check);
      } catch (...) {
        if (self->stopped()) co_return;  // the tick was cancelled by stop()
        // The container failed us (after the client's own retries): every waiter learns why.
        self->fail_all(std::current_exception());
      }
      self->wake_.expires_after(self->options_.interval);
      co_await self->wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  bool stopped() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  HiveMindClient client_;
  WatcherOptions options_;
  // The poll loop and everything touching wake_ run on this strand.
  asio::strand<HiveMindClient::executor_type> strand_;
  asio::steady_timer wake_;
  asio::cancellation_signal stop_poller_;  // on the strand, like wake_
  std::shared_ptr<PollerGate> poller_gate_ = std::make_shared<PollerGate>();
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Channel>>> waiters_;
  bool polling_ = false;
  bool stopped_ = false;
  WatcherStats stats_;
};

SessionWatcher::SessionWatcher(const HiveMindClient& client, WatcherOptions options)
    : core_(std::make_shared<Core>(client, std::move(options))), executor_(client.get_executor()) {}

// stop() throws only if allocating the cancellation error or posting fails; terminating then
// beats leaving every pending wait hanging.
// NOLINTNEXTLINE(bugprone-exception-escape)
SessionWatcher::~SessionWatcher() {
  core_->stop();
  // Unless this thread is the one the poller needs to finish, wait until it has let go.
  if (!runs_in_this_thread(executor_)) core_->poller_gate()->wait_released();
}

namespace {

asio::awaitable<WaitResult> watch_op(std::shared_ptr<SessionWatcher::Core> core,
                                     std::string session_id) {
  detail::validate_uuid(session_id);
  auto channel = core->add(session_id);
  std::shared_ptr<Outcome> outcome;
  try {
    outcome = co_await channel->async_receive(asio::use_awaitable);
  } catch (...) {
    core->remove(session_id, channel);
    if (!detail::is_cancellation(std::current_exception())) throw;
    throw Error(errc::cancelled, "wait for session " + session_id + " cancelled");
  }
  if (outcome->error) std::rethrow_exception(outcome->error);
  co_return std::move(outcome->result);
}

}  // namespace

void SessionWatcher::launch_wait(std::string session_id, Completion<WaitResult> done) const {
  detail::co_spawn_typed(executor_, watch_op(core_, std::move(session_id)), std::move(done));
}

WaitResult SessionWatcher::wait(std::string_view session_id, std::stop_token stop) const {
  return detail::run_sync(watch_op(core_, std::string(session_id)), std::move(stop));
}

WatcherStats SessionWatcher::stats() const {
  return core_->stats();
}

}  // namespace hivemind
