// Every session-manager verb through HiveMindClient against the mock container.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;

using hivemind::testing::capture_error;

namespace {

class ClientVerbs : public ::testing::Test {
 protected:
  MockContainer container;
  HiveMindClient client{container.options()};

  bool reaches(const std::string& uuid, SessionStatus::Kind kind) {
    return eventually([&] { return client.status(uuid) == kind; });
  }
};

}  // namespace

TEST_F(ClientVerbs, CreateStoresTaskPriorityAndMetadata) {
  const nlohmann::json metadata = {{"project", "log-parser"}, {"requester", "voice-api"}};
  const auto uuid = client.create("Build a Rust CLI tool", Priority::high, metadata);
  const auto session = client.get(uuid);
  EXPECT_EQ(session.session_id, uuid);
  EXPECT_EQ(session.task, "Build a Rust CLI tool");
  EXPECT_EQ(session.priority, Priority::high);
  EXPECT_EQ(session.status, SessionStatus::Kind::created);
  EXPECT_EQ(session.metadata, metadata);
  EXPECT_FALSE(session.updated);
  EXPECT_EQ(session.output_dir, "/workspace/ext/hive-sessions/" + uuid);
  EXPECT_EQ(client.status(uuid), SessionStatus::Kind::created);
}

TEST_F(ClientVerbs, MetadataDefaultsToNullAndPriorityToMedium) {
  const auto session = client.get(client.create("plain"));
  EXPECT_TRUE(session.metadata.is_null());
  EXPECT_EQ(session.priority, Priority::medium);
}

TEST_F(ClientVerbs, HazardousTasksRoundTripExactly) {
  const std::vector<std::string> tasks = {
      "say \"hello\" to the team",
      "path C:\\temp\\new and \\n literally",
      "line one\nline two\n\nline four",
      "col1\tcol2\tcol3",
      "echo $HOME and ${PATH}",
      "run $(touch /tmp/hivemind-should-not-exist) now",
      "backticks `id` here",
      "naïve café 日本語 🐝 — ünïcödé",
      "carriage\rreturn and bell\x07 and escape\x1b[0m",
  };
  for (const auto& task : tasks) {
    const auto uuid = client.create(task);
    EXPECT_EQ(client.get(uuid).task, task);
    EXPECT_EQ(client.status(uuid), SessionStatus::Kind::created) << task;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/hivemind-should-not-exist"));
}

TEST_F(ClientVerbs, SingleQuoteIsRefusedBeforeAnythingRuns) {
  const auto error = capture_error([&] { client.create("it's broken"); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("single quote"));
  EXPECT_EQ(container.count_verb("create"), 0u);
}

TEST_F(ClientVerbs, SingleQuoteCanBeReplacedAndTheTaskThenRuns) {
  auto options = container.options();
  options.single_quotes = SingleQuotePolicy::replace_with_typographic;
  const HiveMindClient lenient(options);
  const auto session = lenient.spawn_task("x' ; touch INJECTED ; echo 'y");
  EXPECT_TRUE(eventually([&] { return session.status() == SessionStatus::Kind::completed; }));
  EXPECT_EQ(session.metadata().task, "x\u2019 ; touch INJECTED ; echo \u2019y");
  EXPECT_FALSE(std::filesystem::exists(container.host_ext_dir() / "hive-sessions" / session.uuid() /
                                       "INJECTED"));
}

TEST_F(ClientVerbs, SpawnedTaskRunsToCompletionAndLeavesItsOutputs) {
  const auto session = client.spawn_task("write a report #files=3", Priority::low);
  ASSERT_TRUE(reaches(session.uuid(), SessionStatus::Kind::completed));
  const auto metadata = session.metadata();
  ASSERT_TRUE(metadata.updated);
  EXPECT_GE(metadata.updated->utc, metadata.created.utc);

  EXPECT_EQ(session.output_dir(), "/workspace/ext/hive-sessions/" + session.uuid());
  EXPECT_EQ(session.log_file(), "/var/log/multi-agent/hive-" + session.uuid() + ".log");
  const auto host_output = container.host_ext_dir() / "hive-sessions" / session.uuid();
  EXPECT_TRUE(std::filesystem::exists(host_output / "result.md"));

  const auto index = client.list();
  const auto* entry = index.find(session.uuid());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->status, SessionStatus::Kind::completed);
  EXPECT_EQ(entry->task, "write a report #files=3");
}

TEST_F(ClientVerbs, StartRunsACreatedSessionWithExtraArgumentsOnce) {
  const auto uuid = client.create("two-step #sleep=0.1");
  client.start(uuid, {"--agents=2"});
  ASSERT_TRUE(reaches(uuid, SessionStatus::Kind::completed));
  const auto error = capture_error([&] { client.start(uuid); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("not idempotent"));
  EXPECT_EQ(container.count_verb("start"), 1u);
}

TEST_F(ClientVerbs, ListShowsEverySession) {
  const auto first = client.create("one");
  const auto second = client.create("two");
  const auto index = client.list();
  EXPECT_THAT(index.sessions, Contains(Key(first)));
  EXPECT_THAT(index.sessions, Contains(Key(second)));
  EXPECT_EQ(index.find(second)->status, SessionStatus::Kind::created);
}

TEST_F(ClientVerbs, UpdateStatusIsReadBack) {
  const auto uuid = client.create("to be failed");
  client.update_status(uuid, "failed");
  EXPECT_EQ(client.status(uuid), SessionStatus::Kind::failed);
  EXPECT_TRUE(client.get(uuid).updated);
  client.update_status(uuid, "paused");
  EXPECT_EQ(client.status(uuid).text(), "paused");
}

TEST_F(ClientVerbs, UnknownSessionIsSessionNotFoundForEveryVerb) {
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(capture_error([&] { client.status(unknown); }).kind(), errc::session_not_found);
  EXPECT_EQ(capture_error([&] { client.get(unknown); }).kind(), errc::session_not_found);
  EXPECT_EQ(capture_error([&] { client.output_dir(unknown); }).kind(), errc::session_not_found);
  EXPECT_EQ(capture_error([&] { client.log_file(unknown); }).kind(), errc::session_not_found);
  EXPECT_EQ(capture_error([&] { client.update_status(unknown, "failed"); }).kind(),
            errc::session_not_found);
  EXPECT_EQ(capture_error([&] { client.start(unknown); }).kind(), errc::session_not_found);
}

TEST_F(ClientVerbs, GetOfASessionBeingCleanedUpIsSessionNotFound) {
  // The state a concurrent `cleanup` (rm -rf) leaves for a moment: the directory without
  // its session.json. The watcher's final `get` once met it (a docker_exec_failed before).
  const auto uuid = client.create("removed while read");
  std::filesystem::remove(container.session_dir(uuid) / "session.json");
  const Error error = capture_error([&] { client.get(uuid); });
  EXPECT_EQ(error.kind(), errc::session_not_found);
  EXPECT_THAT(error.what(), HasSubstr(uuid));
}

TEST_F(ClientVerbs, InvalidInputIsRefusedBeforeAnythingRuns) {
  EXPECT_EQ(capture_error([&] { client.status("../../etc"); }).kind(), errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { client.get("--help"); }).kind(), errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { client.create(""); }).kind(), errc::invalid_argument);
  const auto uuid = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(capture_error([&] { client.update_status(uuid, "x; rm -rf /"); }).kind(),
            errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { client.start(uuid, {"$(id)"}); }).kind(), errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { client.cleanup(-1); }).kind(), errc::invalid_argument);
  EXPECT_TRUE(container.invocations().empty());
}

