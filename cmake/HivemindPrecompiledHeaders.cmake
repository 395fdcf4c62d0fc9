# Precompiled headers: nearly every translation unit includes Asio's coroutine machinery,
# nlohmann::json and spdlog (the tests GoogleTest too), and parsing them again in each of
# ~150 translation units was most of the build's time on two cores.
#
# Two precompiled headers serve the whole tree: the library's own, reused by the tools and
# the examples, and one for the tests (the same headers plus GoogleTest). A target can reuse
# a precompiled header only when it is compiled with the same flags, so the reusers link the
# same interface targets (hivemind, hivemind_warnings) and add no optimisation flags.
option(HIVEMIND_PCH "Precompile the third-party headers most sources include" ON)

set(HIVEMIND_PCH_HEADERS
  <algorithm> <chrono> <cstddef> <cstdint> <exception> <filesystem> <functional> <map>
  <memory> <mutex> <optional> <string> <string_view> <system_error> <thread> <utility>
  <vector>
  <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp>
  <boost/asio/bind_cancellation_slot.hpp> <boost/asio/cancellation_signal.hpp>
  <boost/asio/co_spawn.hpp> <boost/asio/detached.hpp> <boost/asio/io_context.hpp>
  <boost/asio/post.hpp> <boost/asio/steady_timer.hpp> <boost/asio/this_coro.hpp>
  <boost/asio/use_awaitable.hpp> <boost/asio/use_future.hpp>
  <nlohmann/json.hpp> <spdlog/spdlog.h>)

# The library's precompiled header (the tools and examples reuse it).
function(hivemind_precompile_library target)
  if(HIVEMIND_PCH)
    target_precompile_headers(${target} PRIVATE ${HIVEMIND_PCH_HEADERS})
  endif()
endfunction()

# The tests' precompiled header lives on a small target of its own; every test target
# (and test support library) reuses it.
function(hivemind_precompile_tests_from target)
  if(HIVEMIND_PCH)
    target_precompile_headers(${target} PRIVATE ${HIVEMIND_PCH_HEADERS}
                              <gtest/gtest.h> <gmock/gmock.h>)
  endif()
endfunction()

function(hivemind_reuse_precompiled_headers from)
  if(HIVEMIND_PCH)
    foreach(target IN LISTS ARGN)
      target_precompile_headers(${target} REUSE_FROM ${from})
    endforeach()
  endif()
endfunction()
