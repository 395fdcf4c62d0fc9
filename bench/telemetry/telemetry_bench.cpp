// Telemetry benchmarks:
//  * decoding: telemetry_update lines (as the documented stream sends them) fed to
//    the sans-IO decoder in 4 KiB frames; agent updates per second on one core
//    and bytes per second;
//  * end to end: 10 sessions x 100 agents at 20 Hz on one stream from the
//    WebSocket mock, a consumer that needs 20 ms per update (4x too slow): the
//    stream thread's CPU share, the process's peak RSS, and the queue's coalescing.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "hivemind/common/logging.hpp"
#include "hivemind/telemetry/telemetry_stream.hpp"
#include "mock_telemetry_server.hpp"
#include "telemetry/telemetry_decoder.hpp"

namespace {

using namespace std::chrono_literals;
using hivemind::TelemetryUpdate;

std::string sample_stream(int updates, int agents_per_update) {
  std::string stream;
  for (int u = 0; u < updates; ++u) {
    nlohmann::json agents = nlohmann::json::array();
    for (int i = 0; i < agents_per_update; ++i) {
      agents.push_back({{"agent_id", "agent-" + std::to_string(i)},
                        {"type", i % 2 == 0 ? "coder" : "tester"},
                        {"status", "busy"},
                        {"position", {{"x", u * 0.5 + i}, {"y", i * 1.25}, {"z", -3.75}}},
                        {"velocity", {{"x", 0.125}, {"y", -0.5}, {"z", 0.0}}},
                        {"performance",
                         {{"cpu_usage", 12.5 + i}, {"memory_mb", 256.0}, {"tasks_completed", u}}}});
    }
    const nlohmann::json update{
        {"type", "telemetry_update"},
        {"timestamp", "2026-01-01T00:00:00.000Z"},
        {"session_id", "session-" + std::to_string(u % 10)},
        {"swarm_id", "swarm-1"},
        {"agents", std::move(agents)},
        {"topology_changes",
         {{{"type", "connect"}, {"from", "agent-0"}, {"to", "agent-1"}, {"strength", 0.5}}}}};
    stream += update.dump();
    stream += '\n';
  }
  return stream;
}

void BM_DecodeTelemetryUpdates(benchmark::State& state) {
  const int agents_per_update = static_cast<int>(state.range(0));
  const std::string stream = sample_stream(200, agents_per_update);
  constexpr std::size_t frame = 4096;
  std::uint64_t agents = 0;
  for (auto _ : state) {
    hivemind::telemetry_detail::TelemetryDecoder decoder(
        1 << 20, [&](TelemetryUpdate update) { benchmark::DoNotOptimize(update.agents.data()); },
        [](std::string_view) {});
    for (std::size_t offset = 0; offset < stream.size(); offset += frame) {
      decoder.feed(std::string_view(stream).substr(offset, frame));
    }
    agents += decoder.counters().agent_updates;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["agent_updates_per_s"] =
      benchmark::Counter(static_cast<double>(agents), benchmark::Counter::kIsRate);
  state.counters["bytes_per_agent"] =
      static_cast<double>(stream.size()) / (200.0 * agents_per_update);
}
BENCHMARK(BM_DecodeTelemetryUpdates)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void BM_EndToEndSlowConsumer(benchmark::State& state) {
  hivemind::logger()->set_level(spdlog::level::warn);
  std::vector<std::string> sessions;
  for (int i = 0; i < 10; ++i) sessions.push_back("session-" + std::to_string(i));
  hivemind::testing::MockTelemetryServer server(
      {.agents = 100, .rate_hz = 20, .sessions = sessions});

  for (auto _ : state) {
    boost::asio::io_context context;
    auto work = boost::asio::make_work_guard(context);
    std::atomic<double> stream_cpu{0};
    std::thread runner([&] {
      context.run();
      stream_cpu = thread_cpu_seconds();
    });

    hivemind::TelemetryOptions options;
    options.host = "127.0.0.1";
    options.port = server.port();
    options.filters.update_frequency_hz = 20;
    hivemind::TelemetryStream stream(context.get_executor(), options);
    stream.start();
    const auto started = std::chrono::steady_clock::now();
    const auto duration = 5s;
    std::uint64_t consumed = 0;
    std::uint64_t consumed_agents = 0;
    while (std::chrono::steady_clock::now() - started < duration) {
      const TelemetryUpdate update = stream.next();
      ++consumed;
      consumed_agents += update.agents.size();
      std::this_thread::sleep_for(20ms);  // the consumer's work (rendering), 4x too slow
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const hivemind::TelemetryStats stats = stream.stats();
    stream.stop();
    work.reset();
    runner.join();

    state.counters["stream_cpu_pct"] = 100.0 * stream_cpu / elapsed;
    state.counters["peak_rss_mb"] = peak_rss_mb();
    state.counters["updates_received"] = static_cast<double>(stats.updates_received);
    state.counters["updates_consumed"] = static_cast<double>(consumed);
    state.counters["agent_states_consumed"] = static_cast<double>(consumed_agents);
    state.counters["merged_updates"] = static_cast<double>(stats.queue.merged_updates);
    state.counters["coalesced_agent_updates"] =
        static_cast<double>(stats.queue.coalesced_agent_updates);
    state.counters["dropped_updates"] = static_cast<double>(stats.queue.dropped_updates);
    state.counters["max_queued"] = static_cast<double>(stats.queue.max_queued);
  }
}
BENCHMARK(BM_EndToEndSlowConsumer)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
