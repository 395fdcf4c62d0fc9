// Request ids for the MCP relay, which routes a response to the first client with a
// pending request of that id: ids must be unique across clients and processes, and
// never falsy (0, "" or absent would make the relay broadcast the response).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace hivemind::mcp_detail {

class RequestIdGenerator {
 public:
  // Draws a random 64-bit prefix, so two generators (clients, processes) never
  // produce the same id in practice.
  RequestIdGenerator();
  explicit RequestIdGenerator(std::string prefix);

  // "<prefix>-<counter>", the counter starting at 1. Thread-safe.
  std::string next();
  const std::string& prefix() const noexcept { return prefix_; }

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace hivemind::mcp_detail
