#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/session_manager_output.hpp"
#include "hivemind/common/error.hpp"
#include "process/container_exec.hpp"
#include "support/capture_error.hpp"

using namespace hivemind;
using namespace hivemind::detail;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using hivemind::testing::capture_error;

namespace {}  // namespace

TEST(CreateOutput, TakesTheUuidLine) {
  EXPECT_EQ(parse_created_uuid("3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8\n"),
            "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8");
  const auto error = capture_error([] { parse_created_uuid("Usage: create TASK\n"); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr("Usage: create TASK"));
  EXPECT_EQ(error.context().output_text, "Usage: create TASK\n");
}

TEST(StatusOutput, KeepsUnknownWordsAndRejectsGarbage) {
  EXPECT_EQ(parse_status_output("running\n"), SessionStatus::Kind::running);
  EXPECT_EQ(parse_status_output("completing\n").text(), "completing");
  EXPECT_EQ(capture_error([] { parse_status_output(""); }).kind(), errc::protocol_error);
  EXPECT_EQ(capture_error([] { parse_status_output("{\"x\":1}"); }).kind(), errc::protocol_error);
  EXPECT_EQ(capture_error([] { parse_status_output("two words"); }).kind(), errc::protocol_error);
}

TEST(GetOutput, BrokenSessionFileIsAProtocolErrorWithTheText) {
  const std::string broken = "{\"session_id\": \"x\", \"task\": \"say \"hi\"\"}";
  const auto error = capture_error([&] { parse_session_json(broken); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr("not valid JSON"));
  EXPECT_EQ(error.context().output_text, broken);
}

TEST(ListOutput, ParsesAnEmptyRegistry) {
  EXPECT_TRUE(parse_index_json("{\"sessions\": {}, \"created\": \"2025-10-05T19:45:00+00:00\"}")
                  .sessions.empty());
  EXPECT_EQ(capture_error([] { parse_index_json("[]"); }).kind(), errc::protocol_error);
}

TEST(PathOutput, WantsOneAbsolutePath) {
  EXPECT_EQ(parse_path_line("/workspace/ext/hive-sessions/x\n", "output-dir"),
            "/workspace/ext/hive-sessions/x");
  EXPECT_EQ(capture_error([] { parse_path_line("\n", "log"); }).kind(), errc::protocol_error);
  EXPECT_EQ(capture_error([] { parse_path_line("relative/x", "log"); }).kind(),
            errc::protocol_error);
}

TEST(CleanupOutput, ListsTheRemovedSessionsIgnoringTheFinalCount) {
  const auto report = parse_cleanup_output(
      "Cleaning up session: 11111111-1111-1111-1111-111111111111\n"
      "Cleaning up session: 22222222-2222-2222-2222-222222222222 (completed)\n"
      "Cleaned up 0 old sessions\n");
  EXPECT_THAT(report.removed_sessions, ElementsAre("11111111-1111-1111-1111-111111111111",
                                                   "22222222-2222-2222-2222-222222222222"));
  EXPECT_EQ(report.removed_count(), 2u);
  EXPECT_EQ(parse_cleanup_output("Cleaned up 0 old sessions\n").removed_count(), 0u);
}

TEST(ContainerArgv, PlacesGlobalAndExecArgumentsAroundExec) {
  ClientOptions options;
  options.cli = "/usr/bin/podman";
  options.cli_global_args = {"--context", "remote"};
  options.exec_args = {"-u", "dev"};
  options.container = "hive";
  EXPECT_THAT(container_argv(options, ExecMode::detached, {"/app/s.sh", "start", "u"}),
              ElementsAre("/usr/bin/podman", "--context", "remote", "exec", "-d", "-u", "dev",
                          "hive", "/app/s.sh", "start", "u"));
  EXPECT_THAT(container_argv(ClientOptions{}, ExecMode::attached, {"/s", "list"}),
              ElementsAre("docker", "exec", "multi-agent-container", "/s", "list"));
  EXPECT_THAT(container_argv(options, ExecMode::interactive, {"sh", "-c", "x"}),
              ElementsAre("/usr/bin/podman", "--context", "remote", "exec", "-i", "-u", "dev",
                          "hive", "sh", "-c", "x"));
}

TEST(ContainerFailures, RecogniseDockerAndPodmanWordings) {
  const auto failed_with = [](const std::string& err) {
    return is_container_unavailable(ContainerResult{{}, 1, "", err});
  };
  EXPECT_TRUE(failed_with("Error response from daemon: No such container: hive\n"));
  EXPECT_TRUE(failed_with("Error response from daemon: Container 0123 is not running\n"));
  EXPECT_TRUE(failed_with("Cannot connect to the Docker daemon at unix:///var/run/docker.sock."));
  EXPECT_TRUE(failed_with("Error: no container with name or ID \"hive\" found: no such container"));
  EXPECT_FALSE(failed_with("ERROR: Session UUID not found\n"));
  EXPECT_FALSE(is_container_unavailable(ContainerResult{{}, 0, "", "No such container"}));
}

TEST(ListOutput, StatusesAloneMatchTheFullParse) {
  const std::string registry = R"({
    "sessions": {
      "11111111-1111-1111-1111-111111111111": {"task": "a {\"status\": \"x\"}", "status": "completed",
        "nested": {"status": "ignored"}, "dir": "/x"},
      "22222222-2222-2222-2222-222222222222": {"status": "paused", "tags": ["status", 1]},
      "33333333-3333-3333-3333-333333333333": {"task": "no status yet"}
    },
    "created": "2025-10-05T19:00:00+00:00", "status": "not a session"})";
  const auto statuses = parse_index_statuses(registry);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses.at("11111111-1111-1111-1111-111111111111"), SessionStatus::Kind::completed);
  EXPECT_EQ(statuses.at("22222222-2222-2222-2222-222222222222").text(), "paused");
  EXPECT_EQ(statuses.at("33333333-3333-3333-3333-333333333333").text(), "");
  EXPECT_EQ(capture_error([] { parse_index_statuses("{\"sessions\": "); }).kind(),
            errc::protocol_error);
  EXPECT_EQ(capture_error([] { parse_index_statuses("{\"created\": 1}"); }).kind(),
            errc::protocol_error);
  EXPECT_EQ(capture_error([] { parse_index_statuses("[]"); }).kind(), errc::protocol_error);
}

// The scan merged a repeated "sessions" object that the full parse replaces (the
// invariant of fuzz/fuzz_session_manager_output fails on it), and took a stale key
// inside a top-level array for "sessions".
TEST(ListOutput, StatusScanFollowsTheFullParseOnOddDocuments) {
  const std::string repeated = R"({"sessions": {"a": {"status": "running"}},
                                    "sessions": {"b": {"status": "failed"}}})";
  const auto index = parse_index_json(repeated);
  const auto statuses = parse_index_statuses(repeated);
  ASSERT_EQ(index.sessions.size(), 1u);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses.at("b"), index.sessions.at("b").status);
  EXPECT_EQ(capture_error([] {
              parse_index_statuses(R"([{"sessions": 1}, {"a": {"status": "running"}}])");
            }).kind(),
            errc::protocol_error);
}
