// Runs a program (hivectl, an example) as a subprocess for the tests: its own
// environment, stdout and stderr captured separately, SIGINT on demand, and a limit
// after which it is killed (so a hanging program fails its test instead of the suite).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hivemind::testing {

using Environment = std::vector<std::pair<std::string, std::string>>;

struct ProgramResult {
  int exit_code = -1;  // 128 + N when killed by signal N
  std::string out;
  std::string err;
};

class ChildProgram {
 public:
  // The environment is this process's, without HIVEMIND_* variables, plus `environment`.
  ChildProgram(const std::string& program, const std::vector<std::string>& args,
               const Environment& environment);
  ~ChildProgram();  // kills and reaps a program still running
  ChildProgram(const ChildProgram&) = delete;
  ChildProgram& operator=(const ChildProgram&) = delete;

  // What the program has written to stdout / stderr so far.
  std::string out_so_far() const;
  std::string err_so_far() const;
  void send_signal(int signal_number) const;
  // Waits for the exit (killing it past `limit`) and for its output to end.
  ProgramResult finish(std::chrono::milliseconds limit = std::chrono::seconds(90));

 private:
  struct State;
  std::unique_ptr<State> state_;
};

ProgramResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const Environment& environment);

// The command lines of the live processes of the mock container at `root`: the fake
// docker CLIs (MOCK_ROOT=root in their environment) and what they started
// (HIVE_MOCK_ROOT=root, as mock-container recognises them). Includes any live program
// started with the test's environment, which holds MOCK_ROOT too.
std::vector<std::string> mock_container_processes(const std::string& root);

}  // namespace hivemind::testing
