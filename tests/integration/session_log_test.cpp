// Reading and following a session's log in the mock container (docker exec … tail).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/run_sync.hpp"
#include "control/session_log.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/background_operation.hpp"
#include "support/collected_lines.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::detail::FollowOptions;
using hivemind::testing::BackgroundOperation;
using hivemind::testing::child_processes;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

namespace {

namespace fs = std::filesystem;

using Lines = hivemind::testing::CollectedLines;

// follow_log never completes normally; the int only gives the helper a value type.
boost::asio::awaitable<int> follow(ClientOptions options, std::string path, FollowOptions follow,
                                   Lines& lines) {
  co_await detail::follow_log(options, std::move(path), follow,
                              [&lines](std::string_view line) { lines.add(line); });
  co_return 0;
}

using FollowRun = BackgroundOperation<int>;

const std::string kManualLog = "/var/log/multi-agent/manual.log";

class SessionLog : public ::testing::Test {
 protected:
  std::vector<std::string> read_tail(const std::string& path, std::size_t n) const {
    return detail::run_sync(detail::read_log_tail(options, path, n));
  }
  std::unique_ptr<FollowRun> start_follow(const std::string& path, Lines& lines,
                                          FollowOptions follow_options = {}) const {
    return std::make_unique<FollowRun>([this, path, follow_options, &lines] {
      return follow(options, path, follow_options, lines);
    });
  }
  fs::path host_path(const std::string& container_path) const {
    return container.root() / fs::path(container_path).relative_path();
  }
  // Lines of a file on the host side of the mock container.
  std::vector<std::string> file_lines(const std::string& container_path) const {
    std::vector<std::string> lines;
    std::ifstream file(host_path(container_path));
    for (std::string line; std::getline(file, line);) lines.push_back(line);
    return lines;
  }
  // `tail` processes reading this log (the mock runs them on the host, at the host path).
  std::vector<int> tail_processes(const std::string& container_path) const {
    std::vector<int> pids;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const auto name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream file(entry.path() / "cmdline");
      std::vector<std::string> argv;
      for (std::string arg; std::getline(file, arg, '\0');) argv.push_back(arg);
      if (!argv.empty() && fs::path(argv.front()).filename() == "tail" &&
          argv.back() == host_path(container_path).string()) {
        pids.push_back(std::stoi(name));
      }
    }
    return pids;
  }

  // Follows a one-line log and stops the follow once the line arrived: it must end as
  // cancelled, its CLI process killed and reaped.
  void follow_one_line_and_stop() const {
    std::ofstream(host_path(kManualLog)) << "one\n";
    Lines lines;
    auto run = start_follow(kManualLog, lines);
    ASSERT_TRUE(eventually([&] { return lines.get().size() == 1; }));
    ASSERT_THAT(tail_processes(kManualLog), Not(IsEmpty()));
    run->cancel();
    ASSERT_TRUE(eventually([&] { return run->done(); }));
    EXPECT_EQ(run->error_kind(), errc::cancelled);
    EXPECT_THAT(child_processes(), IsEmpty());
  }

  MockContainer container;
  ClientOptions options = container.options();
  HiveMindClient client{options};
};

}  // namespace

TEST_F(SessionLog, ReadsTheLastLinesOfAFinishedSessionsLog) {
  const auto session = client.spawn_task("x #loglines=8");
  ASSERT_TRUE(eventually([&] { return session.status() == SessionStatus::Kind::completed; }));
  const auto path = session.log_file();

  EXPECT_THAT(read_tail(path, 3),
              ElementsAre("[agent] step 7/8", "[agent] step 8/8", "[agent] done, exit 0"));
  const auto whole = read_tail(path, 1000);
  EXPECT_EQ(whole, file_lines(path));
  EXPECT_EQ(whole.front(), "[SESSION-MGR] Starting session: " + session.uuid());
  EXPECT_THAT(read_tail(path, 0), IsEmpty());
}

TEST_F(SessionLog, ReadingIncludesALastLineWithoutNewlineAndToleratesCrLf) {
  std::ofstream(host_path(kManualLog), std::ios::binary) << "dos\r\nunix\nunfinished";
  EXPECT_THAT(read_tail(kManualLog, 10), ElementsAre("dos", "unix", "unfinished"));
}

TEST_F(SessionLog, ALogThatDoesNotExistYetReadsAsEmpty) {
  const auto uuid = client.create("never started");
  const auto path = client.log_file(uuid);
  ASSERT_FALSE(fs::exists(host_path(path)));
  EXPECT_THAT(read_tail(path, 5), IsEmpty());
}

