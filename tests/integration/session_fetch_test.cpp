// SessionHandle::fetch_outputs_to against a mock container that shares no directory with
// the client: its host_ext_dir points where nothing is mounted, so every byte has to come
// through `exec tar` and the extraction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using hivemind::testing::MockContainer;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

class SessionFetch : public ::testing::Test {
 protected:
  SessionFetch() {
    auto options = container.options();
    options.host_ext_dir = container.root() / "nothing-mounted-here";
    client.emplace(std::move(options));
  }

  MockContainer container;
  std::optional<HiveMindClient> client;
  fs::path destination = container.root() / "fetched";
};

TEST_F(SessionFetch, EveryOutputFileArrivesByteForByteWithNoSharedDirectory) {
  const auto session = client->spawn_task("fetch me #files=4");
  ASSERT_EQ(session.wait_for_completion().outcome, WaitOutcome::completed);
  // What the container holds, read on its side of the (mock) mount.
  const SessionOutputs in_container(container.host_ext_dir(), session.uuid());
  const auto expected = in_container.list();
  ASSERT_GE(expected.size(), 4U);

  const auto report = session.fetch_outputs_to(destination);
  EXPECT_TRUE(report.skipped.empty());
  ASSERT_EQ(report.copied.size(), expected.size());
  std::uintmax_t bytes = 0;
  for (const auto& file : expected) {
    std::ifstream copied(destination / file.relative_path, std::ios::binary);
    const std::string content{std::istreambuf_iterator<char>(copied), {}};
    EXPECT_EQ(content, in_container.read(file.relative_path)) << file.relative_path;
    bytes += file.size;
  }
  EXPECT_EQ(report.bytes, bytes);
  // Nothing is left behind in the temporary directory.
  for (const auto& item : fs::directory_iterator(fs::temp_directory_path())) {
    EXPECT_FALSE(item.path().filename().string().starts_with("hivemind-fetch-") &&
                 fs::exists(item.path() / "hive-sessions" / session.uuid()))
        << item.path();
  }
}

TEST_F(SessionFetch, ALinkOutOfTheOutputDirectoryIsSkippedAndReported) {
  const auto session = client->spawn_task("linked #files=1");
  ASSERT_EQ(session.wait_for_completion().outcome, WaitOutcome::completed);
  const SessionOutputs in_container(container.host_ext_dir(), session.uuid());
  fs::create_symlink("/etc/passwd", in_container.directory() / "passwd");

  const auto report = session.fetch_outputs_to(destination);
  ASSERT_EQ(report.skipped.size(), 1U);
  EXPECT_EQ(report.skipped[0].relative_path, "passwd");
  EXPECT_THAT(report.skipped[0].reason, HasSubstr("symbolic link"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination / "passwd")));
  EXPECT_FALSE(report.copied.empty());
}

TEST_F(SessionFetch, ASessionWithNoOutputDirectoryIsSessionNotFound) {
  const auto unknown = SessionHandle::from_uuid(*client, "00000000-0000-4000-8000-000000000001");
  const auto error = capture_error([&] { unknown.fetch_outputs_to(destination); });
  EXPECT_EQ(error.kind(), errc::session_not_found);
  EXPECT_THAT(error.what(), HasSubstr("no output directory"));
  EXPECT_FALSE(fs::exists(destination));
}

TEST_F(SessionFetch, AnUnreachableContainerIsContainerUnavailable) {
  const auto session = client->spawn_task("unreachable #files=1");
  ASSERT_EQ(session.wait_for_completion().outcome, WaitOutcome::completed);
  container.set_switch("daemon-down", true);
  EXPECT_EQ(capture_error([&] { session.fetch_outputs_to(destination); }).kind(),
            errc::container_unavailable);
}

}  // namespace
