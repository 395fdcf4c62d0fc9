// Tutorial 2: spawn and wait. Spawns a task (create + a detached start), then waits for
// its end with exponential backoff, printing each status change. A session whose status
// still says running but whose process is gone ends as `dead`, not as a hang.
//
//   02_spawn_and_wait ["Build a Rust CLI tool for parsing log files"]
#include <chrono>
#include <cstdio>
#include <iostream>

#include <hivemind/hivemind.hpp>

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  const std::string task = argc > 1 ? argv[1] : "Build a Rust CLI tool for parsing log files";
  try {
    const hivemind::HiveMindClient client(hivemind::ClientOptions::from_environment());
    const auto session = client.spawn_task(task, hivemind::Priority::high,
                                           {{"project", "log-parser"}, {"requester", "demo"}});
    std::cout << "spawned session " << session.uuid() << "\n";

    const auto started = std::chrono::steady_clock::now();
    hivemind::WaitOptions wait;
    wait.initial_interval = 250ms;
    wait.max_interval = 2s;
    wait.liveness_interval = 2s;
    wait.timeout = 10min;
    wait.on_status_change = [&](const hivemind::SessionStatus& status) {
      const auto elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
      std::printf("  [%6.2fs] %s\n", elapsed.count(), status.text().c_str());
    };
    const auto result = session.wait_for_completion(wait);
    std::cout << "session ended: " << hivemind::to_string(result.outcome) << "\n";

    if (result.outcome != hivemind::WaitOutcome::completed) {
      std::cout << "  " << result.evidence << "\n  log: " << result.metadata.log_file << "\n";
      return 1;
    }
    return 0;
  } catch (const hivemind::Error& e) {
    std::cerr << "error [" << hivemind::to_string(e.kind().value_or(hivemind::errc::protocol_error))
              << "]: " << e.what() << "\n";
    return 2;
  }
}
