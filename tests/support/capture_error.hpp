// Runs an action that must throw hivemind::Error and returns the error for inspection.
#pragma once

#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"

namespace hivemind::testing {

template <class Action>
Error capture_error(Action action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no hivemind::Error thrown";
  return Error(errc::docker_exec_failed, "none");
}

}  // namespace hivemind::testing
