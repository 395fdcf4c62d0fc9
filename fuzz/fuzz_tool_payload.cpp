// tools/call results: unwrapping yields the payload or a typed Error (tool_failed,
// tool_unavailable); every typed model either parses the payload or fails with a
// nlohmann::json::exception (which call_tool_as turns into protocol_error), and what
// a model writes back parses to the same model.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/mcp/mcp_models.hpp"
#include "mcp/rpc_result.hpp"

namespace {

using namespace hivemind;
using nlohmann::json;

template <class Model>
void check_model(const json& payload) {
  Model model;
  try {
    model = payload.get<Model>();
  } catch (const json::exception&) {
    return;  // reported to the application as protocol_error
  }
  const json written = model;
  const json rewritten = written.get<Model>();
  FUZZ_CHECK(rewritten == written);
}

template <class... Models>
void check_models(const json& payload) {
  (check_model<Models>(payload), ...);
  // Lists of models, as tools/list and the list tools return them.
  (check_model<std::vector<Models>>(payload), ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The tool name comes first, up to a NUL; the rest is the JSON-RPC `result`.
  const auto separator = input.find('\0');
  const std::string tool(input.substr(0, separator == input.npos ? 0 : separator));
  const json result =
      json::parse(separator == input.npos ? input : input.substr(separator + 1), nullptr, false);
  if (result.is_discarded()) return 0;

  json payload;
  try {
    payload = mcp_detail::unwrap_tool_payload(tool, result);
  } catch (const Error& error) {
    FUZZ_CHECK(error.code() == errc::tool_failed || error.code() == errc::tool_unavailable);
    return 0;
  }
  check_models<McpServerInfo, McpTool, AgentMetric, TaskMetrics, PerformanceMetrics, SessionMetrics,
               SessionStatusReport, Vec3, SessionAgent, SwarmTopology, SessionAgents, SwarmSummary,
               SwarmList, SwarmInitResult, AgentInfo, AgentList, SwarmStatus, TaskInfo>(payload);
  return 0;
}
