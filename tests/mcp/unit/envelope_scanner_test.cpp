#include "mcp/envelope_scanner.hpp"

#include <string>

#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

TEST(EnvelopeScanner, FindsIdAndResultOfAResponse) {
  const auto envelope = scan_envelope(R"({"jsonrpc":"2.0","id":"p.1.0","result":{"ok":true}})");
  ASSERT_TRUE(envelope.ok);
  EXPECT_TRUE(envelope.has_jsonrpc);
  EXPECT_FALSE(envelope.has_method);
  EXPECT_TRUE(envelope.id_is_string);
  EXPECT_EQ(envelope.id, "p.1.0");
  EXPECT_EQ(envelope.result, R"({"ok":true})");
  EXPECT_TRUE(envelope.error.empty());
}

TEST(EnvelopeScanner, StringsWithBracesQuotesAndEscapesDoNotConfuseIt) {
  const std::string line =
      R"({"result":{"text":"}{ \"id\":\"fake\" ] [ \\ \u00e9 \n","n":[1,{"id":2}]},)"
      R"("id":"real-7","jsonrpc":"2.0"})";
  const auto envelope = scan_envelope(line);
  ASSERT_TRUE(envelope.ok);
  EXPECT_EQ(envelope.id, "real-7");
  EXPECT_EQ(envelope.result, R"({"text":"}{ \"id\":\"fake\" ] [ \\ \u00e9 \n","n":[1,{"id":2}]})");
}

TEST(EnvelopeScanner, ANestedIdIsNotTheId) {
  const auto envelope = scan_envelope(R"({"jsonrpc":"2.0","result":{"id":"inner"}})");
  ASSERT_TRUE(envelope.ok);
  EXPECT_TRUE(envelope.id.empty());
}

TEST(EnvelopeScanner, ANumericIdIsItsText) {
  const auto envelope = scan_envelope(R"({"jsonrpc":"2.0","id":42,"result":null})");
  ASSERT_TRUE(envelope.ok);
  EXPECT_FALSE(envelope.id_is_string);
  EXPECT_EQ(envelope.id, "42");
  EXPECT_EQ(envelope.result, "null");
}

TEST(EnvelopeScanner, NotificationsAndErrorsAreTold) {
  const auto notification = scan_envelope(R"({"jsonrpc":"2.0","method":"x","params":{"a":1}})");
  ASSERT_TRUE(notification.ok);
  EXPECT_TRUE(notification.has_method);
  EXPECT_TRUE(notification.id.empty());
  const auto error =
      scan_envelope(R"({"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"m"}})");
  ASSERT_TRUE(error.ok);
  EXPECT_EQ(error.error, R"({"code":-32601,"message":"m"})");
  EXPECT_TRUE(error.result.empty());
}

TEST(EnvelopeScanner, WhitespaceAroundTokensIsAllowed) {
  const auto envelope = scan_envelope(" { \"id\" : \"a\" ,\t\"result\" : [ 1 , 2 ] } \r");
  ASSERT_TRUE(envelope.ok);
  EXPECT_EQ(envelope.id, "a");
  EXPECT_EQ(envelope.result, "[ 1 , 2 ]");
}

TEST(EnvelopeScanner, HostileOrOddInputIsNotOk) {
  for (const char* line : {
           "",
           "not json",
           "[1,2]",
           R"({"id":"a","result":1)",
           R"({"id":"a","result":1}})",
           R"({"id":"a","result":1} trailing)",
           R"({"id":"a" "result":1})",
           R"({"id":"a","result":"unterminated})",
           R"({"id":"a","result":tru})",
           R"({"id":"a","result":01})",
           R"({"id":"a","result":"bad \x escape"})",
           R"({"id":"a\"b","result":1})",    // escaped id: left to the full decoder
           R"({"\u0069d":"a","result":1})",  // escaped key: the same
           "{\"id\":\"a\",\"result\":\"raw\tcontrol\"}",
       }) {
    EXPECT_FALSE(scan_envelope(line).ok) << line;
  }
}

TEST(EnvelopeScanner, DeepNestingIsBoundedNotACrash) {
  const std::string deep =
      R"({"id":"a","result":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_FALSE(scan_envelope(deep).ok);
}

TEST(EnvelopeScanner, TheLastOfARepeatedMemberWins) {
  const auto envelope = scan_envelope(R"({"id":"a","result":1,"result":2})");
  ASSERT_TRUE(envelope.ok);
  EXPECT_EQ(envelope.result, "2");
}

TEST(EnvelopeScanner, FindsMembersAndFirstElements) {
  const std::string_view result =
      R"({"content":[{"type":"text","text":"{\"a\":1}"},{"text":"second"}]})";
  EXPECT_EQ(find_member(first_element(find_member(result, "content")), "text"), R"("{\"a\":1}")");
  EXPECT_TRUE(find_member(result, "absent").empty());
  EXPECT_TRUE(first_element("[]").empty());
  EXPECT_TRUE(first_element("{}").empty());
  EXPECT_TRUE(is_plain_string(R"("abc")"));
  EXPECT_FALSE(is_plain_string(R"("a\"c")"));
}

}  // namespace
}  // namespace hivemind::mcp_detail
