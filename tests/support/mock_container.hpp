// Test fixture support: one private mock container (tests/mock) per test, rooted in
// a fresh temporary directory, and the ClientOptions that point the SDK at it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/control/client_options.hpp"
#include "hivemind/control/hivemind_client.hpp"

namespace hivemind::testing {

class MockContainer {
 public:
  MockContainer();
  ~MockContainer();
  MockContainer(const MockContainer&) = delete;
  MockContainer& operator=(const MockContainer&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path host_ext_dir() const { return root_ / "workspace" / "ext"; }
  std::filesystem::path session_dir(const std::string& uuid) const;

  // Options for a client of this container: fast retries, short deadlines.
  ClientOptions options() const;

  // Switches of tests/mock/mock-container: "stopped", "hang", "garbage",
  // "daemon-down", "real-exec", "rendezvous-get" (another name throws).
  void set_switch(const std::string& name, bool on) const;
  // Runs `tests/mock/mock-container VERB` against this container (e.g. "restart").
  void control(const std::string& verb) const;
  // Runs the session manager directly, bypassing the SDK (to plant what other clients do).
  std::string run_script(const std::vector<std::string>& args) const;

  // Every docker invocation so far, each the argv after `docker`.
  std::vector<std::vector<std::string>> invocations() const;
  // How many invocations ran `verb` of the session manager.
  std::size_t count_verb(const std::string& verb) const;

 private:
  std::filesystem::path root_;
};

// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(20));

// The PIDs of this process's live or unreaped children.
std::vector<int> child_processes();

}  // namespace hivemind::testing
