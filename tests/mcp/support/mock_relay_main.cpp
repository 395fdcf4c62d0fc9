// hivemind_mock_relay: the test suite's mock MCP relay as a standalone program, for
// demos against a machine without the container. Prints the port it listens on
// (alone on the first line of stdout) and runs until SIGINT/SIGTERM.
//
//   hivemind_mock_relay [--port N] [--token T] [--rate-limit EVENTS_PER_MIN]
//                       [--max-age DURATION] [--documented-tools]
// DURATION: 500ms, 30s, 5m (a plain number means seconds).
#include <pthread.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "mock_relay.hpp"

namespace {

std::chrono::milliseconds parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const long value = std::stol(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit == "m") return std::chrono::minutes(value);
  if (unit.empty() || unit == "s") return std::chrono::seconds(value);
  throw std::invalid_argument("bad duration unit: " + std::string(unit));
}

[[noreturn]] void usage(const char* program) {
  std::cerr << "usage: " << program
            << " [--port N] [--token T] [--rate-limit EVENTS_PER_MIN] [--max-age DURATION]"
               " [--documented-tools]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  hivemind::testing::MockRelayOptions options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view flag = argv[i];
      const auto value = [&]() -> std::string {
        if (i + 1 >= argc) usage(argv[0]);
        return argv[++i];
      };
      if (flag == "--port") {
        options.port = static_cast<std::uint16_t>(std::stoi(value()));
      } else if (flag == "--token") {
        options.token = value();
      } else if (flag == "--rate-limit") {
        options.rate_limit = true;
        options.rate_limit_events = std::stoi(value());
      } else if (flag == "--max-age") {
        options.max_age = parse_duration(value());
      } else if (flag == "--documented-tools") {
        options.documented_session_tools = true;
      } else {
        usage(argv[0]);
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "bad argument: " << error.what() << '\n';
    usage(argv[0]);
  }

  // Block the signals before the relay's thread starts, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  hivemind::testing::MockRelay relay(options);
  std::cout << relay.port() << std::endl;
  std::cerr << "mock MCP relay listening on 127.0.0.1:" << relay.port()
            << (options.token.empty() ? "" : " (authentication required)") << '\n';
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
