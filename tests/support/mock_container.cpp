#include "mock_container.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace hivemind::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kMockDir = HIVEMIND_MOCK_DIR;

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  if (::pclose(pipe) == -1) throw std::runtime_error("pclose failed: " + command);
  return output;
}

}  // namespace

MockContainer::MockContainer() {
  std::random_device random;
  root_ = fs::temp_directory_path() /
          ("hivemind-mock-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  fs::create_directories(root_);
  control("init");
}

MockContainer::~MockContainer() {
  std::error_code ignored;
  control("kill-all");
  fs::remove_all(root_, ignored);
}

fs::path MockContainer::session_dir(const std::string& uuid) const {
  return root_ / "workspace" / ".swarm" / "sessions" / uuid;
}

ClientOptions MockContainer::options() const {
  ClientOptions options;
  options.cli = (kMockDir / "bin" / "docker").string();
  options.cli_environment = {{"MOCK_ROOT", root_.string()},
                             {"MOCK_DOCKER_LOG", (root_ / "invocations.log").string()},
                             {"MOCK_AGENT_SECONDS", "0.2"}};
  options.call_timeout = std::chrono::seconds(20);
  options.retry.initial_delay = std::chrono::milliseconds(10);
  options.retry.max_delay = std::chrono::milliseconds(50);
  options.host_ext_dir = host_ext_dir();
  return options;
}

void MockContainer::set_switch(const std::string& name, bool on) const {
  // mock-container's verbs for each switch: {on, off}.
  static const std::map<std::string, std::pair<std::string, std::string>> verbs{
      {"stopped", {"stop", "start"}},
      {"hang", {"hang", "unhang"}},
      {"garbage", {"garbage", "ungarbage"}},
      {"real-exec", {"real-exec", "mock-exec"}},
      {"rendezvous-get", {"rendezvous-get", "no-rendezvous"}},
      {"daemon-down", {"daemon-down", "daemon-up"}}};
  const auto verb = verbs.find(name);
  if (verb == verbs.end()) throw std::invalid_argument("no mock container switch " + name);
  control(on ? verb->second.first : verb->second.second);
}

void MockContainer::control(const std::string& verb) const {
  run_command("MOCK_ROOT=" + shell_quote(root_.string()) + " " +
              shell_quote((kMockDir / "mock-container").string()) + " " + verb + " 2>&1");
}

std::string MockContainer::run_script(const std::vector<std::string>& args) const {
  std::string command = "MOCK_ROOT=" + shell_quote(root_.string()) + " " +
                        shell_quote((kMockDir / "bin" / "docker").string()) +
                        " exec multi-agent-container /app/scripts/hive-session-manager.sh";
  for (const auto& arg : args) {
    // Two appends, not `" " + quoted`: GCC 12 at -O2 warns (-Wstringop-overflow, a false
    // positive) on that temporary.
    command += ' ';
    command += shell_quote(arg);
  }
  return run_command(command + " 2>/dev/null");
}

std::vector<std::vector<std::string>> MockContainer::invocations() const {
  std::vector<std::vector<std::string>> calls;
  std::ifstream log(root_ / "invocations.log");
  for (std::string line; std::getline(log, line);) {
    if (!line.empty()) calls.push_back(nlohmann::json::parse(line).get<std::vector<std::string>>());
  }
  return calls;
}

std::size_t MockContainer::count_verb(const std::string& verb) const {
  std::size_t count = 0;
  for (const auto& call : invocations()) {
    for (std::size_t i = 0; i + 1 < call.size(); ++i) {
      if (call[i].ends_with("hive-session-manager.sh") && call[i + 1] == verb) ++count;
    }
  }
  return count;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::vector<int> child_processes() {
  std::vector<int> children;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream file(task.path() / "children");
    for (int pid; file >> pid;) children.push_back(pid);
  }
  return children;
}

}  // namespace hivemind::testing
