// Invariant checks for the fuzz targets: a broken invariant aborts with a message, so
// libFuzzer keeps the input as a crash just like a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "hivemind/common/error.hpp"

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

// Runs `call`: true when it returns, false when it throws hivemind::Error of kind
// `expected`; any other kind breaks the invariant (other exceptions escape and crash).
template <class Call>
bool succeeds_or_throws(hivemind::errc expected, Call&& call) {
  try {
    std::forward<Call>(call)();
    return true;
  } catch (const hivemind::Error& error) {
    FUZZ_CHECK(error.code() == expected);
    return false;
  }
}
