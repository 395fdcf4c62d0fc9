// MCP client benchmarks on loopback, in one run:
//  * round trip of one tools/call against the mock relay (p50/p99) next to a raw
//    Asio line echo of the same size: the client's overhead over the network floor;
//  * throughput on one connection with 1, 16, 64, 256 calls in flight vs the
//    seed's pattern (send, wait for the answer, send the next);
//  * heap bytes per pending request.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "hivemind/common/logging.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "loopback_servers.hpp"
#include "mock_relay.hpp"

// Every allocation of the process, for the echo floor's allocations per call. The
// replacements are malloc and free underneath; once they are inlined, GCC sees free() take
// a pointer from operator new and warns, although the pair is consistent.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
std::atomic<std::uint64_t> g_allocations{0};

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  if (void* memory =
          std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)) {
    return memory;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return ::operator new(size, align);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using hivemind::McpOptions;
using hivemind::McpTelemetryClient;
using nlohmann::json;

constexpr const char* kTool = "agent_list";

McpOptions options_for(std::uint16_t port) {
  McpOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  return options;
}

void report_percentiles(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}

double micros_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

// A blocking line client for the baselines: what the seed does, minus JSON.
class RawLineClient {
 public:
  explicit RawLineClient(std::uint16_t port) : socket_(context_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }
  std::string round_trip(const std::string& line) {
    asio::write(socket_, asio::buffer(line));
    const std::size_t size = asio::read_until(socket_, asio::dynamic_buffer(buffer_), '\n');
    std::string answer = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return answer;
  }

 private:
  asio::io_context context_;
  tcp::socket socket_;
  std::string buffer_;
};

// The bytes of one tools/call request and its answer on the wire, so the echo
// baseline moves the same amount of data.
std::size_t tool_call_wire_size(std::uint16_t relay_port) {
  RawLineClient raw(relay_port);
  const std::string request = json{{"jsonrpc", "2.0"},
                                   {"id", "size-probe-1"},
                                   {"method", "tools/call"},
                                   {"params", {{"name", kTool}, {"arguments", json::object()}}}}
                                  .dump() +
                              "\n";
  return std::max(request.size(), raw.round_trip(request).size());
}

// Times one synchronous tools/call per iteration and reports p50/p99.
void time_tool_calls(benchmark::State& state, McpTelemetryClient& client) {
  std::vector<double> micros;
  for (auto _ : state) {
    const auto start = clock_type::now();
    benchmark::DoNotOptimize(client.call_tool(kTool));
    micros.push_back(micros_since(start));
  }
  report_percentiles(state, micros);
}

void BM_ToolCallRoundTrip(benchmark::State& state) {
  hivemind::testing::MockRelay relay;
  McpTelemetryClient client(options_for(relay.port()));
  client.connect();
  time_tool_calls(state, client);
}
BENCHMARK(BM_ToolCallRoundTrip)->UseRealTime()->MinTime(2.0);

// The same call against a responder as cheap as the echo: the client's own cost.
void BM_ToolCallRoundTripCannedServer(benchmark::State& state) {
  hivemind::bench::LoopbackServer server(
      hivemind::bench::LoopbackServer::Mode::canned_tool_results);
  auto options = options_for(server.port());
  options.send_initialize = false;
  McpTelemetryClient client(options);
  client.connect();
  time_tool_calls(state, client);
}
BENCHMARK(BM_ToolCallRoundTripCannedServer)->UseRealTime()->MinTime(2.0);

// As above, with the client on the benchmark thread's own io_context and the call
// awaited in a coroutine: no hand-over to and from a client thread.
void BM_ToolCallRoundTripCannedServerAwaitable(benchmark::State& state) {
  hivemind::bench::LoopbackServer server(
      hivemind::bench::LoopbackServer::Mode::canned_tool_results);
  asio::io_context context;
  auto options = options_for(server.port());
  options.send_initialize = false;
  McpTelemetryClient client(context.get_executor(), options);
  std::vector<double> micros;
  const auto run_call = [&] {
    bool done = false;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          benchmark::DoNotOptimize(co_await client.async_call_tool(
              std::string(kTool), json::object(), {}, asio::use_awaitable));
        },
        [&](std::exception_ptr error) {
          if (error) state.SkipWithError("call failed");
          done = true;
        });
    while (!done) context.run_one();
  };
  run_call();  // connects
  for (auto _ : state) {
    const auto start = clock_type::now();
    run_call();
    micros.push_back(micros_since(start));
  }
  report_percentiles(state, micros);
  client.close();
  context.run_for(std::chrono::milliseconds(100));
}
BENCHMARK(BM_ToolCallRoundTripCannedServerAwaitable)->UseRealTime()->MinTime(2.0);

