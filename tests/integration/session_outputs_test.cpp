// SessionOutputs against a fake host ext directory built in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_outputs.hpp"
#include "support/capture_error.hpp"

using namespace hivemind;
namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using hivemind::testing::capture_error;

namespace {

constexpr const char* kUuid = "123e4567-e89b-12d3-a456-426614174000";
constexpr const char* kOtherUuid = "00000000-0000-4000-8000-000000000001";

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const fs::path& file, std::string_view content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

std::vector<std::string> relative_paths(const std::vector<OutputFile>& files) {
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.relative_path.generic_string());
  return paths;
}

std::vector<std::string> relative_paths(const std::vector<fs::path>& files) {
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.generic_string());
  return paths;
}

// Every regular file under `root`, relative to it.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_directory()) paths.push_back(entry.path().lexically_relative(root).string());
  }
  return paths;
}

auto skipped(const std::string& path, const std::string& reason_part) {
  return AllOf(Field(&SkippedOutput::relative_path, fs::path(path)),
               Field(&SkippedOutput::reason, HasSubstr(reason_part)));
}

class SessionOutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "hivemind-outputs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base = pattern;
    ext = base / "ext";
    session_dir = ext / "hive-sessions" / kUuid;
    outside = base / "outside";
    fs::create_directories(session_dir);
    write_file(outside / "secret.txt", "top secret");
  }
  void TearDown() override { fs::remove_all(base); }

  void write_output(const fs::path& relative, std::string_view content) {
    write_file(session_dir / relative, content);
  }
  SessionOutputs outputs() const { return SessionOutputs(ext, kUuid); }

  // Expects `relative` to be refused by read() with invalid_argument naming it and `why`.
  void expect_read_refused(const fs::path& relative, const std::string& why) {
    SCOPED_TRACE(relative.string());
    const Error error = capture_error([&] { outputs().read(relative); });
    EXPECT_EQ(error.kind(), errc::invalid_argument);
    EXPECT_THAT(error.what(), HasSubstr(relative.string()));
    EXPECT_THAT(error.what(), HasSubstr(why));
  }

  fs::path base, ext, session_dir, outside;
};

// Restores HIVEMIND_HOST_EXT_DIR as it was when the guard was made.
class EnvironmentGuard {
 public:
  EnvironmentGuard() {
    if (const char* value = std::getenv(kName)) saved_ = value;
  }
  ~EnvironmentGuard() {
    if (saved_) {
      ::setenv(kName, saved_->c_str(), 1);
    } else {
      ::unsetenv(kName);
    }
  }
  static constexpr const char* kName = "HIVEMIND_HOST_EXT_DIR";

 private:
  std::optional<std::string> saved_;
};

}  // namespace

TEST_F(SessionOutputsTest, DirectoryIsUnderHiveSessions) {
  EXPECT_EQ(outputs().directory(), fs::absolute(ext) / "hive-sessions" / kUuid);
  EXPECT_EQ(outputs().session_id(), kUuid);
}

TEST_F(SessionOutputsTest, ConstructorRefusesBadUuidAndEmptyExtDir) {
  EXPECT_EQ(capture_error([&] { SessionOutputs(ext, "../../etc"); }).kind(),
            errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { SessionOutputs(ext, ""); }).kind(), errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { SessionOutputs("", kUuid); }).kind(), errc::invalid_argument);
}

TEST_F(SessionOutputsTest, ListsNestedRegularFilesSortedWithSizeAndTime) {
  write_output("b.txt", "bb");
  write_output("a.txt", "a");
  write_output("a/z.txt", "zzz");
  write_output("a/b/c.txt", "cccc");
  fs::create_directories(session_dir / "empty");

  const auto files = outputs().list();

  EXPECT_THAT(relative_paths(files), ElementsAre("a/b/c.txt", "a/z.txt", "a.txt", "b.txt"));
  EXPECT_EQ(files[0].size, 4u);
  EXPECT_EQ(files[1].size, 3u);
  EXPECT_EQ(files[0].modified, fs::last_write_time(session_dir / "a/b/c.txt"));
}

TEST_F(SessionOutputsTest, ReadsNestedFile) {
  write_output("report/summary.md", "# Done\n");
  EXPECT_EQ(outputs().read("report/summary.md"), "# Done\n");
  EXPECT_EQ(outputs().read("./report/summary.md"), "# Done\n");
}

