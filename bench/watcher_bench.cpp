// SessionWatcher's cost per tick: one `list` exec whatever the number of sessions, then
// the registry parsed and fanned out to every waiter. Measures that fan-out for N
// sessions, and the heap held per watched session.
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>

#include "control/session_manager_output.hpp"
#include "hivemind/control/session_watcher.hpp"

namespace {

std::string uuid_for(std::size_t i) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%08zx-0000-4000-8000-%012zx", i, i);
  return buffer;
}

// A registry as `list` prints it: N sessions, every tenth finished.
std::string registry_text(std::size_t sessions) {
  std::string text = "{\"sessions\": {";
  for (std::size_t i = 0; i < sessions; ++i) {
    if (i) text += ",";
    text += "\"" + uuid_for(i) + "\": {\"task\": \"task number " + std::to_string(i) +
            "\", \"status\": \"" + (i % 10 == 0 ? "completed" : "running") +
            "\", \"created\": \"2025-10-05T19:45:00+00:00\", \"dir\": "
            "\"/workspace/.swarm/sessions/" +
            uuid_for(i) + "\"}";
  }
  return text + "}, \"created\": \"2025-10-05T19:00:00+00:00\"}";
}

// The work of one tick after the exec: parse, then look every watched session up.
void BM_TickFanOut(benchmark::State& state) {
  const auto sessions = static_cast<std::size_t>(state.range(0));
  const auto text = registry_text(sessions);
  std::vector<std::string> watched;
  for (std::size_t i = 0; i < sessions; ++i) watched.push_back(uuid_for(i));
  for (auto _ : state) {
    const auto statuses = hivemind::detail::parse_index_statuses(text);
    std::size_t finished = 0;
    for (const auto& id : watched) {
      const auto entry = statuses.find(id);
      finished += entry != statuses.end() && entry->second.is_terminal();
    }
    benchmark::DoNotOptimize(finished);
  }
  state.counters["execs_per_tick"] = 1;
  state.counters["registry_bytes"] = static_cast<double>(text.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sessions));
}
BENCHMARK(BM_TickFanOut)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The full model parse (`HiveMindClient::list`), as the baseline the tick avoids.
void BM_FullRegistryParse(benchmark::State& state) {
  const auto text = registry_text(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(hivemind::detail::parse_index_json(text));
}
BENCHMARK(BM_FullRegistryParse)->Arg(10000)->Unit(benchmark::kMillisecond);

// Heap held per waiting session: N waits registered on a watcher whose first `list` never
// returns (a CLI that hangs), measured with mallinfo2 before and after.
void BM_MemoryPerWatchedSession(benchmark::State& state) {
  const auto sessions = static_cast<std::size_t>(state.range(0));
  const auto root = std::filesystem::temp_directory_path() / "hivemind-watcher-bench";
  std::filesystem::create_directories(root);
  const auto cli = root / "hanging-cli";
  std::ofstream(cli) << "#!/bin/sh\nexec sleep 100000\n";
  std::filesystem::permissions(cli, std::filesystem::perms::owner_all);
  for (auto _ : state) {
    boost::asio::io_context io;
    hivemind::ClientOptions options;
    options.cli = cli.string();
    hivemind::HiveMindClient client(io.get_executor(), options);
    auto watcher = std::make_unique<hivemind::SessionWatcher>(client);
    io.poll();
    const auto before = mallinfo2().uordblks;
    std::size_t ended_early = 0;
    for (std::size_t i = 0; i < sessions; ++i) {
      watcher->async_wait(uuid_for(i), [&](std::exception_ptr error, hivemind::WaitResult) {
        ended_early += error != nullptr;
      });
    }
    io.restart();  // the first poll() ran out of work, which stops the context
    io.poll();
    const auto after = mallinfo2().uordblks;
    state.counters["bytes_per_session"] =
        static_cast<double>(after - before) / static_cast<double>(sessions);
    state.counters["watched"] = static_cast<double>(watcher->stats().watched_sessions);
    state.counters["ended_early"] = static_cast<double>(ended_early);
    watcher.reset();
    io.restart();
    io.poll();
  }
  std::filesystem::remove_all(root);
}
BENCHMARK(BM_MemoryPerWatchedSession)
    ->Arg(10)
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
