// WaitOptions that poll fast so that tests finish quickly; the semantics are the defaults'.
#pragma once

#include <chrono>

#include "hivemind/control/wait_options.hpp"

namespace hivemind::testing {

inline WaitOptions quick_wait_options() {
  using namespace std::chrono_literals;
  WaitOptions options;
  options.initial_interval = 20ms;
  options.max_interval = 100ms;
  options.liveness_interval = 50ms;
  options.timeout = 30s;
  return options;
}

}  // namespace hivemind::testing