TEST_F(SessionOutputsTest, ReadEnforcesMaxBytesWithoutTruncating) {
  write_output("ten.bin", "0123456789");
  EXPECT_EQ(outputs().read("ten.bin", 10), "0123456789");
  const Error error = capture_error([&] { outputs().read("ten.bin", 9); });
  EXPECT_EQ(error.kind(), errc::output_too_large);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("ten.bin"), HasSubstr("10 bytes")));
}

TEST_F(SessionOutputsTest, ReadRefusesMissingFilesAndDirectories) {
  write_output("dir/file.txt", "x");
  expect_read_refused("nope.txt", "no such file");
  expect_read_refused("dir", "a directory");
  expect_read_refused("dir/file.txt/deeper", "not a directory");
  expect_read_refused("", "empty path");
}

TEST_F(SessionOutputsTest, RefusesDotDotEvenWhenItWouldStayInside) {
  write_output("a/x.txt", "x");
  expect_read_refused("../../../outside/secret.txt", "'..'");
  expect_read_refused("a/../a/x.txt", "'..'");
}

TEST_F(SessionOutputsTest, RefusesAbsolutePathsEvenInsideTheDirectory) {
  write_output("x.txt", "x");
  expect_read_refused(outside / "secret.txt", "absolute");
  expect_read_refused(session_dir / "x.txt", "absolute");
}

TEST_F(SessionOutputsTest, SymlinkToFileOutsideIsRefusedEverywhere) {
  write_output("kept.txt", "kept");
  fs::create_symlink(outside / "secret.txt", session_dir / "leak.txt");
  // Relative targets climbing out are just as outside.
  fs::create_symlink("../../../outside/secret.txt", session_dir / "relative-leak.txt");

  expect_read_refused("leak.txt", "outside the session output directory");
  expect_read_refused("relative-leak.txt", "outside the session output directory");

  const OutputListing listing = outputs().list_with_skipped();
  EXPECT_THAT(relative_paths(listing.files), ElementsAre("kept.txt"));
  EXPECT_THAT(listing.skipped, UnorderedElementsAre(skipped("leak.txt", "outside"),
                                                    skipped("relative-leak.txt", "outside")));

  const CopyReport report = outputs().copy_to(base / "copy");
  EXPECT_THAT(relative_paths(report.copied), ElementsAre("kept.txt"));
  EXPECT_THAT(report.skipped, Contains(skipped("leak.txt", "outside")));
  EXPECT_THAT(files_under(base / "copy"), ElementsAre("kept.txt"));
}

TEST_F(SessionOutputsTest, SymlinkToDirectoryOutsideIsRefusedEverywhere) {
  fs::create_directory_symlink(outside, session_dir / "escape");

  expect_read_refused("escape/secret.txt", "outside the session output directory");
  const OutputListing listing = outputs().list_with_skipped();
  EXPECT_THAT(listing.files, IsEmpty());
  EXPECT_THAT(listing.skipped, ElementsAre(skipped("escape", "outside")));
  EXPECT_THAT(outputs().copy_to(base / "copy").copied, IsEmpty());
  EXPECT_THAT(files_under(base / "copy"), IsEmpty());
}

TEST_F(SessionOutputsTest, SymlinkChainLeavingIsRefused) {
  fs::create_symlink("hop2", session_dir / "hop1");
  fs::create_directories(session_dir / "deeper");
  fs::create_symlink("deeper/hop3", session_dir / "hop2");
  fs::create_symlink(outside / "secret.txt", session_dir / "deeper" / "hop3");

  expect_read_refused("hop1", "outside the session output directory");
  expect_read_refused("hop2", "outside the session output directory");
  const OutputListing listing = outputs().list_with_skipped();
  EXPECT_THAT(listing.files, IsEmpty());
  EXPECT_THAT(listing.skipped,
              UnorderedElementsAre(skipped("hop1", "outside"), skipped("hop2", "outside"),
                                   skipped("deeper/hop3", "outside")));
}

