// The verb table: what each verb's (exit code, stdout, stderr) means.
#include "control/verb_outcome.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::detail {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kId = "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8";

std::optional<errc> code_of(Verb verb, int exit_code, std::string_view out,
                            std::string_view err = "") {
  const auto failure = verb_failure(verb, kId, {exit_code, out, err});
  if (!failure) return std::nullopt;
  return failure->code;
}

TEST(VerbOutcome, ExitZeroIsSuccessForEveryVerb) {
  for (const auto verb :
       {Verb::create, Verb::start, Verb::status, Verb::get, Verb::list, Verb::output_dir, Verb::log,
        Verb::update_status, Verb::cleanup, Verb::init}) {
    EXPECT_EQ(code_of(verb, 0, "anything"), std::nullopt) << verb_name(verb);
  }
}

TEST(VerbOutcome, StatusTellsAnUnknownSessionFromABrokenSessionFile) {
  EXPECT_EQ(code_of(Verb::status, 1, "not_found\n"), errc::session_not_found);
  // The deployed script exits with jq's status and prints nothing for invalid JSON.
  const auto broken = verb_failure(Verb::status, kId, {4, "", "parse error"});
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->code, errc::protocol_error);
  EXPECT_THAT(broken->message, HasSubstr("exit 4"));
  EXPECT_THAT(broken->message, HasSubstr(std::string(kId)));
  EXPECT_EQ(code_of(Verb::status, 1, "something else"), errc::protocol_error);
}

TEST(VerbOutcome, GetNotFoundTakesTheScriptsWordsOrAVanishedSessionFile) {
  EXPECT_EQ(code_of(Verb::get, 1, "Session not found: x\n"), errc::session_not_found);
  EXPECT_EQ(code_of(Verb::get, 1, "", "cat: /x/session.json: No such file or directory"),
            errc::session_not_found);
  // Exit 1 for another reason is the verb failing, not an unknown session.
  EXPECT_EQ(code_of(Verb::get, 1, "", "cat: /x/session.json: Permission denied"),
            errc::docker_exec_failed);
}

TEST(VerbOutcome, PathVerbsAreNotFoundOnlyWhenTheyPrintNothing) {
  for (const auto verb : {Verb::output_dir, Verb::log}) {
    EXPECT_EQ(code_of(verb, 1, "\n"), errc::session_not_found) << verb_name(verb);
    EXPECT_EQ(code_of(verb, 1, "oops"), errc::docker_exec_failed) << verb_name(verb);
    EXPECT_EQ(code_of(verb, 2, ""), errc::docker_exec_failed) << verb_name(verb);
  }
}

TEST(VerbOutcome, UpdateStatusExitOneIsAnUnknownSession) {
  EXPECT_EQ(code_of(Verb::update_status, 1, ""), errc::session_not_found);
  EXPECT_EQ(code_of(Verb::update_status, 2, ""), errc::docker_exec_failed);
}

TEST(VerbOutcome, OtherFailuresNameTheVerbTheStatusAndStderr) {
  const auto failure = verb_failure(Verb::list, "", {127, "", "  jq: command not found\n"});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, errc::docker_exec_failed);
  EXPECT_EQ(failure->message, "'list' exited with status 127: jq: command not found");
  EXPECT_EQ(verb_name(Verb::output_dir), "output-dir");
  EXPECT_EQ(verb_name(Verb::update_status), "update-status");
}

}  // namespace
}  // namespace hivemind::detail
