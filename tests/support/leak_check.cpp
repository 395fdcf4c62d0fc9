#include "support/leak_check.hpp"
#include "support/proc_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace hivemind::testing {
namespace {

namespace fs = std::filesystem;

struct ProcessEntry {
  int ppid = 0;
  char state = '?';
};

// /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM may hold spaces and parentheses,
// so the fields are read after the last ')'.
bool read_stat(const fs::path& stat_file, ProcessEntry& entry) {
  std::ifstream file(stat_file);
  std::string line;
  if (!std::getline(file, line)) return false;
  const auto end_of_comm = line.rfind(')');
  if (end_of_comm == std::string::npos) return false;
  std::istringstream fields(line.substr(end_of_comm + 1));
  return static_cast<bool>(fields >> entry.state >> entry.ppid);
}

std::map<int, ProcessEntry> process_table() {
  std::map<int, ProcessEntry> table;
  std::error_code ignored;
  for (const auto& dir : fs::directory_iterator("/proc", ignored)) {
    const auto name = dir.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; }))
      continue;
    ProcessEntry entry;
    // A process may exit between the listing and the read: then it is simply gone.
    if (read_stat(dir.path() / "stat", entry)) table.emplace(std::stoi(name), entry);
  }
  return table;
}

std::string describe(int pid) {
  std::string command = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(command.begin(), command.end(), '\0', ' ');
  return std::to_string(pid) + " (" + command + ")";
}

}  // namespace

std::vector<std::string> open_fds() {
  std::vector<std::string> fds;
  const auto listing = fs::path("/proc") / std::to_string(::getpid()) / "fd";
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code gone;  // closed by another thread meanwhile
    const auto target = fs::read_symlink(entry.path(), gone);
    if (gone || target == listing) continue;
    fds.push_back(entry.path().filename().string() + " -> " + target.string());
  }
  return fds;
}

std::size_t open_fd_count() {
  return open_fds().size();
}

std::set<int> live_descendants() {
  const auto table = process_table();
  const int self = ::getpid();
  std::set<int> found;
  std::vector<int> frontier{self};
  while (!frontier.empty()) {
    const int parent = frontier.back();
    frontier.pop_back();
    for (const auto& [pid, entry] : table) {
      if (entry.ppid != parent) continue;
      frontier.push_back(pid);
      if (entry.state != 'Z' || parent == self) found.insert(pid);
    }
  }
  return found;
}

LeakCheck::LeakCheck() : fds_(open_fd_count()), processes_(live_descendants()) {}

std::string LeakCheck::leftovers() const {
  std::string text;
  const auto fds = open_fd_count();
  if (fds > fds_) {
    text += std::to_string(fds - fds_) + " more open descriptor(s) than at the start (" +
            std::to_string(fds_) + " then, " + std::to_string(fds) + " now):";
    for (const auto& fd : open_fds()) text += " [" + fd + "]";
  }
  for (const int pid : live_descendants()) {
    if (processes_.contains(pid)) continue;
    text += (text.empty() ? "" : "; ") + std::string("process left: ") + describe(pid);
  }
  return text;
}

::testing::AssertionResult LeakCheck::settled(std::chrono::milliseconds patience) const {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    const auto left = leftovers();
    if (left.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << "leaked: " << left;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace hivemind::testing