void BM_RawEchoRoundTripSameSize(benchmark::State& state) {
  std::size_t size = 0;
  {
    hivemind::testing::MockRelay relay;
    size = tool_call_wire_size(relay.port());
  }
  hivemind::bench::LoopbackServer echo(hivemind::bench::LoopbackServer::Mode::echo_lines);
  RawLineClient client(echo.port());
  const std::string line = std::string(size - 1, 'x') + "\n";
  std::vector<double> micros;
  for (auto _ : state) {
    const auto start = clock_type::now();
    benchmark::DoNotOptimize(client.round_trip(line));
    micros.push_back(micros_since(start));
  }
  state.counters["bytes"] = static_cast<double>(size);
  report_percentiles(state, micros);
}
BENCHMARK(BM_RawEchoRoundTripSameSize)->UseRealTime()->MinTime(2.0);

constexpr int kCallsPerIteration = 2000;

// The throughput benchmarks take the mock backend's time per answer in ms as
// their first argument: 0 measures CPU cost on loopback; 1 is closer to the real
// backend (a Node process), where waiting, not CPU, bounds a one-at-a-time caller.

// The seed's pattern: one request, wait for its answer, then the next.
void BM_OneAtATime(benchmark::State& state) {
  hivemind::testing::MockRelay relay;
  relay.set_response_delay(std::chrono::milliseconds(state.range(0)));
  McpTelemetryClient client(options_for(relay.port()));
  client.connect();
  const int calls = state.range(0) == 0 ? kCallsPerIteration : kCallsPerIteration / 10;
  for (auto _ : state) {
    for (int i = 0; i < calls; ++i) benchmark::DoNotOptimize(client.call_tool(kTool));
  }
  state.SetItemsProcessed(state.iterations() * calls);
}
BENCHMARK(BM_OneAtATime)
    ->ArgName("backend_ms")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Keeps `in_flight` calls outstanding on the one connection until all are answered.
