// Turning what the relay answered into a value or a typed hivemind::Error. Pure
// functions, shared by every call path.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "mcp/rpc_engine.hpp"

namespace hivemind::mcp_detail {

// The result of `method`, or throws: timeout/connection failures as recorded,
// -32000 "Authentication ..." as auth_failed, "Rate limit exceeded" as rate_limited,
// "Tool execution failed" as tool_failed, other JSON-RPC errors as rpc_error.
nlohmann::json take_result(RpcOutcome outcome, std::string_view method);

// The payload of a `tools/call` result: the JSON inside result.content[0].text (the
// deployed relay), or `result` itself when it already is the payload (the docs).
// Throws tool_failed for {"success": false, "error": ...} and tool_unavailable for
// the relay's fake success for tools it does not implement.
nlohmann::json unwrap_tool_payload(std::string_view tool, const nlohmann::json& result);
// The same from the result's JSON text, parsing only content[0].text when it is there.
nlohmann::json unwrap_tool_result_text(std::string_view tool, std::string_view result_text);

}  // namespace hivemind::mcp_detail
