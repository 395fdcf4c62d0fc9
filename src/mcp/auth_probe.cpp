// McpOptions::verify_auth: after the handshake, one `tools/list` tells whether the relay
// accepts this client. Not `ping`: the backend answers it with -32601 even when the
// client is authenticated (container-contract.md §2).
#include <utility>

#include "mcp/client_core.hpp"

namespace hivemind::mcp_detail {

boost::asio::awaitable<void> ClientCore::probe_auth(std::shared_ptr<Connection> connection) {
  if (!options_.verify_auth) co_return;
  const auto deadline = clock::now() + options_.connect_deadline;
  co_await pace(deadline);
  nlohmann::json params = nlohmann::json::object();
  std::exception_ptr rejected;
  try {
    co_await request(std::move(connection), "tools/list", std::move(params), deadline);
  } catch (const Error& error) {
    if (error.kind() != errc::auth_failed) throw;
    const std::string hint = options_.token.empty()
                                 ? "HIVEMIND_MCP_TOKEN (McpOptions::token) is not set"
                                 : "check HIVEMIND_MCP_TOKEN (McpOptions::token)";
    rejected = std::make_exception_ptr(Error(
        errc::auth_failed, "the MCP relay rejected the client (" + hint + "): " + error.what(),
        error.context()));
  }
  if (rejected) std::rethrow_exception(rejected);
}

}  // namespace hivemind::mcp_detail