TEST_F(SessionOutputsTest, SymlinksStayingInsideAreFollowed) {
  write_output("real/data.txt", "data");
  fs::create_symlink("real/data.txt", session_dir / "link.txt");
  fs::create_symlink("link.txt", session_dir / "link-to-link.txt");
  fs::create_directory_symlink("real", session_dir / "dirlink");

  EXPECT_EQ(outputs().read("link.txt"), "data");
  EXPECT_EQ(outputs().read("link-to-link.txt"), "data");
  EXPECT_EQ(outputs().read("dirlink/data.txt"), "data");

  // The directory link is not walked: its content is listed under its real path.
  const OutputListing listing = outputs().list_with_skipped();
  EXPECT_THAT(relative_paths(listing.files),
              ElementsAre("link-to-link.txt", "link.txt", "real/data.txt"));
  EXPECT_EQ(listing.files[1].size, 4u);
  EXPECT_THAT(listing.skipped, ElementsAre(skipped("dirlink", "a directory")));

  outputs().copy_to(base / "copy");
  EXPECT_EQ(slurp(base / "copy" / "link.txt"), "data");
  EXPECT_FALSE(fs::is_symlink(base / "copy" / "link.txt"));
}

TEST_F(SessionOutputsTest, DanglingSymlinkIsSkipped) {
  fs::create_symlink("not-there-yet", session_dir / "dangling");
  expect_read_refused("dangling", "a symlink");
  EXPECT_THAT(outputs().list_with_skipped().skipped, ElementsAre(skipped("dangling", "symlink")));
}