TEST_F(SessionLog, RejectsAPathThatIsNotAbsolute) {
  try {
    read_tail("var/log/multi-agent/x.log", 5);
    FAIL() << "expected invalid_argument";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::invalid_argument);
  }
  EXPECT_EQ(container.invocations().size(), 0u);
}

TEST_F(SessionLog, OtherTailFailuresAreTypedWithStderr) {
  fs::create_directories(host_path("/var/log/multi-agent/a-directory.log"));
  try {
    read_tail("/var/log/multi-agent/a-directory.log", 5);
    FAIL() << "expected docker_exec_failed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::docker_exec_failed);
    EXPECT_THAT(e.context().stderr_text, HasSubstr("a-directory.log"));
    EXPECT_EQ(e.context().exit_code, 1);
  }
}

TEST_F(SessionLog, FollowsAGrowingSessionLogInOrderWithWholeLines) {
  const auto session = client.spawn_task("grow #sleep=1.5 #loglines=6");
  Lines lines;
  auto run = start_follow(session.log_file(), lines);
  ASSERT_TRUE(eventually([&] { return lines.contains("[agent] done, exit 0"); }));
  ASSERT_TRUE(eventually([&] { return session.status() == SessionStatus::Kind::completed; }));
  EXPECT_FALSE(run->done());  // the session's end does not end a follow

  // Exactly the file's lines, each whole, in order (no fragments, nothing twice).
  EXPECT_EQ(lines.get(), file_lines(session.log_file()));
  std::vector<std::string> steps;
  for (const auto& line : lines.get()) {
    if (line.starts_with("[agent] step ")) steps.push_back(line);
  }
  EXPECT_THAT(steps, ElementsAre("[agent] step 1/6", "[agent] step 2/6", "[agent] step 3/6",
                                 "[agent] step 4/6", "[agent] step 5/6", "[agent] step 6/6"));
}

TEST_F(SessionLog, DeliversEachLineAsItIsWrittenAndHoldsPartialLines) {
  std::ofstream log(host_path(kManualLog), std::ios::binary);
  log << "alpha\nbe" << std::flush;
  Lines lines;
  auto run = start_follow(kManualLog, lines);
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 1; }));
  EXPECT_THAT(lines.get(), ElementsAre("alpha"));

  // The rest of "beta" and half of the next line, in two separate writes.
  log << "ta\r\ngam" << std::flush;
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 2; }));
  log << "ma\n" << std::flush;
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 3; }));
  for (int i = 1; i <= 3; ++i) {  // one at a time: each arrives before the next is written
    log << "line " << i << "\n" << std::flush;
    ASSERT_TRUE(eventually([&] { return lines.get().size() == 3u + i; }));
    EXPECT_EQ(lines.get().back(), "line " + std::to_string(i));
  }
  EXPECT_THAT(lines.get(), ElementsAre("alpha", "beta", "gamma", "line 1", "line 2", "line 3"));
  EXPECT_FALSE(run->done());
}

TEST_F(SessionLog, FollowingFromTheLastLinesSkipsOlderOnes) {
  std::ofstream log(host_path(kManualLog), std::ios::binary);
  log << "old 1\nold 2\nold 3\n" << std::flush;
  Lines lines;
  FollowOptions from_last;
  from_last.last_n_lines = 1;
  auto run = start_follow(kManualLog, lines, from_last);
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 1; }));
  log << "new\n" << std::flush;
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 2; }));
  EXPECT_THAT(lines.get(), ElementsAre("old 3", "new"));
}

TEST_F(SessionLog, WaitsForALogThatDoesNotExistYet) {
  const auto uuid = client.create("late log #loglines=3");
  const auto path = client.log_file(uuid);
  Lines lines;
  auto run = start_follow(path, lines);
  // tail is running (and retrying the missing file) before the session starts.
  ASSERT_TRUE(eventually([&] { return !tail_processes(path).empty(); }));
  ASSERT_FALSE(fs::exists(host_path(path)));
  client.start(uuid);

  ASSERT_TRUE(eventually([&] { return lines.contains("[agent] done, exit 0"); }));
  EXPECT_EQ(lines.get().front(), "[SESSION-MGR] Starting session: " + uuid);
  EXPECT_EQ(lines.get(), file_lines(path));  // tail's "cannot open"/"has appeared" stay out
  EXPECT_THAT(lines.get(), Not(Contains(HasSubstr("tail:"))));
  EXPECT_FALSE(run->done());
}

