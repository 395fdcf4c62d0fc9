// SessionJournal: durability, torn records, corrupt files, the lock, compaction, and a
// writer process killed at random points.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "hivemind/common/error.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "lifecycle/temp_dir.hpp"
#include "support/capture_error.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using hivemind::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

JournalEntry entry(const std::string& id, std::string task = "a task") {
  JournalEntry e;
  e.session_id = id;
  e.task = std::move(task);
  e.priority = Priority::high;
  e.metadata = {{"owner", "tests"}};
  e.created = e.status_seen = std::chrono::system_clock::now();
  return e;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void append(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class Journal : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path file() const { return dir.path() / "journal.jsonl"; }
};

}  // namespace

TEST_F(Journal, RecordsAreOnDiskWhenRecordReturnsAndSurviveReopening) {
  {
    SessionJournal journal(dir.path());
    journal.record(entry("s1", "first \"quoted\"\ntask"));
    journal.record(entry("s2"));
    // Visible to an independent reader at once: written and synced, not buffered.
    const auto seen = SessionJournal::read(dir.path());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].task, "first \"quoted\"\ntask");
    EXPECT_TRUE(journal.record_status("s1", "completed"));
    EXPECT_FALSE(journal.record_status("unknown", "completed"));
    EXPECT_TRUE(journal.record_archive("s2", "/archive/s2"));
  }
  SessionJournal reopened(dir.path());
  const auto entries = reopened.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].session_id, "s1");
  EXPECT_EQ(entries[0].status, "completed");
  EXPECT_TRUE(entries[0].is_final());
  EXPECT_EQ(entries[0].priority, Priority::high);
  EXPECT_EQ(entries[0].metadata["owner"], "tests");
  EXPECT_EQ(entries[1].archive_dir, fs::path("/archive/s2"));
  EXPECT_FALSE(entries[1].is_final());
  EXPECT_EQ(reopened.load_report().records, 4u);
  EXPECT_EQ(reopened.load_report().torn_bytes, 0u);
}

TEST_F(Journal, TornLastRecordIsSkippedAndCutOffBeforeTheNextAppend) {
  { SessionJournal(dir.path()).record(entry("whole")); }
  const std::string torn = R"({"put":{"session_id":"torn","task":"half)";
  append(file(), torn);

  EXPECT_EQ(SessionJournal::read(dir.path()).size(), 1u);  // readers skip it too
  {
    SessionJournal journal(dir.path());
    EXPECT_EQ(journal.load_report().torn_bytes, torn.size());
    ASSERT_EQ(journal.entries().size(), 1u);
    journal.record(entry("after"));
  }
  const auto content = slurp(file());
  EXPECT_THAT(content, ::testing::Not(HasSubstr("half")));
  SessionJournal reopened(dir.path());
  EXPECT_EQ(reopened.entries().size(), 2u);
  EXPECT_EQ(reopened.load_report().torn_bytes, 0u);
}

// What a crash (or a power loss) can leave: the last record cut at any byte. Every cut
// loads the earlier records and nothing of the cut one; a writer reopening it goes on.
TEST_F(Journal, LastRecordCutAtAnyByteLoadsEveryEarlierRecord) {
  {
    SessionJournal journal(dir.path());
    journal.record(entry("s1"));
    journal.record(entry("s2"));
    journal.record(entry("s3", "the last record, cut"));
  }
  const auto whole = slurp(file());
  const auto last_start = whole.rfind('\n', whole.size() - 2) + 1;
  for (auto cut = last_start + 1; cut < whole.size(); ++cut) {
    { std::ofstream(file(), std::ios::binary | std::ios::trunc) << whole.substr(0, cut); }
    const auto entries = SessionJournal::read(dir.path());
    ASSERT_EQ(entries.size(), 2u) << "cut at byte " << cut;
    EXPECT_EQ(entries[1].session_id, "s2");
  }
  // Reopened for writing after the last cut: the torn bytes go, new records follow.
  {
    SessionJournal journal(dir.path());
    EXPECT_EQ(journal.load_report().torn_bytes, whole.size() - 1 - last_start);
    journal.record(entry("s4"));
  }
  const auto entries = SessionJournal::read(dir.path());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].session_id, "s4");
}

TEST_F(Journal, GarbageLineNamesTheFileAndLine) {
  {
    SessionJournal journal(dir.path());
    journal.record(entry("s1"));
  }
  append(file(), "this is not json\n");
  {
    std::ofstream(file(), std::ios::app) << R"({"put":{"session_id":"s2"}})"
                                         << "\n";
  }
  const auto error = capture_error([&] { SessionJournal journal(dir.path()); });
  EXPECT_EQ(error.kind(), errc::journal_corrupt);
  EXPECT_THAT(error.what(), HasSubstr(file().string() + ":3"));
  EXPECT_THAT(error.what(), HasSubstr("not valid JSON"));
  // read() refuses the same way: nothing is dropped silently.
  EXPECT_EQ(capture_error([&] { SessionJournal::read(dir.path()); }).kind(), errc::journal_corrupt);
}

TEST_F(Journal, RecordMissingFieldsNamesTheLine) {
  { SessionJournal(dir.path()).record(entry("s1")); }
  append(file(), R"({"put":{"session_id":"s2"}})"
                 "\n");
  const auto error = capture_error([&] { SessionJournal journal(dir.path()); });
  EXPECT_EQ(error.kind(), errc::journal_corrupt);
  EXPECT_THAT(error.what(), HasSubstr(file().string() + ":3: malformed record"));
}