TEST_F(SessionOutputsTest, SessionDirectoryThatIsASymlinkIsRefused) {
  fs::remove_all(session_dir);
  fs::create_directory_symlink(outside, session_dir);

  const Error error = capture_error([&] { outputs().read("secret.txt"); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("symlink"));
  EXPECT_EQ(capture_error([&] { outputs().list(); }).kind(), errc::invalid_argument);
  EXPECT_EQ(capture_error([&] { outputs().copy_to(base / "copy"); }).kind(),
            errc::invalid_argument);
}

TEST_F(SessionOutputsTest, FifoIsNeverOpened) {
  write_output("kept.txt", "kept");
  const fs::path fifo = session_dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Runs `action` on another thread; if it blocks opening the FIFO, opening the writing
  // end releases it so that the test fails instead of hanging.
  const auto promptly = [&](auto action) {
    auto result = std::async(std::launch::async, action);
    if (result.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) {
      ADD_FAILURE() << "blocked on the FIFO";
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
    }
    return result.get();
  };

  const OutputListing listing = promptly([&] { return outputs().list_with_skipped(); });
  EXPECT_THAT(relative_paths(listing.files), ElementsAre("kept.txt"));
  EXPECT_THAT(listing.skipped, ElementsAre(skipped("pipe", "a FIFO")));

  const Error error = promptly([&] { return capture_error([&] { outputs().read("pipe"); }); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("a FIFO"));

  const CopyReport report = promptly([&] { return outputs().copy_to(base / "copy"); });
  EXPECT_THAT(relative_paths(report.copied), ElementsAre("kept.txt"));
  EXPECT_THAT(report.skipped, ElementsAre(skipped("pipe", "a FIFO")));
  EXPECT_FALSE(fs::exists(base / "copy" / "pipe"));
}

TEST_F(SessionOutputsTest, CopyToRecreatesTreeAndContent) {
  write_output("a.txt", "alpha");
  write_output("src/main.rs", "fn main() {}\n");
  write_output("src/deep/mod.rs", "");
  const fs::path destination = base / "copy" / "not" / "yet" / "there";
  write_file(destination / "a.txt", "stale content that must be replaced");

  const CopyReport report = outputs().copy_to(destination);

  EXPECT_THAT(relative_paths(report.copied),
              ElementsAre("a.txt", "src/deep/mod.rs", "src/main.rs"));
  EXPECT_EQ(report.bytes, 5u + 13u);
  EXPECT_THAT(report.skipped, IsEmpty());
  EXPECT_EQ(slurp(destination / "a.txt"), "alpha");
  EXPECT_EQ(slurp(destination / "src/main.rs"), "fn main() {}\n");
  EXPECT_EQ(slurp(destination / "src/deep/mod.rs"), "");
  // No temporary file is left behind.
  EXPECT_THAT(files_under(destination),
              UnorderedElementsAre("a.txt", "src/deep/mod.rs", "src/main.rs"));
}

TEST_F(SessionOutputsTest, CopyKeepsTheExecutableBit) {
  write_output("run.sh", "#!/bin/sh\n");
  write_output("notes.txt", "n");
  fs::permissions(session_dir / "run.sh", fs::perms::owner_all);
  outputs().copy_to(base / "copy");
  EXPECT_NE(fs::status(base / "copy" / "run.sh").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  EXPECT_EQ(fs::status(base / "copy" / "notes.txt").permissions() & fs::perms::owner_exec,
            fs::perms::none);
}

TEST_F(SessionOutputsTest, MissingSessionDirectoryIsSessionNotFound) {
  const SessionOutputs other(ext, kOtherUuid);
  for (const auto& action :
       std::vector<std::function<void()>>{[&] { other.list(); }, [&] { other.read("x.txt"); },
                                          [&] { other.copy_to(base / "copy"); }}) {
    const Error error = capture_error(action);
    EXPECT_EQ(error.kind(), errc::session_not_found);
    EXPECT_THAT(error.what(), HasSubstr(other.directory().string()));
    EXPECT_THAT(error.what(), HasSubstr("HIVEMIND_HOST_EXT_DIR"));
  }
  EXPECT_EQ(capture_error([&] { SessionOutputs(base / "no-ext", kUuid).list(); }).kind(),
            errc::session_not_found);
}

TEST_F(SessionOutputsTest, ConcurrentWriterNeverBreaksListingOrCopying) {
  std::atomic<bool> stop{false};
  // Creates, grows and deletes files and directories as fast as it can. Every byte it
  // writes is 'x', so any copy must hold only 'x'.
  std::thread writer([&] {
    for (unsigned round = 0; !stop; ++round) {
      const fs::path dir = session_dir / ("d" + std::to_string(round % 5));
      std::error_code ignored;
      fs::create_directories(dir, ignored);
      std::ofstream(dir / "grow.txt", std::ios::app) << std::string(round % 4096, 'x');
      if (round % 7 == 0) fs::remove_all(dir, ignored);
    }
  });
  for (int i = 0; i < 50; ++i) {
    const fs::path destination = base / "copy" / std::to_string(i);
    EXPECT_NO_THROW(outputs().list());
    CopyReport report;
    EXPECT_NO_THROW(report = outputs().copy_to(destination));
    for (const auto& copied : report.copied) {
      EXPECT_EQ(slurp(destination / copied).find_first_not_of('x'), std::string::npos) << copied;
    }
  }
  stop = true;
  writer.join();
}

TEST(SessionOutputsToHostPath, MapsPathsUnderWorkspaceExt) {
  const fs::path host = "/srv/hive/ext";
  EXPECT_EQ(
      SessionOutputs::to_host_path(host, std::string("/workspace/ext/hive-sessions/") + kUuid),
      host / "hive-sessions" / kUuid);
  EXPECT_EQ(SessionOutputs::to_host_path(host, "/workspace/ext"), host);
  EXPECT_EQ(SessionOutputs::to_host_path(host, "/workspace/ext/"), host);
  EXPECT_EQ(SessionOutputs::to_host_path(host, "/workspace/./ext//a"), host / "a");
}

TEST(SessionOutputsToHostPath, RefusesEverythingElse) {
  for (const char* refused :
       {"/workspace/extra/x", "/workspace/ext/../etc", "/workspace/ext/a/../b", "workspace/ext/a",
        "ext/a", "", "/etc/passwd", "/workspace"}) {
    SCOPED_TRACE(refused);
    const Error error = capture_error([&] { SessionOutputs::to_host_path("/srv/ext", refused); });
    EXPECT_EQ(error.kind(), errc::invalid_argument);
    EXPECT_THAT(error.what(), HasSubstr(std::string("'") + refused + "'"));
  }
}

TEST(SessionOutputsResolveHostExtDir, ConfiguredThenEnvironmentThenDefault) {
  const EnvironmentGuard guard;
  ::setenv(EnvironmentGuard::kName, "/from/env", 1);
  EXPECT_EQ(SessionOutputs::resolve_host_ext_dir("/configured"), "/configured");
  EXPECT_EQ(SessionOutputs::resolve_host_ext_dir(""), "/from/env");
  ::setenv(EnvironmentGuard::kName, "", 1);
  EXPECT_EQ(SessionOutputs::resolve_host_ext_dir(""), "./workspace/ext");
  ::unsetenv(EnvironmentGuard::kName);
  EXPECT_EQ(SessionOutputs::resolve_host_ext_dir(""), "./workspace/ext");
}
