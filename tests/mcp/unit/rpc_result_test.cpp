#include "mcp/rpc_result.hpp"

#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"

namespace hivemind::mcp_detail {
namespace {

using nlohmann::json;

errc kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind().value();
  }
  ADD_FAILURE() << "no hivemind::Error thrown";
  return errc::invalid_argument;
}

RpcOutcome error_outcome(int code, const std::string& message, json data = nullptr) {
  RpcOutcome outcome;
  outcome.error = RpcErrorBody{code, message, std::move(data)};
  return outcome;
}

TEST(TakeResult, ReturnsTheResult) {
  RpcOutcome outcome;
  outcome.result = json{{"a", 1}};
  EXPECT_EQ(take_result(outcome, "m")["a"], 1);
}

TEST(TakeResult, MapsErrorsToTypedKinds) {
  EXPECT_EQ(kind_of([] { take_result(error_outcome(-32000, "Authentication required"), "m"); }),
            errc::auth_failed);
  EXPECT_EQ(kind_of([] { take_result(error_outcome(-32000, "Authentication failed"), "m"); }),
            errc::auth_failed);
  EXPECT_EQ(kind_of([] { take_result(error_outcome(-32000, "Rate limit exceeded"), "m"); }),
            errc::rate_limited);
  EXPECT_EQ(kind_of([] { take_result(error_outcome(-32601, "Method not found"), "m"); }),
            errc::rpc_error);
}

TEST(TakeResult, KeepsCodeMessageAndDataInTheContext) {
  try {
    take_result(error_outcome(-32000, "Tool execution failed", "disk full"), "tools/call");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), errc::tool_failed);
    EXPECT_EQ(error.context().rpc_code, -32000);
    EXPECT_EQ(error.context().rpc_data, "disk full");
    EXPECT_NE(std::string(error.what()).find("disk full"), std::string::npos);
  }
}

TEST(TakeResult, ReportsAFailureWithoutAnswer) {
  RpcOutcome outcome;
  outcome.failure = make_error_code(errc::connection_lost);
  outcome.failure_reason = "relay closed";
  EXPECT_EQ(kind_of([&] { take_result(outcome, "m"); }), errc::connection_lost);
}

TEST(UnwrapToolPayload, ParsesTheTextOfTheDeployedShape) {
  const json result{
      {"content", {{{"type", "text"}, {"text", R"({"success":true,"swarmId":"s1"})"}}}}};
  EXPECT_EQ(unwrap_tool_payload("swarm_init", result)["swarmId"], "s1");
}

TEST(UnwrapToolPayload, TakesTheDocumentedShapeAsIs) {
  const json result{{"session_id", "u1"}, {"agents", json::array()}};
  EXPECT_EQ(unwrap_tool_payload("session_metrics", result), result);
}

TEST(UnwrapToolPayload, KeepsPlainTextAsAString) {
  const json result{{"content", {{{"type", "text"}, {"text", "hello"}}}}};
  EXPECT_EQ(unwrap_tool_payload("echo", result), "hello");
}

TEST(UnwrapToolPayload, SuccessFalseIsToolFailedWithTheErrorText) {
  const json result{
      {"content",
       {{{"type", "text"}, {"text", R"({"success":false,"error":"No active swarm found"})"}}}}};
  try {
    unwrap_tool_payload("swarm_status", result);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), errc::tool_failed);
    EXPECT_NE(std::string(error.what()).find("No active swarm found"), std::string::npos);
  }
}

TEST(UnwrapToolPayload, TheFakeSuccessIsToolUnavailable) {
  const json fake{{"success", true},
                  {"tool", "session_metrics"},
                  {"message", "Tool session_metrics executed successfully"}};
  const json result{{"content", {{{"type", "text"}, {"text", fake.dump()}}}}};
  EXPECT_EQ(kind_of([&] { unwrap_tool_payload("session_metrics", result); }),
            errc::tool_unavailable);
}

TEST(UnwrapToolPayload, RealDataMentioningTheToolIsNotMistakenForTheFake) {
  const json payload{{"success", true}, {"tool", "x"}, {"message", "done"}};
  EXPECT_EQ(unwrap_tool_payload("x", payload), payload);
}

}  // namespace
}  // namespace hivemind::mcp_detail