TEST_F(SessionLog, StoppingTheFollowLeavesNoProcessBehind) {
  follow_one_line_and_stop();
  // Killed and reaped before the operation completed: nothing to wait for.
  EXPECT_THAT(tail_processes(kManualLog), IsEmpty());
}

TEST_F(SessionLog, AContainerRestartEndsTheFollowWithConnectionLost) {
  std::ofstream(host_path(kManualLog)) << "before restart\n";
  Lines lines;
  auto run = start_follow(kManualLog, lines);
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 1; }));

  container.control("kill-all");
  ASSERT_TRUE(eventually([&] { return run->done(); }));
  EXPECT_EQ(run->error_kind(), errc::connection_lost);
  try {
    std::rethrow_exception(run->failure());
  } catch (const Error& e) {
    EXPECT_THAT(e.context().argv, Contains(HasSubstr("exec tail -F")));
    EXPECT_TRUE(e.context().exit_code.has_value());
  }
  EXPECT_THAT(child_processes(), IsEmpty());
  EXPECT_THAT(lines.get(), ElementsAre("before restart"));
}

TEST_F(SessionLog, FollowingInAStoppedContainerFailsWithContainerUnavailable) {
  container.set_switch("stopped", true);
  Lines lines;
  auto run = start_follow(kManualLog, lines);
  ASSERT_TRUE(eventually([&] { return run->done(); }));
  EXPECT_EQ(run->error_kind(), errc::container_unavailable);
  try {
    std::rethrow_exception(run->failure());
  } catch (const Error& e) {
    EXPECT_THAT(e.context().stderr_text, HasSubstr("is not running"));
  }
  EXPECT_THAT(lines.get(), IsEmpty());
}

namespace {

// Runs a follower the test keeps, so that it can catch_up() once the run was stopped.
boost::asio::awaitable<int> follow_then_stop(ClientOptions options,
                                             std::shared_ptr<detail::LogFollower> follower) {
  co_await follower->begin(options);
  co_await follower->run(options);
  co_return 0;
}

}  // namespace

TEST_F(SessionLog, CatchUpCompletesAStoppedFollowExactlyIncludingItsPartialLine) {
  std::ofstream log(host_path(kManualLog), std::ios::binary);
  log << "one\ntwo\npart" << std::flush;
  Lines lines;
  const auto follower = std::make_shared<detail::LogFollower>(
      kManualLog, FollowOptions{}, [&lines](std::string_view line) { lines.add(line); });
  auto run = std::make_unique<FollowRun>([&] { return follow_then_stop(options, follower); });
  ASSERT_TRUE(eventually([&] { return lines.get().size() == 2; }));
  run->cancel();
  ASSERT_TRUE(eventually([&] { return run->done(); }));
  ASSERT_EQ(run->error_kind(), errc::cancelled);

  // Written after the follow stopped: only catch_up can deliver it, from the exact byte.
  log << "ial\nthree\nlast without newline" << std::flush;
  detail::run_sync(follower->catch_up(options));
  EXPECT_THAT(lines.get(), ElementsAre("one", "two", "partial", "three", "last without newline"));
}

TEST_F(SessionLog, CatchUpWithoutARunDeliversTheLastLinesAskedFor) {
  std::ofstream(host_path(kManualLog), std::ios::binary) << "a\nb\nc\nd\n";
  Lines lines;
  FollowOptions last_two;
  last_two.last_n_lines = 2;
  detail::LogFollower follower(kManualLog, last_two,
                               [&lines](std::string_view line) { lines.add(line); });
  detail::run_sync(follower.begin(options));
  detail::run_sync(follower.catch_up(options));
  EXPECT_THAT(lines.get(), ElementsAre("c", "d"));
}

TEST_F(SessionLog, CatchUpOfALogThatNeverExistedDeliversNothing) {
  Lines lines;
  detail::LogFollower follower("/var/log/multi-agent/never.log", FollowOptions{},
                               [&lines](std::string_view line) { lines.add(line); });
  detail::run_sync(follower.begin(options));
  detail::run_sync(follower.catch_up(options));
  EXPECT_THAT(lines.get(), IsEmpty());
}

TEST_F(SessionLog, AStoppedFollowLeavesNoTailInTheContainerWhenTheCliDiesAlone) {
  // As with a real docker daemon, killing the CLI does not end tail in the container: only
  // the stdin lifeline (exec -i, EOF once the SDK let go of the CLI) does.
  container.set_switch("real-exec", true);
  follow_one_line_and_stop();
  EXPECT_TRUE(eventually([&] { return tail_processes(kManualLog).empty(); }))
      << "the log no longer grows: a tail left behind would live forever";
}