TEST_F(Journal, WrongVersionAndForeignFilesAreRefused) {
  {
    std::ofstream(file()) << R"({"format":"hivemind-session-journal","version":7})"
                          << "\n";
  }
  auto error = capture_error([&] { SessionJournal journal(dir.path()); });
  EXPECT_EQ(error.kind(), errc::journal_corrupt);
  EXPECT_THAT(error.what(), HasSubstr(file().string() + ":1: unsupported journal version 7"));

  {
    std::ofstream(file()) << R"({"some":"other file"})"
                          << "\n";
  }
  error = capture_error([&] { SessionJournal journal(dir.path()); });
  EXPECT_THAT(error.what(), HasSubstr(":1: not a session journal"));
}

TEST_F(Journal, SecondOpenerGetsAClearErrorInThisAndAnotherProcess) {
  SessionJournal owner(dir.path());
  const auto error = capture_error([&] { SessionJournal second(dir.path()); });
  EXPECT_EQ(error.kind(), errc::journal_locked);
  EXPECT_THAT(error.what(), HasSubstr(dir.path().string()));
  EXPECT_THAT(error.what(), HasSubstr("in use"));
  EXPECT_STREQ(to_string(errc::journal_locked), "journal_locked");
  EXPECT_STREQ(to_string(errc::journal_corrupt), "journal_corrupt");

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      SessionJournal other(dir.path());
      ::_exit(1);
    } catch (const Error& e) {
      ::_exit(e.kind() == errc::journal_locked ? 42 : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST_F(Journal, LockIsReleasedWithTheJournal) {
  { SessionJournal first(dir.path()); }
  EXPECT_NO_THROW(SessionJournal second(dir.path()));
}

TEST_F(Journal, CompactionKeepsOneRecordPerSessionAndDropsLeftoverTemp) {
  {
    SessionJournal journal(dir.path(), JournalOptions{10});
    for (int i = 0; i < 3; ++i) journal.record(entry("s" + std::to_string(i)));
    for (int round = 0; round < 20; ++round) {
      journal.record_status("s" + std::to_string(round % 3), "running-" + std::to_string(round));
    }
    // 1 header + at most 3 sessions + fewer than 10 records since the last compaction.
    EXPECT_LT(count_lines(slurp(file())), 1u + 3u + 10u);
    const auto entries = journal.entries();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[1].status, "running-19");
  }
  { std::ofstream(dir.path() / "journal.jsonl.tmp") << "half a compaction"; }
  SessionJournal reopened(dir.path());
  EXPECT_FALSE(fs::exists(dir.path() / "journal.jsonl.tmp"));
  EXPECT_EQ(reopened.entries().size(), 3u);
  reopened.compact();
  EXPECT_EQ(count_lines(slurp(file())), 4u);
}

// A writer process records sessions (some with large tasks, so that writes take time
// and compaction runs often) and reports each UUID after record() returned. It is
// SIGKILLed at a random point; every reported UUID must then be in the journal, and the
// journal must open cleanly. Repeated over many rounds on the same directory, so that
// torn records and interrupted compactions from earlier rounds are met on load.
TEST_F(Journal, WriterKilledAtRandomPointsNeverLosesAnAcknowledgedRecord) {
  std::mt19937 random(std::random_device{}());
  std::set<std::string> acknowledged;
  std::size_t torn_seen = 0;
  for (int round = 0; round < 20; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const unsigned seed = random();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      std::mt19937 child_random(seed);
      try {
        SessionJournal journal(dir.path(), JournalOptions{7});
        for (int i = 0;; ++i) {
          const std::string id = "r" + std::to_string(round) + "-" + std::to_string(i);
          journal.record(entry(id, std::string(child_random() % 16384, 'x')));
          journal.record_status(id, "running");
          const std::string ack = id + "\n";
          if (::write(pipe_fds[1], ack.data(), ack.size()) != static_cast<ssize_t>(ack.size())) {
            ::_exit(4);
          }
        }
      } catch (...) {
        ::_exit(5);
      }
    }
    ::close(pipe_fds[1]);
    // Kill after a random number of acknowledgements, at a random moment of the next
    // record (mid-write, mid-fsync, mid-compaction).
    const auto wanted = 1 + random() % 12;
    std::string received;
    char buffer[4096];
    while (static_cast<std::size_t>(std::count(received.begin(), received.end(), '\n')) < wanted) {
      const auto got = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (got <= 0) break;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    // Not a synchronisation: a random delay that moves the kill point around the
    // writer's next record.
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with " << WEXITSTATUS(status);
    for (;;) {  // acknowledgements written before the kill count too
      const auto got = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (got <= 0) break;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
    std::istringstream lines(received);
    for (std::string id; std::getline(lines, id);) acknowledged.insert(id);

    SessionJournal reloaded(dir.path());
    torn_seen += reloaded.load_report().torn_bytes != 0 ? 1 : 0;
    std::set<std::string> present;
    for (const auto& e : reloaded.entries()) {
      present.insert(e.session_id);
      EXPECT_EQ(e.priority, Priority::high);  // every loaded record is whole
    }
    for (const auto& id : acknowledged) {
      ASSERT_TRUE(present.contains(id)) << id << " acknowledged but lost in round " << round;
    }
  }
  std::cout << acknowledged.size() << " acknowledged records survived 20 kills; " << torn_seen
            << " loads met a torn record\n";
}
