// Tutorial 10: a fleet. Finds every hive-mind container on the Docker host by label, spreads
// tasks over them (fewest running sessions first), waits for all of them through one watcher
// per container, and prints where each ran and how the fleet is balanced.
//
//   10_fleet [LABEL_FILTER] [TASKS]   (default: label=app=hive-mind, 6 tasks)
#include <chrono>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <hivemind/hivemind.hpp>

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  const std::string filter = argc > 1 ? argv[1] : "label=app=hive-mind";
  const int task_count = argc > 2 ? std::atoi(argv[2]) : 6;
  try {
    hivemind::FleetOptions options;
    options.discovery =
        hivemind::docker_containers({.base = hivemind::ClientOptions::from_environment(),
                                     .filters = {filter},
                                     .name_prefix = {}});
    options.watcher.interval = 500ms;
    options.on_target_event = [](const hivemind::TargetEvent& event) {
      std::cout << "target " << event.target << " " << hivemind::to_string(event.kind)
                << (event.reason.empty() ? "" : ": " + event.reason) << "\n";
    };
    hivemind::HiveMindFleet fleet(std::move(options));
    std::cout << "fleet of " << fleet.targets().size() << " targets\n";

    std::vector<hivemind::SessionHandle> sessions;
    for (int i = 1; i <= task_count; ++i) {
      sessions.push_back(fleet.spawn_task("fleet task " + std::to_string(i)));
      std::cout << "  " << sessions.back().uuid() << " -> "
                << sessions.back().client().options().target_name << "\n";
    }

    std::vector<std::future<hivemind::WaitResult>> waits;
    for (const auto& session : sessions) {
      waits.push_back(
          std::async(std::launch::async, [&fleet, session] { return fleet.wait(session, 10min); }));
    }
    std::map<std::string, int> completed_per_target;
    int completed = 0;
    for (std::size_t i = 0; i < waits.size(); ++i) {
      const auto result = waits[i].get();
      if (result.outcome != hivemind::WaitOutcome::completed) continue;
      ++completed;
      ++completed_per_target[sessions[i].client().options().target_name];
    }

    std::string balance;
    for (const auto& [target, count] : completed_per_target) {
      balance += (balance.empty() ? "" : " ") + target + "=" + std::to_string(count);
    }
    const auto watched = fleet.watcher_stats();
    std::uint64_t lists = 0;
    for (const auto& [target, stats] : watched) lists += stats.list_calls;
    std::cout << "list calls while waiting: " << lists << " over " << watched.size()
              << " watchers\n";
    std::cout << "fleet: " << completed << " of " << sessions.size() << " sessions completed ("
              << balance << ")\n";
    return completed == task_count ? EXIT_SUCCESS : EXIT_FAILURE;
  } catch (const hivemind::Error& e) {
    std::cerr << "error [" << hivemind::to_string(e.kind().value_or(hivemind::errc::protocol_error))
              << "]: " << e.what() << "\n";
    return 2;
  }
}
