// Latency of `status` and `list` against a real container, in this process, through each
// transport of the SDK: the Docker Engine API and the docker CLI. Run by
// tests/engine/measure_latency.sh next to its baseline (bare `docker exec` from a shell loop).
//   hivemind_engine_latency UUID N       (container, CLI and DOCKER_HOST from HIVEMIND_*/env)
// Prints one line per series: "LABEL median MS p90 MS (n=N)".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "hivemind/control/hivemind_client.hpp"

namespace {

void series(const char* label, int runs, const std::function<void()>& call) {
  call();  // warm-up: API version, pooled connection
  std::vector<double> milliseconds;
  for (int i = 0; i < runs; ++i) {
    const auto started = std::chrono::steady_clock::now();
    call();
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  std::printf("%-28s median %7.1f ms   p90 %7.1f ms   (n=%d)\n", label,
              milliseconds[milliseconds.size() / 2],
              milliseconds[std::min(milliseconds.size() - 1, milliseconds.size() * 9 / 10)], runs);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s UUID RUNS\n", argv[0]);
    return 2;
  }
  const std::string uuid = argv[1];
  const int runs = std::max(1, std::atoi(argv[2]));
  for (const auto transport :
       {hivemind::ContainerTransport::engine_api, hivemind::ContainerTransport::cli}) {
    auto options = hivemind::ClientOptions::from_environment();
    options.transport = transport;
    const hivemind::HiveMindClient client(options);
    const std::string name(hivemind::to_string(transport));
    series(("status: SDK " + name).c_str(), runs, [&] { client.status(uuid); });
    series(("list: SDK " + name).c_str(), runs, [&] { client.list(); });
  }
  return 0;
}
