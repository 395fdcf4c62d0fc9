// read_json against nlohmann's parser on the inputs where a hand-written reader goes
// wrong: number types and ranges, escapes, UTF-8, duplicate keys, nesting, junk.
#include "common/json_reader.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/json_identity.hpp"

namespace {

using hivemind::detail::read_json;
using hivemind::testing::identical;
using nlohmann::json;

void expect_as_nlohmann(const std::string& text) {
  const json expected = json::parse(text, nullptr, false);
  const json actual = read_json(text);
  EXPECT_TRUE(identical(actual, expected))
      << "input: " << text << "\nread_json: " << actual.dump() << " (" << actual.type_name()
      << ")\nnlohmann:  " << expected.dump() << " (" << expected.type_name() << ")";
}

TEST(JsonReader, DocumentsReadAsNlohmannReadsThem) {
  const std::vector<std::string> inputs = {
      R"({"name":"echo","arguments":{"seq":7,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}})",
      R"({"content":[{"type":"text","text":"{\"success\":true,\"count\":3}"}]})",
      " \t\r\n[1, -2, 3.5, -0, 0, 1e3, 1E-2, -0.0, 2.5e+10, true, false, null] \n",
      R"({"a":1,"a":2,"b":{"a":[]},"":{}})",
      R"(["\"\\\/\b\f\n\r\t", "caf\u00e9", "\ud83d\ude00", "plain"])",
      "[\"caf\xc3\xa9\", \"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\"]",
      "18446744073709551615",  // largest unsigned
      "18446744073709551616",  // one more: a double
      "-9223372036854775808",  // smallest signed
      "-9223372036854775809",  // one less: a double
      "1e400",
      "-1e400",
      "1e-400",
      "4.9e-324",
      "123456789012345678901234567890",
      "{}",
      "[]",
      "[[[]]]",
      "\"\"",
      "0",
      "-1",
  };
  for (const auto& input : inputs) expect_as_nlohmann(input);
}

TEST(JsonReader, RejectsWhatNlohmannRejects) {
  const std::vector<std::string> inputs = {
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\"}",
      "{a:1}",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "+1",
      "tru",
      "nulls",
      "\"unterminated",
      "\"tab\there\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "[1] [2]",
      "\"\xc3\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xff\"",
      "{\"a\":1}}",
      "NaN",
      "[\"a\" \"b\"]",
  };
  for (const auto& input : inputs) {
    SCOPED_TRACE(input);
    expect_as_nlohmann(input);
    EXPECT_TRUE(read_json(input).is_discarded());
  }
}

TEST(JsonReader, DeepNestingAndByteOrderMarkGoToNlohmann) {
  expect_as_nlohmann(std::string(200, '[') + std::string(200, ']'));
  expect_as_nlohmann(std::string(200, '[') + std::string(199, ']'));
  expect_as_nlohmann("\xef\xbb\xbf{\"bom\":true}");
}

TEST(JsonReader, NumberTypesMatch) {
  EXPECT_TRUE(read_json("5").is_number_unsigned());
  EXPECT_TRUE(read_json("-5").is_number_integer() && !read_json("-5").is_number_unsigned());
  EXPECT_TRUE(read_json("5.0").is_number_float());
  EXPECT_TRUE(read_json("18446744073709551616").is_number_float());
}

}  // namespace
