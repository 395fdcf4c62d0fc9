#include "fleet/fleet_state.hpp"

#include <algorithm>
#include <future>
#include <iterator>
#include <utility>

#include <boost/asio/use_future.hpp>

#include "fleet/target_name.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"

namespace hivemind {
namespace {

using Clock = std::chrono::steady_clock;

HiveMindClient make_client(const FleetTarget& target, const std::filesystem::path& journal_dir) {
  auto options = target.options;
  options.target_name = target.name;
  if (!journal_dir.empty()) options.journal_dir = journal_dir / target.name;
  return HiveMindClient(std::move(options));
}

std::string describe(const TargetState& state) {
  return state.name + ": " + std::string(to_string(state.health)) +
         (state.last_error.empty() ? "" : " (" + state.last_error + ")");
}

void validate_discovered(const std::vector<FleetTarget>& found) {
  std::set<std::string, std::less<>> names;
  for (const auto& target : found) {
    detail::validate_target_name(target.name);
    if (!names.insert(target.name).second) {
      throw Error(errc::invalid_argument,
                  "fleet target name \"" + target.name + "\" is given twice by the discovery");
    }
  }
}

}  // namespace

FleetTargetEntry::FleetTargetEntry(FleetTarget fleet_target, HiveMindClient target_client,
                                   const WatcherOptions& watcher_options)
    : target(std::move(fleet_target)),
      client(std::move(target_client)),
      watcher(client, watcher_options) {
  state.name = target.name;
}

bool is_target_failure(const Error& error) {
  const auto kind = error.kind();
  return kind == errc::container_unavailable || kind == errc::connection_failed ||
         kind == errc::connection_lost || kind == errc::timeout;
}

HiveMindFleet::State::State(FleetOptions options) : options_(std::move(options)) {
  if (!options_.discovery) {
    throw Error(errc::invalid_argument, "FleetOptions::discovery is empty: a fleet needs targets");
  }
  if (!options_.placement) {
    throw Error(errc::invalid_argument, "FleetOptions::placement is empty");
  }
  if (options_.down_probe_interval <= std::chrono::milliseconds::zero()) {
    throw Error(errc::invalid_argument, "FleetOptions::down_probe_interval must be positive");
  }
}

HiveMindFleet::State::~State() {
  refresher_ = {};  // stops the refresh before the targets go
}

void HiveMindFleet::State::discover(bool initial) {
  std::vector<FleetTarget> found;
  try {
    found = options_.discovery();
    validate_discovered(found);
  } catch (const std::exception& e) {
    if (initial) throw;
    logger()->warn("fleet discovery failed, keeping the targets known: {}", e.what());
    return;
  }
  std::vector<FleetTarget> appeared;
  std::vector<FleetTargetPtr> gone;
  std::vector<TargetEvent> events;
  {
    std::lock_guard lock(mutex_);
    for (auto it = targets_.begin(); it != targets_.end();) {
      const bool still_there = std::any_of(
          found.begin(), found.end(), [&](const FleetTarget& t) { return t.name == it->first; });
      if (still_there) {
        ++it;
        continue;
      }
      it->second->vanished = true;
      gone.push_back(it->second);
      events.push_back({TargetEventKind::vanished, it->first, {}});
      it = targets_.erase(it);
    }
    for (auto& target : found) {
      if (!targets_.contains(target.name)) appeared.push_back(std::move(target));
    }
  }
  // Its waits' stop callbacks run here, so not under the lock.
  for (const auto& entry : gone) entry->retired.request_stop();
  // A client with a journal reconciles it with its container when built: not under the lock.
  std::vector<FleetTargetPtr> built;
  for (auto& target : appeared) {
    auto client = make_client(target, options_.journal_dir);
    built.push_back(
        std::make_shared<FleetTargetEntry>(std::move(target), std::move(client), options_.watcher));
  }
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : built) {
      events.push_back({TargetEventKind::appeared, entry->target.name, {}});
      targets_.emplace(entry->target.name, std::move(entry));
    }
  }
  changed_.notify_all();
  emit(events);
}

std::vector<std::pair<FleetTargetPtr, std::optional<SessionIndex>>> HiveMindFleet::State::list(
    const std::vector<FleetTargetPtr>& targets) {
  std::vector<std::future<SessionIndex>> answers;
  answers.reserve(targets.size());
  for (const auto& target : targets) {
    answers.push_back(target->client.async_list(boost::asio::use_future));
  }
  std::vector<std::pair<FleetTargetPtr, std::optional<SessionIndex>>> results;
  std::vector<TargetEvent> events;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    try {
      auto index = answers[i].get();
      {
        std::lock_guard lock(mutex_);
        mark_up(targets[i], index, events);
      }
      results.emplace_back(targets[i], std::move(index));
    } catch (const std::exception& e) {
      // A target whose registry cannot be read cannot take sessions either.
      mark_down(targets[i], e.what());
      results.emplace_back(targets[i], std::nullopt);
    }
  }
  changed_.notify_all();
  emit(events);
  return results;
}

void HiveMindFleet::State::mark_up(const FleetTargetPtr& target, const SessionIndex& index,
                                   std::vector<TargetEvent>& events) {
  auto& state = target->state;
  state.known_sessions = index.sessions.size();
  state.running_sessions = static_cast<std::size_t>(
      std::count_if(index.sessions.begin(), index.sessions.end(),
                    [](const auto& entry) { return entry.second.status.is_running(); }));
  if (state.health == TargetHealth::down) {
    state.health = TargetHealth::up;
    state.last_error.clear();
    state.down_since.reset();
    events.push_back({TargetEventKind::up, state.name, {}});
  }
}

