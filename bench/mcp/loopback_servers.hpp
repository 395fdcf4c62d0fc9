// Baselines for the MCP benchmarks, on 127.0.0.1 and their own thread: a line
// echo server (the floor for one round trip of a given size), a responder that
// answers every request with a canned tools/call result carrying the request's
// id (a relay that costs no more than the echo), and a sink that reads and never
// answers (to hold requests pending without a relay's heap in the measurement).
#pragma once

#include <cstdint>
#include <memory>

namespace hivemind::bench {

class LoopbackServer {
 public:
  enum class Mode { echo_lines, canned_tool_results, swallow };
  explicit LoopbackServer(Mode mode);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hivemind::bench