void BM_Pipelined(benchmark::State& state) {
  const auto in_flight = static_cast<int>(state.range(1));
  hivemind::testing::MockRelay relay;
  relay.set_response_delay(std::chrono::milliseconds(state.range(0)));
  auto options = options_for(relay.port());
  options.max_in_flight = static_cast<std::size_t>(in_flight);
  McpTelemetryClient client(options);
  client.connect();
  for (auto _ : state) {
    std::mutex mutex;
    std::condition_variable all_done;
    int completed = 0;
    std::atomic<int> issued{0};
    std::atomic<int> failures{0};
    std::function<void()> issue_next = [&] {
      if (issued.fetch_add(1) >= kCallsPerIteration) return;
      client.async_call_tool(kTool, json::object(), {}, [&](std::exception_ptr error, json) {
        if (error) ++failures;
        issue_next();
        std::lock_guard lock(mutex);
        if (++completed == kCallsPerIteration) all_done.notify_one();
      });
    };
    for (int i = 0; i < in_flight; ++i) issue_next();
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return completed == kCallsPerIteration; });
    if (failures > 0) state.SkipWithError("calls failed");
  }
  state.SetItemsProcessed(state.iterations() * kCallsPerIteration);
}
BENCHMARK(BM_Pipelined)
    ->ArgNames({"backend_ms", "in_flight"})
    ->ArgsProduct({{0, 1}, {1, 16, 64, 256}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Heap bytes held per request awaiting its answer: the server swallows requests,
// so only the client's allocations grow.
void BM_MemoryPerPendingRequest(benchmark::State& state) {
  constexpr std::size_t kPending = 10'000;
  hivemind::bench::LoopbackServer sink(hivemind::bench::LoopbackServer::Mode::swallow);
  auto options = options_for(sink.port());
  options.send_initialize = false;
  options.max_in_flight = kPending;
  options.request_deadline = std::chrono::minutes(10);
  double bytes_per_request = 0;
  for (auto _ : state) {
    McpTelemetryClient client(options);
    client.connect();
    const auto before = mallinfo2().uordblks;
    for (std::size_t i = 0; i < kPending; ++i) {
      client.async_call_tool(kTool, json::object(), {}, [](std::exception_ptr, json) {});
    }
    while (client.pending_requests() < kPending) std::this_thread::yield();
    const auto after = mallinfo2().uordblks;
    bytes_per_request = static_cast<double>(after - before) / kPending;
    client.close();
  }
  state.counters["bytes_per_pending"] = bytes_per_request;
}
BENCHMARK(BM_MemoryPerPendingRequest)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

// --- the echo floor (--echo-floor PATH_TO_hivemind_mcp_echo_server|PORT [IN_FLIGHT...]) ---

// The echo server as a child process, or one already running when `path` is its port.
struct EchoServerProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
  explicit EchoServerProcess(const char* path) {
    if (std::strspn(path, "0123456789") == std::strlen(path)) {
      port = static_cast<std::uint16_t>(std::atoi(path));
      return;
    }
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execl(path, path, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char text[16] = {};
    std::size_t got = 0;
    while (got < sizeof text - 1) {
      const ssize_t n = read(fds[0], text + got, 1);
      if (n <= 0 || text[got] == '\n') break;
      ++got;
    }
    close(fds[0]);
    port = static_cast<std::uint16_t>(std::atoi(text));
  }
  ~EchoServerProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

const std::string kPad(32, 'x');

json echo_arguments(int n) {
  json arguments = json::object();
  arguments["seq"] = n;
  arguments["pad"] = kPad;
  return arguments;
}

std::string echo_params_text(int n) {
  return R"({"name":"echo","arguments":{"seq":)" + std::to_string(n) + R"(,"pad":")" + kPad +
         R"("}})";
}

struct FloorResult {
  double cpu_us_per_call = 0;
  double allocations_per_call = 0;
  double calls_per_second = 0;
};

// `total` calls with `in_flight` outstanding, the client on this thread's io_context.
FloorResult pipelined_floor(std::uint16_t port, bool raw, int in_flight, int total) {
  asio::io_context context(1);
  auto options = options_for(port);
  options.send_initialize = false;
  options.max_in_flight = static_cast<std::size_t>(in_flight);
  McpTelemetryClient client(context.get_executor(), options);
  bool connected = false;
  client.async_connect([&](std::exception_ptr error) {
    if (error) std::abort();
    connected = true;
  });
  while (!connected) context.run_one();
  int issued = 0;
  int completed = 0;
  int failures = 0;
  std::function<void()> issue = [&] {
    if (issued >= total) return;
    const int n = ++issued;
    if (raw) {
      client.async_call_raw("tools/call", echo_params_text(n), {},
                            [&](std::exception_ptr error, std::string) {
                              if (error) ++failures;
                              ++completed;
                              issue();
                            });
    } else {
      client.async_call_tool("echo", echo_arguments(n), {}, [&](std::exception_ptr error, json) {
        if (error) ++failures;
        ++completed;
        issue();
      });
    }
  };
  // Warm-up: grows the pools and buffers to the window.
  const int warm_up = std::min(total / 10, 2000);
  const int measured = total;
  total = warm_up;
  for (int i = 0; i < in_flight; ++i) issue();
  while (completed < warm_up) context.run_one();
  issued = completed = 0;
  total = measured;
  const auto allocations_before = g_allocations.load();
  const double cpu_before = cpu_seconds();
  const auto wall_before = clock_type::now();
  for (int i = 0; i < in_flight; ++i) issue();
  while (completed < total) context.run_one();
  const double wall = std::chrono::duration<double>(clock_type::now() - wall_before).count();
  FloorResult result;
  result.cpu_us_per_call = (cpu_seconds() - cpu_before) * 1e6 / total;
  result.allocations_per_call =
      static_cast<double>(g_allocations.load() - allocations_before) / total;
  result.calls_per_second = total / wall;
  if (failures > 0) std::fprintf(stderr, "%d calls failed\n", failures);
  client.close();
  context.run_for(std::chrono::milliseconds(50));
  return result;
}

