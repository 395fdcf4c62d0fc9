// Costs of the lifecycle pieces: a durable journal record (write + fsync), a metrics hook
// on the exec hot path, a snapshot rendered as Prometheus text, and the dashboard.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "hivemind/journal/session_journal.hpp"
#include "hivemind/metrics/dashboard.hpp"
#include "hivemind/metrics/lifecycle_metrics.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path fresh_directory() {
  std::string pattern = (fs::temp_directory_path() / "hivemind-bench-XXXXXX").string();
  return ::mkdtemp(pattern.data());
}

hivemind::JournalEntry entry(std::size_t i) {
  hivemind::JournalEntry e;
  e.session_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
  e.task = "analyse the repository and write a report #" + std::to_string(i);
  e.metadata = {{"team", "bench"}};
  e.created = e.status_seen = std::chrono::system_clock::now();
  return e;
}

// One new session recorded durably: what spawn_task adds to each call.
void BM_JournalRecord(benchmark::State& state) {
  const auto directory = fresh_directory();
  {
    hivemind::SessionJournal journal(directory);
    std::size_t i = 0;
    for (auto _ : state) journal.record(entry(i++));
    state.SetItemsProcessed(static_cast<std::int64_t>(i));
  }
  fs::remove_all(directory);
}
BENCHMARK(BM_JournalRecord)->UseRealTime();

// Reopening a journal of N sessions (load and parse).
void BM_JournalOpen(benchmark::State& state) {
  const auto directory = fresh_directory();
  {
    hivemind::SessionJournal journal(directory);
    for (std::int64_t i = 0; i < state.range(0); ++i) journal.record(entry(i));
    journal.compact();
  }
  for (auto _ : state) {
    hivemind::SessionJournal journal(directory);
    benchmark::DoNotOptimize(journal.entries().size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  fs::remove_all(directory);
}
BENCHMARK(BM_JournalOpen)->Arg(1000)->Arg(10000)->UseRealTime();

void BM_MetricsExecHook(benchmark::State& state) {
  hivemind::LifecycleMetrics metrics;
  for (auto _ : state) metrics.on_docker_exec(12ms, false);
}
BENCHMARK(BM_MetricsExecHook);

void BM_PrometheusText(benchmark::State& state) {
  hivemind::LifecycleMetrics metrics;
  for (int i = 0; i < 1000; ++i) {
    metrics.on_docker_exec(std::chrono::milliseconds(i % 200), i % 50 == 0);
    metrics.on_session_created(std::to_string(i));
  }
  for (auto _ : state) benchmark::DoNotOptimize(hivemind::to_prometheus(metrics.snapshot()));
}
BENCHMARK(BM_PrometheusText);

void BM_Dashboard(benchmark::State& state) {
  hivemind::LifecycleMetrics metrics;
  std::vector<hivemind::JournalEntry> sessions;
  for (std::int64_t i = 0; i < state.range(0); ++i) sessions.push_back(entry(i));
  for (auto _ : state) {
    benchmark::DoNotOptimize(hivemind::render_dashboard(metrics.snapshot(), sessions));
  }
}
BENCHMARK(BM_Dashboard)->Arg(100)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
