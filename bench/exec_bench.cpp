// Control-plane cost: what the SDK adds to one process start, measured against a bare
// Boost.Process v2 spawn + wait of the same command in the same run; and the heap
// held per SessionHandle.
#include <malloc.h>
#include <stdlib.h>

// Boost 1.81's Process v2 headers use these without including them.
#include <boost/optional.hpp>
#include <type_traits>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/process/v2/process.hpp>

#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/session_handle.hpp"
#include "process/container_exec.hpp"
#include "process/process_runner.hpp"
#include "support/mock_container.hpp"

namespace {

namespace asio = boost::asio;
namespace bp2 = boost::process::v2;

// Baseline: spawn and reap, nothing captured, no deadline. argv[0] is a path, so
// neither side searches PATH.
void bare_spawn_wait(asio::io_context& io, const std::vector<std::string>& argv) {
  bp2::process child(io, argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
  benchmark::DoNotOptimize(child.wait());
}

// The SDK's runner: own process group, pipes drained into bounded buffers, deadline.
void runner_spawn_wait(asio::io_context& io, const std::vector<std::string>& argv) {
  hivemind::detail::ProcessRequest request;
  request.program = argv.front();
  request.args.assign(argv.begin() + 1, argv.end());
  int exit_code = -1;
  asio::co_spawn(io, hivemind::detail::run_process(std::move(request)),
                 [&](std::exception_ptr error, hivemind::detail::ProcessResult result) {
                   if (error) std::rethrow_exception(error);
                   exit_code = result.exit_code;
                 });
  io.run();
  io.restart();
  benchmark::DoNotOptimize(exit_code);
}

const std::vector<std::string> kTrue{"/usr/bin/true"};

void BM_BareSpawnWaitTrue(benchmark::State& state) {
  asio::io_context io;
  for (auto _ : state) bare_spawn_wait(io, kTrue);
}
BENCHMARK(BM_BareSpawnWaitTrue)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_ProcessRunnerTrue(benchmark::State& state) {
  asio::io_context io;
  for (auto _ : state) runner_spawn_wait(io, kTrue);
}
BENCHMARK(BM_ProcessRunnerTrue)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One `status` against the mock container (a shell script standing in for docker):
// the argv the SDK builds, spawned bare, versus the SDK's whole call.
struct MockStatusCall {
  hivemind::testing::MockContainer container;
  hivemind::ClientOptions options = container.options();
  std::string session_id;

  MockStatusCall() {
    // The mock's variables go into our own environment, so the bare spawn sees them too.
    for (const auto& [name, value] : options.cli_environment) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    options.cli_environment.clear();
    session_id = hivemind::HiveMindClient(options).create("benchmark task");
  }
  std::vector<std::string> argv() const {
    return hivemind::detail::container_argv(options, hivemind::detail::ExecMode::attached,
                                            {options.script, "status", session_id});
  }
};

void BM_BareSpawnWaitMockStatus(benchmark::State& state) {
  const MockStatusCall call;
  const auto argv = call.argv();
  asio::io_context io;
  for (auto _ : state) bare_spawn_wait(io, argv);
}
BENCHMARK(BM_BareSpawnWaitMockStatus)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);

void BM_ClientStatusMock(benchmark::State& state) {
  const MockStatusCall call;
  asio::io_context io;
  const hivemind::HiveMindClient client(io.get_executor(), call.options);
  for (auto _ : state) {
    hivemind::SessionStatus status;
    client.async_status(call.session_id, [&](std::exception_ptr error, hivemind::SessionStatus s) {
      if (error) std::rethrow_exception(error);
      status = std::move(s);
    });
    io.run();
    io.restart();
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_ClientStatusMock)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);

// The synchronous form: the call is handed to the client's own thread and back.
void BM_ClientStatusMockSync(benchmark::State& state) {
  const MockStatusCall call;
  const hivemind::HiveMindClient client(call.options);
  for (auto _ : state) benchmark::DoNotOptimize(client.status(call.session_id));
}
BENCHMARK(BM_ClientStatusMockSync)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);

// Heap held per SessionHandle beyond sizeof: N handles on one client, measured with
// mallinfo2 before and after (the UUID string and the shared client reference).
void BM_MemoryPerSessionHandle(benchmark::State& state) {
  const auto handles = static_cast<std::size_t>(state.range(0));
  asio::io_context io;
  const hivemind::HiveMindClient client(io.get_executor(), hivemind::ClientOptions{});
  for (auto _ : state) {
    std::vector<hivemind::SessionHandle> kept;
    kept.reserve(handles);
    const auto before = mallinfo2().uordblks;
    for (std::size_t i = 0; i < handles; ++i) {
      char uuid[64];
      std::snprintf(uuid, sizeof uuid, "%08zx-0000-4000-8000-%012zx", i, i);
      kept.push_back(hivemind::SessionHandle::from_uuid(client, uuid));
    }
    const auto after = mallinfo2().uordblks;
    state.counters["heap_bytes_per_handle"] =
        static_cast<double>(after - before) / static_cast<double>(handles);
    state.counters["sizeof_handle"] = sizeof(hivemind::SessionHandle);
    benchmark::DoNotOptimize(kept.data());
  }
}
BENCHMARK(BM_MemoryPerSessionHandle)->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
