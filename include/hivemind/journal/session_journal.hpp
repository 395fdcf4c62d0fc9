// SessionJournal: a local, durable record of every session the application created, so
// that sessions outlive the application (see docs/lifecycle.md).
//
// On disk, in the journal directory:
//   journal.jsonl  line 1 a header {"format":"hivemind-session-journal","version":1};
//                  then one JSON record per line, each the whole current state of one
//                  session ({"put":{...}}); a later record for a UUID replaces earlier ones.
//   lock           held with an exclusive flock(2) while a SessionJournal is open.
//
// - Durability: record() returns only after the line is written and fsynced.
// - Compaction: once the file holds compact_after_records more records than sessions, it
//   is rewritten as one record per session into journal.jsonl.tmp, fsynced and renamed
//   over journal.jsonl (then the directory is fsynced). A crash at any point leaves
//   either the old or the new file whole; a leftover .tmp is removed on open.
// - A last line without its newline is a record torn by a crash mid-write: it was never
//   acknowledged, so it is skipped (and cut off when the journal is opened for writing).
//   Any other unreadable line, or a wrong header, throws errc::journal_corrupt naming the
//   file and line: nothing is dropped silently.
// - One process at a time: a second SessionJournal on the same directory (from another
//   process or the same one) throws errc::journal_locked. SessionJournal::read() takes no
//   lock and may be used by anyone (e.g. a dashboard) while the owner writes.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/models/priority.hpp"

namespace hivemind {

struct JournalEntry {
  std::string session_id;
  std::string task;
  Priority priority = Priority::medium;
  nlohmann::json metadata;  // as given to create; null when none
  std::chrono::system_clock::time_point created;
  // Last known status: the container's (`created`, `running`, `completed`, `failed`, ...)
  // or the SDK's verdict `dead` / `lost`.
  std::string status = "created";
  std::chrono::system_clock::time_point status_seen;  // when that status was observed
  std::string evidence;                               // for dead/lost: what was observed
  std::filesystem::path archive_dir;  // where its outputs/log were archived; empty: not

  // completed, failed, dead or lost: nothing will change it any more.
  bool is_final() const noexcept;
};

void to_json(nlohmann::json& out, const JournalEntry& entry);
void from_json(const nlohmann::json& in, JournalEntry& entry);

struct JournalOptions {
  // Compact when the file holds this many more records than there are sessions.
  std::size_t compact_after_records = 1000;
};

struct JournalLoadReport {
  std::size_t records = 0;     // complete records read
  std::size_t torn_bytes = 0;  // length of a torn last record that was skipped (0: none)
};

class SessionJournal {
 public:
  // Creates the directory if needed, takes its lock and loads it.
  explicit SessionJournal(std::filesystem::path directory, JournalOptions options = {});
  ~SessionJournal();
  SessionJournal(const SessionJournal&) = delete;
  SessionJournal& operator=(const SessionJournal&) = delete;

  // The entries of a journal directory without locking it (an empty list when it holds
  // no journal). Throws journal_corrupt like the constructor.
  static std::vector<JournalEntry> read(const std::filesystem::path& directory);

  const std::filesystem::path& directory() const noexcept;
  const JournalLoadReport& load_report() const noexcept;

  // Stores the entry (replacing the one with the same UUID), durably.
  void record(const JournalEntry& entry);
  // Updates the status of a known session (no-op for an unknown UUID; returns whether
  // it was known). `evidence` replaces the stored evidence when not empty.
  bool record_status(std::string_view session_id, std::string_view status,
                     std::string_view evidence = {});
  bool record_archive(std::string_view session_id, const std::filesystem::path& archive_dir);

  std::optional<JournalEntry> find(std::string_view session_id) const;
  // Every session, oldest first.
  std::vector<JournalEntry> entries() const;
  // Rewrites the file with one record per session (see above).
  void compact();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hivemind
