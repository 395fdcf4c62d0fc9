// The shared MCP backend behind the mock relay: answers one JSON-RPC request as the
// deployed claude-flow backend does (tools/list, tools/call with MCP-shaped
// results, fake success for unknown tools, -32601 for other methods). No I/O.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivemind::testing {

class MockBackend {
 public:
  explicit MockBackend(bool documented_session_tools)
      : documented_session_tools_(documented_session_tools) {}

  // The full response line's object ({"jsonrpc","id","result"|"error"}) for a
  // request with an id; the id-less error the backend broadcasts for a notification.
  nlohmann::json handle(const nlohmann::json& request);

  // The next tools/call of `tool` fails with -32000 "Tool execution failed".
  void fail_next_call(const std::string& tool, const std::string& message);

 private:
  nlohmann::json call_tool(const std::string& name, const nlohmann::json& arguments);
  nlohmann::json documented_session_tool(const std::string& name, const nlohmann::json& arguments);
  nlohmann::json tools_list() const;

  bool documented_session_tools_;
  std::map<std::string, std::string> failing_tools_;
  std::string active_swarm_;
  std::string topology_;
  std::vector<nlohmann::json> agents_;
  std::vector<nlohmann::json> tasks_;
  std::map<std::string, nlohmann::json> memory_;
  int next_serial_ = 1;
};

}  // namespace hivemind::testing
