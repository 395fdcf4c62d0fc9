#include "hivemind/journal/session_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"

namespace hivemind {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using system_clock = std::chrono::system_clock;

constexpr std::string_view kFormat = "hivemind-session-journal";
constexpr int kVersion = 1;
constexpr const char* kJournalFile = "journal.jsonl";
constexpr const char* kTempFile = "journal.jsonl.tmp";
constexpr const char* kLockFile = "lock";

[[noreturn]] void fail_io(const std::string& what, const fs::path& path) {
  const int code = errno;
  throw Error(std::error_code(code, std::generic_category()),
              "session journal: " + what + " " + path.string() + ": " + std::strerror(code));
}

[[noreturn]] void fail_corrupt(const fs::path& file, std::size_t line, const std::string& why) {
  throw Error(errc::journal_corrupt,
              "session journal " + file.string() + ":" + std::to_string(line) + ": " + why);
}

// Closes a descriptor on scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Fd open_or_fail(const fs::path& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) fail_io(what, path);
  return Fd(fd);
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const auto written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail_io("cannot write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

void sync_or_fail(int fd, const fs::path& path) {
  if (::fsync(fd) != 0) fail_io("cannot fsync", path);
}

// A rename is durable only once the directory holding it is synced.
void sync_directory(const fs::path& directory) {
  Fd dir = open_or_fail(directory, O_RDONLY | O_DIRECTORY, "cannot open directory");
  sync_or_fail(dir.get(), directory);
}

std::string read_whole(const fs::path& path) {
  Fd file = open_or_fail(path, O_RDONLY, "cannot open");
  std::string content;
  char buffer[65536];
  for (;;) {
    const auto got = ::read(file.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_io("cannot read", path);
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
  }
  return content;
}

std::int64_t to_millis(system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

system_clock::time_point from_millis(std::int64_t millis) {
  return system_clock::time_point(std::chrono::milliseconds(millis));
}

std::string header_line() {
  return json{{"format", kFormat}, {"version", kVersion}}.dump() + "\n";
}

std::string record_line(const JournalEntry& entry) {
  return json{{"put", entry}}.dump() + "\n";
}

// The parsed content of a journal file.
struct Loaded {
  std::vector<JournalEntry> entries;  // in first-creation order, latest state of each
  JournalLoadReport report;
  std::size_t valid_bytes = 0;  // length of the file up to the end of its last whole line
};

void check_header(const json& header, const fs::path& file) {
  if (!header.is_object() || header.value("format", std::string()) != kFormat) {
    fail_corrupt(file, 1,
                 "not a session journal (expected the header {\"format\":\"" +
                     std::string(kFormat) + "\",\"version\":" + std::to_string(kVersion) + "})");
  }
  const auto version = header.find("version");
  if (version == header.end() || !version->is_number_integer() || *version != kVersion) {
    fail_corrupt(file, 1,
                 "unsupported journal version " +
                     (version == header.end() ? "(none)" : version->dump()) +
                     "; this SDK reads version " + std::to_string(kVersion));
  }
}

Loaded parse_journal(const std::string& content, const fs::path& file) {
  Loaded loaded;
  std::unordered_map<std::string, std::size_t> position;
  std::size_t offset = 0;
  for (std::size_t line_number = 1; offset < content.size(); ++line_number) {
    const auto end = content.find('\n', offset);
    if (end == std::string::npos) {
      // Written without its newline: the writer died mid-record before acknowledging it.
      loaded.report.torn_bytes = content.size() - offset;
      logger()->warn("session journal {}:{}: skipping a torn last record ({} bytes)", file.string(),
                     line_number, loaded.report.torn_bytes);
      break;
    }
    const std::string_view line(content.data() + offset, end - offset);
    offset = end + 1;
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded()) fail_corrupt(file, line_number, "not valid JSON");
    if (line_number == 1) {
      check_header(parsed, file);
    } else {
      const auto put = parsed.find("put");
      if (!parsed.is_object() || put == parsed.end() || !put->is_object()) {
        fail_corrupt(file, line_number, "not a journal record (expected {\"put\":{...}})");
      }
      JournalEntry entry;
      try {
        entry = put->get<JournalEntry>();
      } catch (const std::exception& e) {
        fail_corrupt(file, line_number, std::string("malformed record: ") + e.what());
      }
      if (entry.session_id.empty()) fail_corrupt(file, line_number, "record without session_id");
      const auto [it, inserted] = position.emplace(entry.session_id, loaded.entries.size());
      if (inserted) {
        loaded.entries.push_back(std::move(entry));
      } else {
        loaded.entries[it->second] = std::move(entry);
      }
      ++loaded.report.records;
    }
    loaded.valid_bytes = offset;
  }
  return loaded;
}

Loaded load_file(const fs::path& file) {
  if (!fs::exists(file)) return {};
  return parse_journal(read_whole(file), file);
}

}  // namespace

bool JournalEntry::is_final() const noexcept {
  return status == "completed" || status == "failed" || status == "dead" || status == "lost";
}

void to_json(json& out, const JournalEntry& entry) {
  out = json{{"session_id", entry.session_id},
             {"task", entry.task},
             {"priority", entry.priority},
             {"metadata", entry.metadata},
             {"created_ms", to_millis(entry.created)},
             {"status", entry.status},
             {"status_seen_ms", to_millis(entry.status_seen)}};
  if (!entry.evidence.empty()) out["evidence"] = entry.evidence;
  if (!entry.archive_dir.empty()) out["archive_dir"] = entry.archive_dir.string();
}

void from_json(const json& in, JournalEntry& entry) {
  entry.session_id = in.at("session_id").get<std::string>();
  entry.task = in.at("task").get<std::string>();
  entry.priority = in.at("priority").get<Priority>();
  entry.metadata = in.value("metadata", json());
  entry.created = from_millis(in.at("created_ms").get<std::int64_t>());
  entry.status = in.at("status").get<std::string>();
  entry.status_seen = from_millis(in.at("status_seen_ms").get<std::int64_t>());
  entry.evidence = in.value("evidence", std::string());
  entry.archive_dir = in.value("archive_dir", std::string());
}

struct SessionJournal::State {
  fs::path directory;
  fs::path file;
  JournalOptions options;
  JournalLoadReport load_report;
  Fd lock;
  Fd journal;  // open for appending

  mutable std::mutex mutex;
  std::vector<JournalEntry> entries;
  std::unordered_map<std::string, std::size_t> position;
  std::size_t records_in_file = 0;

  void append(const JournalEntry& entry) {
    write_all(journal.get(), record_line(entry), file);
    sync_or_fail(journal.get(), file);
    ++records_in_file;
    if (records_in_file >= entries.size() + options.compact_after_records) compact();
  }

  void put(JournalEntry entry) {
    const auto [it, inserted] = position.emplace(entry.session_id, entries.size());
    if (inserted) {
      entries.push_back(std::move(entry));
    } else {
      entries[it->second] = std::move(entry);
    }
    append(entries[it->second]);
  }

  // Writes the whole state to a temporary file, makes it durable, renames it into place.
  void compact() {
    const auto temp = directory / kTempFile;
    {
      Fd out = open_or_fail(temp, O_WRONLY | O_CREAT | O_TRUNC, "cannot create");
      std::string content = header_line();
      for (const auto& entry : entries) content += record_line(entry);
      write_all(out.get(), content, temp);
      sync_or_fail(out.get(), temp);
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) fail_io("cannot rename into place", temp);
    sync_directory(directory);
    journal = open_or_fail(file, O_WRONLY | O_APPEND, "cannot open");
    records_in_file = entries.size();
  }
};

SessionJournal::SessionJournal(fs::path directory, JournalOptions options)
    : state_(std::make_unique<State>()) {
  auto& state = *state_;
  state.directory = std::move(directory);
  state.file = state.directory / kJournalFile;
  state.options = options;
  std::error_code ec;
  fs::create_directories(state.directory, ec);
  if (ec) {
    throw Error(ec, "session journal: cannot create directory " + state.directory.string() + ": " +
                        ec.message());
  }
  const auto lock_path = state.directory / kLockFile;
  state.lock = open_or_fail(lock_path, O_RDWR | O_CREAT, "cannot open lock file");
  if (::flock(state.lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      throw Error(errc::journal_locked,
                  "session journal " + state.directory.string() + " is in use (lock " +
                      lock_path.string() +
                      " is held by another process or SessionJournal); a journal directory "
                      "serves one process at a time");
    }
    fail_io("cannot lock", lock_path);
  }
  // A leftover temporary file is an interrupted compaction; the journal itself is whole.
  fs::remove(state.directory / kTempFile, ec);

  auto loaded = load_file(state.file);
  state.load_report = loaded.report;
  if (!fs::exists(state.file)) {
    state.compact();  // creates the file with its header, durably
    return;
  }
  state.entries = std::move(loaded.entries);
  for (std::size_t i = 0; i < state.entries.size(); ++i) {
    state.position.emplace(state.entries[i].session_id, i);
  }
  state.records_in_file = loaded.report.records;
  if (loaded.valid_bytes == 0) {
    // Not even the header is whole (a crash while the file was first written): rewrite it.
    state.compact();
    return;
  }
  state.journal = open_or_fail(state.file, O_WRONLY | O_APPEND, "cannot open");
  if (loaded.report.torn_bytes != 0) {
    // Cut the torn record off so the next record starts on a line of its own.
    if (::ftruncate(state.journal.get(), static_cast<off_t>(loaded.valid_bytes)) != 0) {
      fail_io("cannot truncate the torn record of", state.file);
    }
    sync_or_fail(state.journal.get(), state.file);
  }
}

SessionJournal::~SessionJournal() = default;

std::vector<JournalEntry> SessionJournal::read(const fs::path& directory) {
  return load_file(directory / kJournalFile).entries;
}

const fs::path& SessionJournal::directory() const noexcept {
  return state_->directory;
}

const JournalLoadReport& SessionJournal::load_report() const noexcept {
  return state_->load_report;
}

void SessionJournal::record(const JournalEntry& entry) {
  if (entry.session_id.empty()) {
    throw Error(errc::invalid_argument, "session journal: an entry needs a session_id");
  }
  std::lock_guard lock(state_->mutex);
  state_->put(entry);
}

bool SessionJournal::record_status(std::string_view session_id, std::string_view status,
                                   std::string_view evidence) {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->position.find(std::string(session_id));
  if (it == state_->position.end()) return false;
  auto entry = state_->entries[it->second];
  entry.status = status;
  entry.status_seen = system_clock::now();
  if (!evidence.empty()) entry.evidence = evidence;
  state_->put(std::move(entry));
  return true;
}

bool SessionJournal::record_archive(std::string_view session_id, const fs::path& archive_dir) {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->position.find(std::string(session_id));
  if (it == state_->position.end()) return false;
  auto entry = state_->entries[it->second];
  entry.archive_dir = archive_dir;
  state_->put(std::move(entry));
  return true;
}

std::optional<JournalEntry> SessionJournal::find(std::string_view session_id) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->position.find(std::string(session_id));
  if (it == state_->position.end()) return std::nullopt;
  return state_->entries[it->second];
}

std::vector<JournalEntry> SessionJournal::entries() const {
  std::lock_guard lock(state_->mutex);
  return state_->entries;
}

void SessionJournal::compact() {
  std::lock_guard lock(state_->mutex);
  state_->compact();
}

}  // namespace hivemind
