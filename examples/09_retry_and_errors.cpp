// The integration guide's error enum and retry helper, on top of the SDK's typed errors:
// every failure is a hivemind::Error whose errc says what happened, so the application
// maps it to its own categories and retries only what is worth retrying.
#include <chrono>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

#include <hivemind/hivemind.hpp>

namespace {

using namespace std::chrono_literals;

// The guide's IntegrationError, with the SDK error that caused it.
enum class IntegrationError {
  docker_exec,
  session_not_found,
  mcp_connection,
  timeout,
  task_failed,
  other
};

const char* to_string(IntegrationError error) {
  switch (error) {
    case IntegrationError::docker_exec:
      return "DockerExec";
    case IntegrationError::session_not_found:
      return "SessionNotFound";
    case IntegrationError::mcp_connection:
      return "McpConnection";
    case IntegrationError::timeout:
      return "Timeout";
    case IntegrationError::task_failed:
      return "TaskFailed";
    case IntegrationError::other:
      return "Other";
  }
  return "Other";
}

IntegrationError classify(const hivemind::Error& error) {
  using hivemind::errc;
  switch (error.kind().value_or(errc::docker_exec_failed)) {
    case errc::docker_exec_failed:
    case errc::container_unavailable:
      return IntegrationError::docker_exec;
    case errc::session_not_found:
      return IntegrationError::session_not_found;
    case errc::connection_failed:
    case errc::connection_lost:
    case errc::auth_failed:
      return IntegrationError::mcp_connection;
    case errc::timeout:
      return IntegrationError::timeout;
    case errc::task_failed:
      return IntegrationError::task_failed;
    default:
      return IntegrationError::other;
  }
}

// Worth another attempt: the container or the relay was unreachable, or a call timed out.
// Bad input, unknown sessions and failed tasks fail the same way every time.
bool is_transient(const hivemind::Error& error) {
  using hivemind::errc;
  const auto kind = error.kind();
  return kind == errc::container_unavailable || kind == errc::connection_failed ||
         kind == errc::connection_lost || kind == errc::timeout || kind == errc::rate_limited;
}

// The guide's with_retry: up to max_attempts, doubling the delay after each failure.
template <class Operation>
auto with_retry(Operation operation, int max_attempts, std::chrono::milliseconds first_delay) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto result = operation(attempt);
      std::cout << "retry: succeeded after " << attempt << " attempts\n";
      return result;
    } catch (const hivemind::Error& error) {
      if (attempt == max_attempts || !is_transient(error)) throw;
      const auto delay = first_delay * (1 << (attempt - 1));
      std::cout << "retry: attempt " << attempt << " failed [" << to_string(classify(error))
                << " / " << hivemind::to_string(*error.kind()) << "], next in " << delay.count()
                << " ms\n";
      std::this_thread::sleep_for(delay);
    }
  }
}

// Runs `action` and prints the IntegrationError it fails with.
void show(const std::string& what, const std::function<void()>& action) {
  try {
    action();
    std::cout << what << ": no error\n";
  } catch (const hivemind::Error& error) {
    std::cout << what << ": " << to_string(classify(error)) << " ("
              << hivemind::to_string(*error.kind()) << (is_transient(error) ? ", transient" : "")
              << "): " << error.what() << "\n";
  }
}

}  // namespace

int main() {
  try {
    const auto options = hivemind::ClientOptions::from_environment();
    const hivemind::HiveMindClient client(options);

    show("bad task text", [&] { client.create("it's got a quote"); });
    show("unknown session", [&] { client.status("00000000-0000-4000-8000-000000000000"); });
    show("relay unreachable", [&] {
      auto mcp_options = hivemind::McpOptions::from_environment();
      mcp_options.port = 1;  // nothing listens there
      mcp_options.reconnect.max_attempts = 1;
      hivemind::McpTelemetryClient(mcp_options).list_tools();
    });

    const auto session = client.spawn_task("A long task #sleep=60");
    show("waiting past a deadline", [&] {
      hivemind::WaitOptions wait;
      wait.initial_interval = 100ms;
      wait.timeout = 1s;
      session.wait_for_completion(wait);
    });
    session.cancel();

    const auto crashing = client.spawn_task("A task that crashes #exit=3");
    show("a task that crashed", [&] {
      hivemind::WaitOptions wait;
      wait.initial_interval = 100ms;
      wait.liveness_interval = 1s;
      const auto result = crashing.wait_for_completion(wait);
      if (result.outcome != hivemind::WaitOutcome::completed) {
        throw hivemind::Error(
            hivemind::errc::task_failed,
            std::string(hivemind::to_string(result.outcome)) + ": " + result.evidence);
      }
    });

    // A status check through a container that is unavailable for the first two attempts
    // (simulated by pointing those attempts at a container name that does not exist).
    const auto status = with_retry(
        [&](int attempt) {
          auto attempt_options = options;
          if (attempt < 3) attempt_options.container = "restarting-container";
          attempt_options.retry.max_attempts = 1;  // this example retries by itself
          return hivemind::HiveMindClient(attempt_options).status(session.uuid());
        },
        5, 50ms);
    std::cout << "status after retry: " << status.text() << "\n";
    return 0;
  } catch (const hivemind::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
