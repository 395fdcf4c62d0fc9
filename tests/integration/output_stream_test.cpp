// run_output_stream: a child's stdout as it arrives, bounded stderr, and no process left
// behind whether it ends, is cancelled, or its consumer throws. Runs local commands (no
// container). The tests read the output as lines, the way the log follower does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/line_framer.hpp"
#include "hivemind/common/error.hpp"
#include "process/output_stream.hpp"
#include "support/background_operation.hpp"
#include "support/collected_lines.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::detail::ChildCommand;
using hivemind::detail::OutputStreamRequest;
using hivemind::detail::OutputStreamResult;
using hivemind::testing::BackgroundOperation;
using hivemind::testing::child_processes;
using hivemind::testing::eventually;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::IsEmpty;

namespace {

using Lines = hivemind::testing::CollectedLines;

using StreamRun = BackgroundOperation<OutputStreamResult>;

boost::asio::awaitable<OutputStreamResult> stream_lines(OutputStreamRequest request, Lines& lines) {
  detail::LineFramer splitter(detail::LineFramer::text(1u << 20));
  const auto add = [&lines](std::string_view line) { lines.add(line); };
  std::function<void(std::string_view)> on_output = [&](std::string_view chunk) {
    splitter.feed(chunk, add);
  };
  auto result = co_await detail::run_output_stream(std::move(request), std::move(on_output));
  splitter.finish(add);
  co_return result;
}

auto stream(std::vector<std::string> argv, Lines& lines, std::size_t max_stderr_bytes = 64 << 10) {
  return [argv = std::move(argv), &lines, max_stderr_bytes] {
    OutputStreamRequest request{ChildCommand{argv.front(), {argv.begin() + 1, argv.end()}, {}}};
    request.max_stderr_bytes = max_stderr_bytes;
    return stream_lines(std::move(request), lines);
  };
}

// Processes whose command line holds `marker` as an argument (e.g. a unique sleep time).
std::vector<int> processes_with_argument(const std::string& marker) {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path() / "cmdline");
    for (std::string arg; std::getline(file, arg, '\0');) {
      if (arg == marker) pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

}  // namespace

TEST(OutputStream, DeliversLinesThenAPartialLastLineAtExit) {
  Lines lines;
  StreamRun run(stream({"printf", "one\\ntwo\\r\\nno newline"}, lines));
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  ASSERT_FALSE(run.failure());
  EXPECT_EQ(run.value()->exit_code, 0);
  EXPECT_THAT(lines.get(), ElementsAre("one", "two", "no newline"));
  EXPECT_THAT(child_processes(), IsEmpty());
}

TEST(OutputStream, DeliversEachLineWhileTheProcessStillRuns) {
  // The child writes a line only after the test has seen the previous one.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("hivemind-line-stream-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string script =
      "for i in 1 2 3; do echo \"line $i\"; while [ ! -e \"$0/ack$i\" ]; do sleep 0.01; done; "
      "done";
  Lines lines;
  StreamRun run(stream({"sh", "-c", script, dir.string()}, lines));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(eventually([&] { return lines.get().size() == static_cast<std::size_t>(i); }));
    EXPECT_EQ(lines.get().back(), "line " + std::to_string(i));
    EXPECT_FALSE(run.done());
    std::ofstream(dir / ("ack" + std::to_string(i))).put('\n');
  }
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  EXPECT_FALSE(run.failure());
  EXPECT_THAT(lines.get(), ElementsAre("line 1", "line 2", "line 3"));
  std::filesystem::remove_all(dir);
}

TEST(OutputStream, KeepsTheMostRecentStderrBounded) {
  Lines lines;
  const std::string script =
      "i=0; while [ $i -lt 100 ]; do echo \"err $i\" >&2; i=$((i+1)); done; echo out; exit 3";
  StreamRun run(stream({"sh", "-c", script}, lines, /*max_stderr_bytes=*/40));
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  ASSERT_FALSE(run.failure());
  EXPECT_EQ(run.value()->exit_code, 3);
  EXPECT_LE(run.value()->err.size(), 40u);
  EXPECT_THAT(run.value()->err, EndsWith("err 98\nerr 99\n"));
  EXPECT_THAT(lines.get(), ElementsAre("out"));
}

TEST(OutputStream, AProgramThatCannotStartIsALaunchError) {
  Lines lines;
  StreamRun run(stream({"/nonexistent/hivemind-no-such-program"}, lines));
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  ASSERT_FALSE(run.failure());
  EXPECT_TRUE(run.value()->launch_error);
  EXPECT_THAT(child_processes(), IsEmpty());
}

TEST(OutputStream, CancellingKillsTheWholeProcessGroupAndReapsIt) {
  Lines lines;
  // The shell's child `sleep` holds the pipes too: only a group kill ends it.
  const std::string marker = "3141.5926";
  StreamRun run(stream({"sh", "-c", "echo started; sleep " + marker + "; echo never"}, lines));
  ASSERT_TRUE(eventually([&] { return lines.get() == std::vector<std::string>{"started"}; }));
  ASSERT_TRUE(eventually([&] { return !processes_with_argument(marker).empty(); }));
  run.cancel();
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  EXPECT_EQ(run.error_kind(), errc::cancelled);
  EXPECT_THAT(child_processes(), IsEmpty());
  // The sleep was re-parented and is reaped by init: it must be gone, not merely detached.
  EXPECT_TRUE(eventually([&] { return processes_with_argument(marker).empty(); }));
  EXPECT_THAT(lines.get(), ElementsAre("started"));
}

TEST(OutputStream, AThrowingConsumerEndsTheStreamAndKillsTheProcess) {
  const std::string marker = "2718.2818";
  StreamRun run([&] {
    OutputStreamRequest request{ChildCommand{"sh", {"-c", "echo boom; sleep " + marker}, {}}};
    return detail::run_output_stream(std::move(request), [](std::string_view chunk) {
      throw std::runtime_error("consumer failed on " + std::string(chunk));
    });
  });
  ASSERT_TRUE(eventually([&] { return run.done(); }));
  ASSERT_TRUE(run.failure());
  try {
    std::rethrow_exception(run.failure());
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "consumer failed on boom\n");
  }
  EXPECT_THAT(child_processes(), IsEmpty());
  EXPECT_TRUE(eventually([&] { return processes_with_argument(marker).empty(); }));
}
