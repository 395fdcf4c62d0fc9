#include "hivemind/fleet/hivemind_fleet.hpp"

#include <algorithm>
#include <utility>

#include "control/input_validation.hpp"
#include "fleet/fleet_state.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind {
namespace {

// A create that failed this way never reached the script: the session does not exist and
// another target may take it.
bool refused_before_the_script(const Error& e) {
  return e.kind() == errc::container_unavailable || e.kind() == errc::connection_failed;
}

bool earlier(const FleetSessionSummary& a, const FleetSessionSummary& b) {
  if (a.target != b.target) return a.target < b.target;
  // Sessions without a creation time go last, then by UUID for a stable order.
  if (a.session.created.has_value() != b.session.created.has_value()) {
    return a.session.created.has_value();
  }
  if (a.session.created && a.session.created->utc != b.session.created->utc) {
    return a.session.created->utc < b.session.created->utc;
  }
  return a.session.session_id < b.session.session_id;
}

}  // namespace

std::string_view to_string(TargetHealth health) noexcept {
  return health == TargetHealth::up ? "up" : "down";
}

std::string_view to_string(TargetEventKind kind) noexcept {
  switch (kind) {
    case TargetEventKind::appeared:
      return "appeared";
    case TargetEventKind::vanished:
      return "vanished";
    case TargetEventKind::down:
      return "down";
    case TargetEventKind::up:
      return "up";
  }
  return "unknown";
}

const FleetSessionSummary* FleetIndex::find(std::string_view session_id) const {
  const auto found = std::find_if(sessions.begin(), sessions.end(), [&](const auto& entry) {
    return entry.session.session_id == session_id;
  });
  return found == sessions.end() ? nullptr : &*found;
}

HiveMindFleet::HiveMindFleet(FleetOptions options)
    : state_(std::make_shared<State>(std::move(options))) {
  state_->discover(/*initial=*/true);
  state_->list(state_->entries());
  state_->start_background_refresh();
}

HiveMindFleet::~HiveMindFleet() = default;

std::vector<TargetState> HiveMindFleet::targets() const {
  return state_->states();
}

void HiveMindFleet::refresh() {
  state_->discover(/*initial=*/false);
  state_->list(state_->entries());
}

HiveMindClient HiveMindFleet::client(std::string_view target) const {
  return state_->entry(target)->client;
}

SessionHandle HiveMindFleet::create_task(std::string_view task, Priority priority,
                                         const nlohmann::json& metadata) {
  std::set<std::string, std::less<>> refused;
  for (;;) {
    const auto target = state_->place(refused);
    try {
      return SessionHandle::from_uuid(target->client,
                                      target->client.create(task, priority, metadata));
    } catch (const Error& e) {
      state_->unplace(target);
      if (!refused_before_the_script(e)) throw;
      state_->mark_down(target, e.what());
      refused.insert(target->target.name);
    }
  }
}

SessionHandle HiveMindFleet::spawn_task(std::string_view task, Priority priority,
                                        const nlohmann::json& metadata) {
  auto session = create_task(task, priority, metadata);
  // From here the session exists on its target (and in its journal): a failing start
  // propagates rather than running the task a second time elsewhere.
  session.client().start(session.uuid());
  return session;
}

FleetIndex HiveMindFleet::list() const {
  FleetIndex index;
  for (auto& [target, listed] : state_->list(state_->entries())) {
    if (!listed) continue;
    for (auto& [id, summary] : listed->sessions) {
      index.sessions.push_back({target->target.name, std::move(summary)});
    }
  }
  std::sort(index.sessions.begin(), index.sessions.end(), earlier);
  index.targets = state_->states();
  return index;
}

SessionHandle HiveMindFleet::find(std::string_view session_id) const {
  detail::validate_uuid(session_id);  // before anything is listed
  const auto index = list();
  if (const auto* found = index.find(session_id)) {
    return SessionHandle::from_uuid(state_->entry(found->target)->client, session_id);
  }
  std::string down;
  for (const auto& target : index.targets) {
    if (target.health == TargetHealth::down) down += (down.empty() ? "" : ", ") + target.name;
  }
  throw Error(errc::session_not_found,
              "no fleet target knows session " + std::string(session_id) +
                  (down.empty() ? std::string() : " (down, not asked: " + down + ")"));
}

std::map<std::string, WatcherStats> HiveMindFleet::watcher_stats() const {
  std::map<std::string, WatcherStats> stats;
  for (const auto& entry : state_->entries())
    stats.emplace(entry->target.name, entry->watcher.stats());
  return stats;
}

}  // namespace hivemind
