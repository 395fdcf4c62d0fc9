// Tutorial 5: the MCP relay (port 9500, newline-delimited JSON-RPC 2.0). One connection
// carries every call; the typed helpers return models (SwarmInitResult, AgentInfo, ...),
// call_tool() returns the raw JSON of any other tool. A tool the relay does not have is
// errc::tool_unavailable, not a crash.
//
//   05_mcp     (HIVEMIND_MCP_HOST, HIVEMIND_MCP_PORT, HIVEMIND_MCP_TOKEN: docs/configuration.md)
#include <iostream>

#include <hivemind/hivemind.hpp>

int main() {
  try {
    hivemind::McpTelemetryClient mcp(hivemind::McpOptions::from_environment());
    mcp.connect();  // initialize handshake (and auth, with a token)
    const auto tools = mcp.list_tools();
    std::cout << "relay offers " << tools.size() << " tools\n";

    const auto swarm = mcp.swarm_init({.topology = "mesh", .max_agents = 4, .strategy = {}});
    std::cout << "swarm " << swarm.swarm_id << " (" << swarm.topology << ")\n";
    for (const char* type : {"researcher", "coder"}) {
      const auto agent = mcp.agent_spawn(
          {.type = type, .name = {}, .capabilities = {}, .swarm_id = swarm.swarm_id});
      std::cout << "  spawned " << agent.type << " agent " << agent.agent_id << "\n";
    }
    const auto agents = mcp.agent_list(swarm.swarm_id);
    std::cout << "swarm " << swarm.swarm_id << " has " << agents.agents.size() << " agents\n";
    mcp.close();
    return 0;
  } catch (const hivemind::Error& e) {
    std::cerr << "error [" << hivemind::to_string(e.kind().value_or(hivemind::errc::protocol_error))
              << "]: " << e.what() << "\n";
    return 2;
  }
}
