#include "mcp/jsonrpc_codec.hpp"

#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

using nlohmann::json;
using Kind = McpEvent::Kind;

TEST(JsonRpcCodec, EncodesOneTerminatedLineWithAStringId) {
  const std::string line = encode_request("p-7", "tools/call", json{{"name", "x"}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const json parsed = json::parse(line);
  EXPECT_EQ(parsed["jsonrpc"], "2.0");
  EXPECT_EQ(parsed["id"], "p-7");
  EXPECT_EQ(parsed["method"], "tools/call");
  EXPECT_EQ(parsed["params"]["name"], "x");
}

TEST(JsonRpcCodec, LeavesNullParamsOut) {
  EXPECT_FALSE(json::parse(encode_request("p-1", "tools/list", nullptr)).contains("params"));
}

TEST(JsonRpcCodec, DecodesAResult) {
  const auto message = decode_message(R"({"jsonrpc":"2.0","id":"p-1","result":{"ok":true}})");
  ASSERT_EQ(message.kind, IncomingMessage::Kind::response);
  EXPECT_EQ(message.id, "p-1");
  EXPECT_EQ(message.result["ok"], true);
  EXPECT_FALSE(message.error);
}

TEST(JsonRpcCodec, DecodesAnErrorResponseWithData) {
  const auto message = decode_message(
      R"({"jsonrpc":"2.0","id":"p-2","error":{"code":-32000,"message":"Tool execution failed","data":"boom"}})");
  ASSERT_EQ(message.kind, IncomingMessage::Kind::response);
  ASSERT_TRUE(message.error);
  EXPECT_EQ(message.error->code, -32000);
  EXPECT_EQ(message.error->message, "Tool execution failed");
  EXPECT_EQ(message.error->data, "boom");
}

TEST(JsonRpcCodec, NumericIdsBecomeTheirText) {
  EXPECT_EQ(decode_message(R"({"jsonrpc":"2.0","id":42,"result":null})").id, "42");
}

TEST(JsonRpcCodec, FalsyIdsAreNeverResponses) {
  for (const char* line :
       {R"({"jsonrpc":"2.0","id":0,"result":{}})", R"({"jsonrpc":"2.0","id":"","result":{}})",
        R"({"jsonrpc":"2.0","id":null,"result":{}})"}) {
    EXPECT_EQ(decode_message(line).kind, IncomingMessage::Kind::event) << line;
  }
}

TEST(JsonRpcCodec, ABroadcastNotificationIsAnEvent) {
  const auto message =
      decode_message(R"({"jsonrpc":"2.0","method":"server.initialized","params":{"v":1}})");
  ASSERT_EQ(message.kind, IncomingMessage::Kind::event);
  EXPECT_EQ(message.event.kind, Kind::notification);
  EXPECT_EQ(message.event.method, "server.initialized");
  EXPECT_EQ(message.event.params["v"], 1);
}

TEST(JsonRpcCodec, AnIdlessErrorIsAnEventNotAResponse) {
  const auto message =
      decode_message(R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"}})");
  ASSERT_EQ(message.kind, IncomingMessage::Kind::event);
  EXPECT_EQ(message.event.kind, Kind::rpc_error);
  EXPECT_EQ(message.event.code, -32601);
  EXPECT_EQ(message.event.message, "Method not found");
}

TEST(JsonRpcCodec, TheRelaysOwnErrorLineIsARelayError) {
  const auto message = decode_message(R"({"error":"Rate limit exceeded"})");
  ASSERT_EQ(message.kind, IncomingMessage::Kind::event);
  EXPECT_EQ(message.event.kind, Kind::relay_error);
  EXPECT_EQ(message.event.message, "Rate limit exceeded");
}

TEST(JsonRpcCodec, GarbageIsAnUnparseableLineKeptRaw) {
  for (const char* line : {"this is {not json", "[1,2,3]", "42", R"({"jsonrpc":"2.0"})"}) {
    const auto message = decode_message(line);
    ASSERT_EQ(message.kind, IncomingMessage::Kind::event) << line;
    EXPECT_EQ(message.event.kind, Kind::unparseable_line) << line;
    EXPECT_EQ(message.event.raw, line);
  }
}

}  // namespace
}  // namespace hivemind::mcp_detail
