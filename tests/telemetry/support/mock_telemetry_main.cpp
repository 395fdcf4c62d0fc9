// The port-3002 mock as a standalone server, for demos (examples/06_telemetry)
// and manual runs:
//   hivemind_mock_telemetry [--port N] [--relay] [--agents N] [--rate HZ]
//                           [--sessions a,b,c] [--token T] [--chunk N] [--noise]
#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "mock_telemetry_server.hpp"

namespace {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const auto comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  hivemind::testing::MockTelemetryOptions options;
  options.port = 3002;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--relay") {
      options.protocol = hivemind::testing::MockTelemetryOptions::Protocol::relay;
    } else if (flag == "--noise") {
      options.log_noise = true;
    } else if (flag == "--port" && has_value) {
      options.port = static_cast<std::uint16_t>(std::stoi(argv[++i]));
    } else if (flag == "--agents" && has_value) {
      options.agents = std::stoi(argv[++i]);
    } else if (flag == "--rate" && has_value) {
      options.rate_hz = std::stod(argv[++i]);
    } else if (flag == "--sessions" && has_value) {
      options.sessions = split_commas(argv[++i]);
    } else if (flag == "--token" && has_value) {
      options.token = argv[++i];
    } else if (flag == "--chunk" && has_value) {
      options.chunk_size = static_cast<std::size_t>(std::stoul(argv[++i]));
    } else {
      std::cerr << "usage: " << argv[0]
                << " [--port N] [--relay] [--agents N] [--rate HZ] [--sessions a,b]"
                   " [--token T] [--chunk N] [--noise]\n";
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's thread starts

  hivemind::testing::MockTelemetryServer server(options);
  std::cout << "mock telemetry server on ws://127.0.0.1:" << server.port() << "/ ("
            << (options.protocol == hivemind::testing::MockTelemetryOptions::Protocol::relay
                    ? "relay"
                    : "subscribe stream")
            << ")" << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
