// Many sessions watched together: one SessionWatcher polls `list` once per tick for all
// of them, their metrics come from the MCP relay in one pipelined batch per tick, and
// each session is dropped from the watch as soon as it has finished.
//
//   multi_session_monitor [TASK...]   (default: three tasks, one of which crashes)
#include <chrono>
#include <future>
#include <iostream>
#include <map>

#include <boost/asio/use_future.hpp>
#include <hivemind/hivemind.hpp>

namespace {

using namespace std::chrono_literals;

class MultiSessionMonitor {
 public:
  MultiSessionMonitor(hivemind::HiveMindClient client, hivemind::McpTelemetryClient& mcp)
      : watcher_(std::move(client), watcher_options()), mcp_(mcp) {}

  void add(const hivemind::SessionHandle& session) {
    live_.emplace(session.uuid(), watcher_.async_wait(session.uuid(), boost::asio::use_future));
  }

  // Until every session has finished: print the metrics of the live ones, then drop the
  // ones that finished. Returns the outcome of each session.
  std::map<std::string, std::string> run(std::chrono::milliseconds tick) {
    std::map<std::string, std::string> finished;
    while (!live_.empty()) {
      print_metrics();
      // The first live session's result, or the tick, whichever comes first.
      live_.begin()->second.wait_for(tick);
      for (auto it = live_.begin(); it != live_.end();) {
        if (it->second.wait_for(0s) != std::future_status::ready) {
          ++it;
          continue;
        }
        finished[it->first] = describe(it->second);
        std::cout << "finished " << it->first << ": " << finished[it->first] << "\n";
        it = live_.erase(it);
      }
    }
    return finished;
  }

 private:
  static hivemind::WatcherOptions watcher_options() {
    hivemind::WatcherOptions options;
    options.interval = 500ms;
    options.liveness_interval = 2s;
    return options;
  }

  static std::string describe(std::future<hivemind::WaitResult>& result) {
    try {
      return std::string(hivemind::to_string(result.get().outcome));
    } catch (const hivemind::Error& error) {
      return std::string("error: ") + error.what();
    }
  }

  void print_metrics() {
    std::vector<std::string> ids;
    for (const auto& [id, result] : live_) ids.push_back(id);
    for (const auto& entry : mcp_.query_many(ids)) {
      std::cout << "  " << entry.session_id.substr(0, 8) << ": ";
      if (entry.metrics) {
        std::cout << entry.metrics->agents.size() << " agents, " << entry.metrics->tasks.completed
                  << "/" << entry.metrics->tasks.total << " tasks done\n";
        continue;
      }
      try {
        std::rethrow_exception(entry.error);
      } catch (const hivemind::Error& error) {
        std::cout << "no metrics (" << hivemind::to_string(*error.kind()) << ")\n";
      }
    }
  }

  hivemind::SessionWatcher watcher_;
  hivemind::McpTelemetryClient& mcp_;
  std::map<std::string, std::future<hivemind::WaitResult>> live_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> tasks(argv + 1, argv + argc);
  if (tasks.empty()) {
    // Tokens of the mock container's fake agent: run time and exit code.
    tasks = {"Write the parser #sleep=1", "Write the tests #sleep=2",
             "Write the docs, then crash #sleep=0.5 #exit=3"};
  }
  try {
    const hivemind::HiveMindClient client(hivemind::ClientOptions::from_environment());
    hivemind::McpTelemetryClient mcp(hivemind::McpOptions::from_environment());
    MultiSessionMonitor monitor(client, mcp);
    for (const auto& task : tasks) {
      const auto session = client.spawn_task(task);
      std::cout << "watching " << session.uuid() << " (" << task << ")\n";
      monitor.add(session);
    }
    const auto outcomes = monitor.run(1s);
    std::map<std::string, int> counts;
    for (const auto& [id, outcome] : outcomes) ++counts[outcome];
    std::cout << "all " << outcomes.size() << " sessions finished: " << counts["completed"]
              << " completed, " << counts["dead"] << " dead\n";
    return 0;
  } catch (const hivemind::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