void HiveMindFleet::State::mark_down(const FleetTargetPtr& target, const std::string& reason) {
  std::vector<TargetEvent> events;
  {
    std::lock_guard lock(mutex_);
    auto& state = target->state;
    state.last_error = reason;
    if (state.health == TargetHealth::up) {
      state.health = TargetHealth::down;
      state.down_since = std::chrono::system_clock::now();
      events.push_back({TargetEventKind::down, state.name, reason});
    }
  }
  changed_.notify_all();
  emit(events);
}

void HiveMindFleet::State::start_background_refresh() {
  refresher_ = std::jthread([this](std::stop_token stop) { refresh_loop(std::move(stop)); });
}

void HiveMindFleet::State::refresh_loop(std::stop_token stop) {
  const auto period = options_.refresh_interval;
  auto next_refresh = Clock::now() + period;
  while (!stop.stop_requested()) {
    auto wake = Clock::now() + options_.down_probe_interval;
    if (period > std::chrono::milliseconds::zero()) wake = std::min(wake, next_refresh);
    {
      std::unique_lock lock(mutex_);
      changed_.wait_until(lock, stop, wake, [] { return false; });
    }
    if (stop.stop_requested()) return;
    if (period > std::chrono::milliseconds::zero() && Clock::now() >= next_refresh) {
      discover(false);
      list(entries());
      next_refresh = Clock::now() + period;
    } else if (auto down = entries_down(); !down.empty()) {
      list(down);
    }
  }
}

std::vector<FleetTargetPtr> HiveMindFleet::State::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<FleetTargetPtr> all;
  all.reserve(targets_.size());
  for (const auto& [name, entry] : targets_) all.push_back(entry);
  return all;
}

std::vector<FleetTargetPtr> HiveMindFleet::State::entries_down() const {
  std::lock_guard lock(mutex_);
  std::vector<FleetTargetPtr> down;
  for (const auto& [name, entry] : targets_) {
    if (entry->state.health == TargetHealth::down) down.push_back(entry);
  }
  return down;
}

FleetTargetPtr HiveMindFleet::State::entry(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto found = targets_.find(name);
  if (found == targets_.end()) {
    throw Error(errc::invalid_argument, "the fleet has no target \"" + std::string(name) + "\"");
  }
  return found->second;
}

std::vector<TargetState> HiveMindFleet::State::states() const {
  std::lock_guard lock(mutex_);
  std::vector<TargetState> states;
  states.reserve(targets_.size());
  for (const auto& [name, entry] : targets_) states.push_back(entry->state);
  return states;
}

TargetState HiveMindFleet::State::state_of(const FleetTargetPtr& target) const {
  std::lock_guard lock(mutex_);
  return target->state;
}

bool HiveMindFleet::State::has_vanished(const FleetTargetPtr& target) const {
  std::lock_guard lock(mutex_);
  return target->vanished;
}

FleetTargetPtr HiveMindFleet::State::place(const std::set<std::string, std::less<>>& excluded) {
  std::vector<FleetTargetPtr> candidates;
  std::vector<TargetLoad> loads;
  std::string why_none;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, entry] : targets_) {
      if (entry->state.health == TargetHealth::up && !excluded.contains(name)) {
        candidates.push_back(entry);
        loads.push_back({name, entry->state.running_sessions, entry->state.placed_sessions});
      } else {
        why_none += (why_none.empty() ? "" : "; ") + describe(entry->state) +
                    (excluded.contains(name) ? " (refused this session)" : "");
      }
    }
  }
  if (candidates.empty()) {
    throw Error(
        errc::container_unavailable,
        "no fleet target can take a session" +
            (why_none.empty() ? std::string(": the fleet has no targets") : ": " + why_none));
  }
  // The policy is the application's code: it runs without the fleet's lock.
  const auto pick = options_.placement(loads);
  if (pick >= candidates.size()) {
    throw Error(errc::invalid_argument, "the placement policy picked target " +
                                            std::to_string(pick) + " of " +
                                            std::to_string(candidates.size()) + " candidates");
  }
  std::lock_guard lock(mutex_);
  auto& chosen = candidates[pick];
  ++chosen->state.placed_sessions;
  ++chosen->state.running_sessions;
  return chosen;
}

void HiveMindFleet::State::unplace(const FleetTargetPtr& target) {
  std::lock_guard lock(mutex_);
  auto& state = target->state;
  if (state.placed_sessions > 0) --state.placed_sessions;
  if (state.running_sessions > 0) --state.running_sessions;
}

bool HiveMindFleet::State::wait_until_up(const FleetTargetPtr& target,
                                         std::optional<Clock::time_point> deadline,
                                         std::stop_token stop) const {
  std::unique_lock lock(mutex_);
  const auto back = [&] { return target->vanished || target->state.health == TargetHealth::up; };
  if (deadline) {
    changed_.wait_until(lock, stop, *deadline, back);
  } else {
    changed_.wait(lock, stop, back);
  }
  return !target->vanished && target->state.health == TargetHealth::up;
}

void HiveMindFleet::State::emit(const std::vector<TargetEvent>& events) const {
  if (!options_.on_target_event) return;
  for (const auto& event : events) {
    try {
      options_.on_target_event(event);
    } catch (const std::exception& e) {
      logger()->warn("fleet on_target_event threw: {}", e.what());
    }
  }
}

}  // namespace hivemind