TEST_F(ClientVerbs, CleanupRemovesOnlyOldFinishedSessions) {
  const auto old_done = client.create("old and done");
  client.update_status(old_done, "completed");
  const auto old_running = client.create("old but running");
  client.update_status(old_running, "running");
  const auto fresh_done = client.create("fresh and done");
  client.update_status(fresh_done, "completed");
  const auto three_days_ago =
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(72);
  std::filesystem::last_write_time(container.session_dir(old_done), three_days_ago);
  std::filesystem::last_write_time(container.session_dir(old_running), three_days_ago);

  const auto report = client.cleanup(24);
  EXPECT_THAT(report.removed_sessions, ::testing::ElementsAre(old_done));
  const auto index = client.list();
  EXPECT_EQ(index.find(old_done), nullptr);
  EXPECT_NE(index.find(old_running), nullptr);
  EXPECT_NE(index.find(fresh_done), nullptr);
}

TEST_F(ClientVerbs, InitSucceeds) {
  EXPECT_NO_THROW(client.init());
}

TEST_F(ClientVerbs, CliArgumentsAndEnvironmentReachTheCli) {
  auto options = container.options();
  options.cli_global_args = {"--context", "remote"};
  options.exec_args = {"-u", "dev"};
  HiveMindClient configured(options);
  configured.list();
  const auto calls = container.invocations();
  ASSERT_EQ(calls.size(), 1u);
  // -e HIVEMIND_EXEC_ID: the token by which a timed-out call is ended in the container.
  EXPECT_THAT(calls[0], ::testing::ElementsAre("--context", "remote", "exec", "-u", "dev", "-e",
                                               ::testing::StartsWith("HIVEMIND_EXEC_ID="),
                                               "multi-agent-container",
                                               "/app/scripts/hive-session-manager.sh", "list"));
}

TEST_F(ClientVerbs, SessionFileBrokenByAnotherClientIsAProtocolError) {
  // What a client that does not escape leaves behind: a raw quote in session.json.
  auto uuid = container.run_script({"create", "say \"hi\"", "medium", "null"});
  uuid.erase(uuid.find_last_not_of('\n') + 1);
  const auto status_error = capture_error([&] { client.status(uuid); });
  EXPECT_EQ(status_error.kind(), errc::protocol_error);
  EXPECT_EQ(status_error.context().exit_code, 4);
  const auto get_error = capture_error([&] { client.get(uuid); });
  EXPECT_EQ(get_error.kind(), errc::protocol_error);
  EXPECT_THAT(get_error.context().output_text, HasSubstr("say \"hi\""));
}

TEST_F(ClientVerbs, OutputsOfACompletedSessionAreReadableOnTheHost) {
  const auto session = client.spawn_task("produce #files=3");
  ASSERT_TRUE(reaches(session.uuid(), SessionStatus::Kind::completed));
  EXPECT_EQ(session.host_output_dir(), container.host_ext_dir() / "hive-sessions" / session.uuid());
  const auto files = session.list_output_files();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_THAT(session.read_output_file("result.md"), HasSubstr("produce #files=3"));
  const auto copy = container.root() / "copy";
  EXPECT_EQ(session.copy_outputs_to(copy).copied.size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(copy / "result.md"));
}
