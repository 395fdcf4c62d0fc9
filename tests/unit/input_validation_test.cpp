#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "control/input_validation.hpp"
#include "hivemind/common/error.hpp"

using hivemind::errc;
using hivemind::Error;
using hivemind::SingleQuotePolicy;
using namespace hivemind::detail;
using ::testing::HasSubstr;

namespace {

// Runs `action`, expecting invalid_argument whose message contains `fragment`.
template <class Action>
void expect_invalid(Action action, const std::string& fragment) {
  try {
    action();
    FAIL() << "expected invalid_argument mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::invalid_argument);
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

// What the container's here-document produces: `"task": "<encoded>"`, read back as JSON.
std::string read_back(const std::string& encoded) {
  return nlohmann::json::parse("{\"task\": \"" + encoded + "\"}")["task"].get<std::string>();
}

}  // namespace

TEST(Uuid, AcceptsCanonicalForms) {
  EXPECT_TRUE(is_canonical_uuid("3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8"));
  EXPECT_TRUE(is_canonical_uuid("3F2A1C9E-8B7D-4E6F-A5B4-C3D2E1F0A9B8"));
  EXPECT_NO_THROW(validate_uuid("00000000-0000-0000-0000-000000000000"));
}

TEST(Uuid, RefusesAnythingThatCouldBeAPathOrAnOption) {
  for (const char* bad :
       {"", "../../etc/passwd", "--help", "3f2a1c9e8b7d4e6fa5b4c3d2e1f0a9b8",
        "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8 ", "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9bz",
        "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8/x", "3f2a1c9e_8b7d_4e6f_a5b4_c3d2e1f0a9b8"}) {
    EXPECT_FALSE(is_canonical_uuid(bad)) << bad;
  }
  expect_invalid([] { validate_uuid("--rm"); }, "'--rm' is not a canonical UUID");
}

TEST(TaskEncoding, PlainTextPassesUnchanged) {
  EXPECT_EQ(encode_task("Build a CLI tool", SingleQuotePolicy::reject), "Build a CLI tool");
}

TEST(TaskEncoding, JsonSpecialCharactersAreEscapedAndReadBackExactly) {
  const std::string task = "say \"hi\" \\ path C:\\tmp\nline two\ttab\r\x01 end";
  const auto encoded = encode_task(task, SingleQuotePolicy::reject);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(encoded.find('\t'), std::string::npos);
  EXPECT_THAT(encoded, HasSubstr("\\\"hi\\\""));
  EXPECT_THAT(encoded, HasSubstr("\\u0001"));
  EXPECT_EQ(read_back(encoded), task);
}

TEST(TaskEncoding, ShellSyntaxAndNonAsciiPassThroughUntouched) {
  const std::string task = "echo $HOME $(id) `uname` ; rm -rf / && 日本語 ünïcödé 🐝";
  EXPECT_EQ(encode_task(task, SingleQuotePolicy::reject), task);
}

TEST(TaskEncoding, SingleQuoteIsRefusedWithTheReason) {
  expect_invalid([] { encode_task("it's broken", SingleQuotePolicy::reject); },
                 "single quote (') at byte offset 2");
  expect_invalid([] { encode_task("x' ; touch M ; echo 'y", SingleQuotePolicy::reject); },
                 "command");
}

TEST(TaskEncoding, SingleQuoteCanBeReplacedWithTypographicQuote) {
  EXPECT_EQ(encode_task("it's", SingleQuotePolicy::replace_with_typographic), "it\u2019s");
}

TEST(TaskEncoding, RefusesEmptyOversizedNulAndInvalidUtf8) {
  expect_invalid([] { encode_task("", SingleQuotePolicy::reject); }, "task is empty");
  expect_invalid(
      [] { encode_task(std::string(kMaxTaskBytes + 1, 'a'), SingleQuotePolicy::reject); },
      "the limit is");
  expect_invalid([] { encode_task(std::string("a\0b", 3), SingleQuotePolicy::reject); }, "NUL");
  expect_invalid([] { encode_task("bad \xC3\x28 utf8", SingleQuotePolicy::reject); },
                 "not valid UTF-8 (byte offset 4)");
  expect_invalid([] { encode_task("overlong \xC0\xAF", SingleQuotePolicy::reject); }, "UTF-8");
  expect_invalid([] { encode_task("surrogate \xED\xA0\x80", SingleQuotePolicy::reject); }, "UTF-8");
  expect_invalid([] { encode_task("cut \xE2\x80", SingleQuotePolicy::reject); }, "UTF-8");
}

TEST(TaskEncoding, LongestAcceptedTaskIsAccepted) {
  EXPECT_EQ(encode_task(std::string(kMaxTaskBytes, 'a'), SingleQuotePolicy::reject).size(),
            kMaxTaskBytes);
}

TEST(MetadataEncoding, SerializesOneJsonValue) {
  EXPECT_EQ(encode_metadata(nullptr), "null");
  EXPECT_EQ(encode_metadata({{"project", "log-parser"}, {"n", 3}}),
            R"({"n":3,"project":"log-parser"})");
  EXPECT_EQ(encode_metadata("it's \"quoted\""), R"("it's \"quoted\"")");
  expect_invalid([] { encode_metadata(std::string("\xFF")); }, "metadata cannot be serialized");
}

TEST(StatusText, AcceptsWordsAndRefusesTheRest) {
  EXPECT_NO_THROW(validate_status_text("failed"));
  EXPECT_NO_THROW(validate_status_text("paused_2"));
  expect_invalid([] { validate_status_text(""); }, "must be 1-32 characters");
  expect_invalid([] { validate_status_text("Failed"); }, "'Failed'");
  expect_invalid([] { validate_status_text("x; rm"); }, "lowercase");
  expect_invalid([] { validate_status_text(std::string(33, 'a')); }, "1-32");
}

TEST(StartArguments, OnlyShellInertCharactersPass) {
  EXPECT_NO_THROW(validate_start_args({"--agents=4", "--model", "claude-3.5", "dir/sub@x"}));
  expect_invalid([] { validate_start_args({"a b"}); }, "'a b'");
  expect_invalid([] { validate_start_args({"$(id)"}); }, "shell");
  expect_invalid([] { validate_start_args({"x'"}); }, "x'");
  expect_invalid([] { validate_start_args({""}); }, "may only contain");
}
