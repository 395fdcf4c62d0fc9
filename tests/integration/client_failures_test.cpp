// How HiveMindClient fails: container and CLI faults, deadlines, bounds, retries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "common/run_sync.hpp"
#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "support/capture_error.hpp"
#include "support/leak_check.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::child_processes;
using hivemind::testing::eventually;
using hivemind::testing::LeakCheck;
using hivemind::testing::MockContainer;
using ::testing::Contains;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using hivemind::testing::capture_error;

namespace {

class ClientFailures : public ::testing::Test {
 protected:
  MockContainer container;
};

}  // namespace

TEST_F(ClientFailures, UnknownContainerIsUnavailableAfterTheConfiguredAttempts) {
  auto options = container.options();
  options.container = "no-such-container";
  const HiveMindClient client(options);
  const auto error = capture_error([&] { client.list(); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("No such container: no-such-container"));
  EXPECT_THAT(error.context().stderr_text, HasSubstr("Error response from daemon"));
  EXPECT_EQ(error.context().exit_code, 1);
  EXPECT_EQ(container.invocations().size(), 3u);
}

TEST_F(ClientFailures, StoppedContainerAndDownDaemonAreUnavailable) {
  const HiveMindClient client(container.options());
  container.set_switch("stopped", true);
  EXPECT_EQ(capture_error([&] { client.list(); }).kind(), errc::container_unavailable);
  container.set_switch("stopped", false);
  container.set_switch("daemon-down", true);
  const auto error = capture_error([&] { client.create("task"); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("Cannot connect to the Docker daemon"));
  container.set_switch("daemon-down", false);
  EXPECT_NO_THROW(client.list());
}

TEST_F(ClientFailures, CreateIsRetriedWhileTheContainerIsDownAndRunsOnce) {
  auto options = container.options();
  options.retry.max_attempts = 5;
  options.retry.initial_delay = 1s;  // room for the test to bring the container back
  options.retry.max_delay = 1s;
  const HiveMindClient client(options);
  container.set_switch("stopped", true);
  auto created = std::async(std::launch::async, [&] { return client.create("survives"); });
  ASSERT_TRUE(eventually([&] { return !container.invocations().empty(); }));
  container.set_switch("stopped", false);
  const auto uuid = created.get();
  EXPECT_EQ(client.get(uuid).task, "survives");
  EXPECT_EQ(client.list().sessions.size(), 1u);
  EXPECT_GE(container.count_verb("create"), 2u);
}

TEST_F(ClientFailures, FailureAfterTheScriptRanIsNotRetried) {
  const HiveMindClient client(container.options());
  EXPECT_EQ(capture_error([&] { client.status("00000000-0000-4000-8000-000000000000"); }).kind(),
            errc::session_not_found);
  EXPECT_EQ(container.count_verb("status"), 1u);
}

TEST_F(ClientFailures, MissingCliIsNamedAndNotRetried) {
  const LeakCheck leaks;  // nothing forked, nothing left open
  {
    auto options = container.options();
    options.cli = "hivemind-no-such-docker";
    const HiveMindClient client(options);
    const auto error = capture_error([&] { client.list(); });
    EXPECT_EQ(error.kind(), errc::docker_exec_failed);
    EXPECT_THAT(error.what(), HasSubstr("'hivemind-no-such-docker'"));
    EXPECT_THAT(error.what(), HasSubstr("No such file or directory"));

    options.cli = "/nonexistent/dir/docker";
    EXPECT_EQ(capture_error([&] { HiveMindClient(options).list(); }).kind(),
              errc::docker_exec_failed);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST_F(ClientFailures, WrongScriptPathIsReportedNotRetried) {
  auto options = container.options();
  options.script = "/opt/nowhere/hive-session-manager.sh";
  const auto error = capture_error([&] { HiveMindClient(options).list(); });
  EXPECT_EQ(error.kind(), errc::docker_exec_failed);
  EXPECT_EQ(error.context().exit_code, 127);
  EXPECT_EQ(container.invocations().size(), 1u);
}

TEST_F(ClientFailures, HangingExecIsKilledAndReapedAtTheDeadline) {
  const LeakCheck leaks;
  {
    auto options = container.options();
    options.call_timeout = 300ms;
    const HiveMindClient client(options);
    container.set_switch("hang", true);
    const auto error = capture_error([&] { client.list(); });
    EXPECT_EQ(error.kind(), errc::timeout);
    EXPECT_THAT(error.what(), HasSubstr("300 ms"));
    EXPECT_FALSE(error.context().argv.empty());
    EXPECT_TRUE(child_processes().empty());
    // Never retried: the call, then the exec that ends what it may have left in the container.
    const auto calls = container.invocations();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_THAT(calls[1], Contains("hivemind-end-exec"));
  }
  EXPECT_TRUE(leaks.settled());
}

namespace {

// Whether `pid` is a process that has not exited (a zombie has).
bool process_has_not_exited(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  return stat >> pid_field >> name >> state && state != "Z";
}

}  // namespace

TEST_F(ClientFailures, ATimedOutCallEndsItsCommandInTheContainerNotOnlyTheCli) {
  // As with a real engine (the mock's real-exec), killing the CLI leaves the command running.
  container.set_switch("real-exec", true);
  const auto script = container.root() / "app" / "scripts" / "frozen.sh";
  std::ofstream(script) << "#!/bin/sh\necho $$ > \"$HIVE_MOCK_ROOT/frozen.pid\"\nexec sleep 300\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  auto options = container.options();
  options.script = "/app/scripts/frozen.sh";
  options.call_timeout = 1s;
  const auto error = capture_error([&] { HiveMindClient(options).list(); });
  EXPECT_EQ(error.kind(), errc::timeout);
  pid_t frozen = 0;
  ASSERT_TRUE(std::ifstream(container.root() / "frozen.pid") >> frozen) << "it never started";
  EXPECT_TRUE(eventually([&] { return !process_has_not_exited(frozen); }))
      << "the command outlived its call in the container";
}

TEST_F(ClientFailures, GarbageOutputIsAProtocolErrorCarryingTheText) {
  const LeakCheck leaks;
  {
    const HiveMindClient client(container.options());
    container.set_switch("garbage", true);
    const auto status_error =
        capture_error([&] { client.status("00000000-0000-4000-8000-000000000000"); });
    EXPECT_EQ(status_error.kind(), errc::protocol_error);
    EXPECT_FALSE(status_error.context().output_text.empty());
    const auto list_error = capture_error([&] { client.list(); });
    EXPECT_EQ(list_error.kind(), errc::protocol_error);
    EXPECT_THAT(list_error.what(), HasSubstr("not valid JSON"));
    EXPECT_EQ(capture_error([&] { client.create("x"); }).kind(), errc::protocol_error);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST_F(ClientFailures, OutputPastTheBoundIsRefusedAndTheProcessKilled) {
  const LeakCheck leaks;
  {
    auto options = container.options();
    const HiveMindClient roomy(options);
    for (int i = 0; i < 5; ++i) roomy.create("filler session number " + std::to_string(i));
    options.max_output_bytes = 256;
    const auto error = capture_error([&] { HiveMindClient(options).list(); });
    EXPECT_EQ(error.kind(), errc::output_too_large);
    EXPECT_THAT(error.what(), HasSubstr("exceeded 256 bytes; the process was killed"));
    EXPECT_TRUE(child_processes().empty());
  }
  EXPECT_TRUE(leaks.settled());
}

TEST_F(ClientFailures, KillingASessionEndsItsOrphansToo) {
  // An agent forked away from the start process (here: a background subshell, reparented once
  // the subshell exits) is outside the process tree a `ps` walk finds; the session's token in
  // its environment still marks it.
  const auto script = container.root() / "app" / "scripts" / "orphaning.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "[ \"$1\" = start ] || { echo created; exit 0; }\n"
                           "( sleep 300 & echo $! > \"$HIVE_MOCK_ROOT/orphan.pid\" )\n"
                           "exec sleep 300\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  auto options = container.options();
  options.script = "/app/scripts/orphaning.sh";
  const std::string session = "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8";
  HiveMindClient(options).start(session);
  pid_t orphan = 0;
  ASSERT_TRUE(eventually(
      [&] { return static_cast<bool>(std::ifstream(container.root() / "orphan.pid") >> orphan); }));
  EXPECT_TRUE(detail::run_sync(detail::kill_session_processes(options, session)));
  EXPECT_TRUE(eventually([&] { return !process_has_not_exited(orphan); }))
      << "the orphan outlived its session";
}
