// Test support: what a test could leak outside the heap (ASan covers the heap). A
// LeakCheck takes a snapshot of the test process's open file descriptors and live
// descendant processes; settled() waits until both are back to it.
#pragma once

#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hivemind::testing {

// Open descriptors of this process, each "FD -> TARGET" (the listing's own one excluded).
std::vector<std::string> open_fds();
std::size_t open_fd_count();

// Processes descended from this one that are still alive, plus its own unreaped
// (zombie) children: those are this process's to reap. Zombie grandchildren are not
// counted: their parent reaps them, or, once orphaned, PID 1 (which does not on
// every machine).
std::set<int> live_descendants();

class LeakCheck {
 public:
  LeakCheck();

  // Waits up to `patience` until no more descriptors are open than at the snapshot and
  // no descendant is alive that was not then; the failure names what is left over.
  ::testing::AssertionResult settled(
      std::chrono::milliseconds patience = std::chrono::seconds(20)) const;

  std::size_t fds_at_start() const { return fds_; }

 private:
  std::string leftovers() const;

  std::size_t fds_;
  std::set<int> processes_;
};

}  // namespace hivemind::testing