double percentile50(std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  return micros[micros.size() / 2];
}

int run_echo_floor(const char* server_path, const std::vector<int>& windows) {
  EchoServerProcess server(server_path);
  if (server.port == 0) {
    std::fprintf(stderr, "echo server did not start\n");
    return 1;
  }
  constexpr int kSequential = 5000;
  // Sequential: a raw blocking Asio client vs the client's call_raw and call_tool, each
  // sending the same request bytes (the id differs in length by a few bytes).
  std::vector<double> raw_asio, client_raw, client_typed;
  {
    RawLineClient raw(server.port);
    const std::string line =
        R"({"jsonrpc":"2.0","id":"0123456789abcdef.0.0","method":"tools/call","params":)" +
        echo_params_text(1) + "}\n";
    for (int i = 0; i < kSequential; ++i) {
      const auto start = clock_type::now();
      benchmark::DoNotOptimize(raw.round_trip(line));
      raw_asio.push_back(micros_since(start));
    }
  }
  {
    asio::io_context context(1);
    auto options = options_for(server.port);
    options.send_initialize = false;
    McpTelemetryClient client(context.get_executor(), options);
    const auto one = [&](bool raw, int n) {
      bool done = false;
      if (raw) {
        client.async_call_raw("tools/call", echo_params_text(n), {},
                              [&](std::exception_ptr error, std::string) {
                                if (error) std::abort();
                                done = true;
                              });
      } else {
        client.async_call_tool("echo", echo_arguments(n), {}, [&](std::exception_ptr error, json) {
          if (error) std::abort();
          done = true;
        });
      }
      while (!done) context.run_one();
    };
    one(true, 0);  // connects
    for (int i = 0; i < kSequential; ++i) {
      const auto start = clock_type::now();
      one(true, i);
      client_raw.push_back(micros_since(start));
    }
    for (int i = 0; i < kSequential; ++i) {
      const auto start = clock_type::now();
      one(false, i);
      client_typed.push_back(micros_since(start));
    }
    client.close();
    context.run_for(std::chrono::milliseconds(50));
  }
  const double raw_p50 = percentile50(raw_asio);
  const double call_raw_p50 = percentile50(client_raw);
  const double typed_p50 = percentile50(client_typed);
  std::printf(
      "sequential p50: raw asio echo %.1f us | call_raw %.1f us (%.2fx) | call_tool %.1f us "
      "(%.2fx)\n",
      raw_p50, call_raw_p50, call_raw_p50 / raw_p50, typed_p50, typed_p50 / raw_p50);
  std::printf("%-8s %9s %12s %12s %12s\n", "path", "in_flight", "cpu_us/call", "allocs/call",
              "calls/s");
  for (const bool raw : {false, true}) {
    for (const int in_flight : windows) {
      const FloorResult result = pipelined_floor(server.port, raw, in_flight, 100'000);
      std::printf("%-8s %9d %12.2f %12.1f %12.0f\n", raw ? "call_raw" : "typed", in_flight,
                  result.cpu_us_per_call, result.allocations_per_call, result.calls_per_second);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  hivemind::set_logger(nullptr);  // the memory benchmark closes with thousands pending
  // --echo-floor SERVER|PORT [IN_FLIGHT...]: the windows default to 16, 64 and 256.
  if (argc >= 3 && std::strcmp(argv[1], "--echo-floor") == 0) {
    std::vector<int> windows;
    for (int i = 3; i < argc; ++i) windows.push_back(std::atoi(argv[i]));
    if (windows.empty()) windows = {16, 64, 256};
    return run_echo_floor(argv[2], windows);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
