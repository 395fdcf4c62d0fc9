#include "hivemind/control/session_outputs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "control/input_validation.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSessionsDirName = "hive-sessions";
constexpr const char* kContainerExtDir = "/workspace/ext";
constexpr const char* kHostExtDirVariable = "HIVEMIND_HOST_EXT_DIR";
// Each level of the walk holds one directory descriptor; the bound keeps a hostile
// (or runaway) tree from exhausting the process's descriptors.
constexpr std::size_t kMaxWalkDepth = 64;
constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;

// Every component is opened without following symlinks: the paths opened are already
// resolved, so a symlink showing up means the tree changed after the check.
constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// O_NONBLOCK and O_NOCTTY only matter if a regular file is swapped for a FIFO or a
// terminal between the type check and the open: the open then returns at once
// instead of blocking, and the fstat afterwards refuses it.
constexpr int kFileFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// Why one output path is refused. read() reports it as invalid_argument; list() and
// copy_to() report it as a skipped entry and go on with the others.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void throw_system(int error, const std::string& what) {
  throw Error(std::error_code(error, std::system_category()), what);
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(-1); }

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  void reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int fd_ = -1;
};

// openat retried on EINTR. On failure the result is empty and errno says why.
UniqueFd open_at(int dir_fd, const fs::path& name, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::openat(dir_fd, name.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  return UniqueFd(fd);
}

// strerror() is not thread-safe; the error category's message is.
std::string errno_text(int error) {
  return std::generic_category().message(error);
}

bool has_dot_dot(const fs::path& path) {
  return std::any_of(path.begin(), path.end(), [](const fs::path& part) { return part == ".."; });
}

bool has_nul(const fs::path& path) {
  return path.native().find('\0') != std::string::npos;
}

const char* describe_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symlink";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

void require_regular(mode_t mode) {
  if (!S_ISREG(mode))
    throw Refused(std::string("not a regular file (") + describe_type(mode) + ")");
}

fs::file_time_type modification_time(const struct stat& status) {
  const auto since_epoch = std::chrono::seconds{status.st_mtim.tv_sec} +
                           std::chrono::nanoseconds{status.st_mtim.tv_nsec};
  const auto file_time = std::chrono::file_clock::from_sys(
      std::chrono::sys_time<std::chrono::nanoseconds>{since_epoch});
  return std::chrono::time_point_cast<fs::file_time_type::duration>(file_time);
}

// The session's output directory, opened once per operation. `fd` is the anchor of
// every later open; `path` is its canonical host path, used to check symlink targets.
struct SessionRoot {
  fs::path path;
  UniqueFd fd;
};

[[noreturn]] void session_missing(const fs::path& directory) {
  throw Error(errc::session_not_found,
              "session output directory " + directory.string() +
                  " does not exist on the host; set ClientOptions::host_ext_dir (or " +
                  kHostExtDirVariable +
                  ") to the host directory mounted at /workspace/ext in the container");
}

// hive-sessions and UUID live inside the container-writable mount, so they must be real
// directories: a symlink there would move the whole session elsewhere on the host.
SessionRoot open_session_root(const fs::path& host_ext_dir, const std::string& session_id,
                              const fs::path& directory) {
  std::error_code ec;
  const fs::path ext = fs::canonical(host_ext_dir, ec);
  if (ec == std::errc::no_such_file_or_directory) session_missing(directory);
  if (ec) throw_system(ec.value(), "cannot resolve host_ext_dir " + host_ext_dir.string());
  UniqueFd fd = open_at(AT_FDCWD, ext, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (!fd) throw_system(errno, "cannot open host_ext_dir " + ext.string());
  for (const fs::path& name : {fs::path(kSessionsDirName), fs::path(session_id)}) {
    UniqueFd next = open_at(fd.get(), name, kDirectoryFlags);
    if (!next && errno == ENOENT) session_missing(directory);
    if (!next && (errno == ELOOP || errno == ENOTDIR)) {
      throw Error(errc::invalid_argument, "session output directory " + directory.string() +
                                              " is a symlink or not a directory; refused");
    }
    if (!next) throw_system(errno, "cannot open session output directory " + directory.string());
    fd = std::move(next);
  }
  return {ext / kSessionsDirName / session_id, std::move(fd)};
}

// Lexical checks of a caller-supplied relative path, before anything is resolved.
void check_relative(const fs::path& relative) {
  if (relative.empty()) throw Refused("empty path");
  if (has_nul(relative)) throw Refused("contains a NUL character");
  if (relative.has_root_path()) throw Refused("absolute paths are not accepted");
  if (has_dot_dot(relative)) throw Refused("'..' is not accepted");
}

// The path's real location (symlinks followed), relative to the root; refused when it
// leaves the root. The result contains no symlink at the time of the check, which is
// what lets open_parent() refuse to follow any.
fs::path resolve_beneath(const SessionRoot& root, const fs::path& relative) {
  check_relative(relative);
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(root.path / relative, ec);
  if (ec) throw Refused("cannot be resolved: " + ec.message());
  fs::path inside = resolved.lexically_relative(root.path);
  if (inside.empty() || *inside.begin() == "..") {
    throw Refused("resolves to " + resolved.string() + ", outside the session output directory");
  }
  return inside;
}

[[noreturn]] void open_failed(int error, const fs::path& resolved) {
  if (error == ENOENT) throw Refused("no such file");
  if (error == ELOOP || error == ENOTDIR) {
    throw Refused("a component of " + resolved.string() +
                  " is not a directory or was replaced by a symlink while being opened");
  }
  throw_system(error, "cannot open output file " + resolved.string());
}

// The directory holding `resolved`'s last component, reached from the root one
// component at a time without following symlinks: nothing swapped in after
// resolve_beneath() can lead the open outside the root.
UniqueFd open_parent(const SessionRoot& root, const fs::path& resolved) {
  UniqueFd dir = open_at(root.fd.get(), ".", kDirectoryFlags);
  if (!dir) open_failed(errno, resolved);
  for (const fs::path& part : resolved.parent_path()) {
    // errno is read before the assignment closes the previous descriptor.
    UniqueFd next = open_at(dir.get(), part, kDirectoryFlags);
    if (!next) open_failed(errno, resolved);
    dir = std::move(next);
  }
  return dir;
}

struct stat stat_at(int dir_fd, const fs::path& name, const fs::path& resolved) {
  struct stat status {};
  if (::fstatat(dir_fd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
    open_failed(errno, resolved);
  }
  return status;
}

// The metadata of the regular file `relative` designates (through symlinks inside).
struct stat stat_regular_beneath(const SessionRoot& root, const fs::path& relative) {
  const fs::path resolved = resolve_beneath(root, relative);
  const UniqueFd parent = open_parent(root, resolved);
  const struct stat status = stat_at(parent.get(), resolved.filename(), resolved);
  require_regular(status.st_mode);
  return status;
}

struct OpenedFile {
  UniqueFd fd;
  struct stat status {};  // taken from the open descriptor
};

// Opens the regular file `relative` designates. The type is checked before opening,
// so FIFOs and devices are not opened at all, and again on the descriptor, which
// closes the window between the two.
OpenedFile open_regular_beneath(const SessionRoot& root, const fs::path& relative) {
  const fs::path resolved = resolve_beneath(root, relative);
  const UniqueFd parent = open_parent(root, resolved);
  require_regular(stat_at(parent.get(), resolved.filename(), resolved).st_mode);
  OpenedFile file{open_at(parent.get(), resolved.filename(), kFileFlags), {}};
  if (!file.fd) open_failed(errno, resolved);
  if (::fstat(file.fd.get(), &file.status) != 0) throw_system(errno, "fstat " + resolved.string());
  require_regular(file.status.st_mode);
  return file;
}

// Feeds `sink` the file's content up to its size when opened: a file still growing
// yields a consistent prefix instead of an endless chase; one truncated meanwhile
// yields what is left. Returns the byte count.
std::uintmax_t read_snapshot(const OpenedFile& file, const fs::path& relative,
                             const std::function<void(const char*, std::size_t)>& sink) {
  const auto size = static_cast<std::uintmax_t>(file.status.st_size);
  std::unique_ptr<char[]> buffer(new char[kChunkBytes]);
  std::uintmax_t done = 0;
  while (done < size) {
    const auto wanted =
        static_cast<std::size_t>(std::min<std::uintmax_t>(size - done, kChunkBytes));
    const ssize_t got = ::read(file.fd.get(), buffer.get(), wanted);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_system(errno, "cannot read output file " + relative.string());
    if (got == 0) break;
    sink(buffer.get(), static_cast<std::size_t>(got));
    done += static_cast<std::uintmax_t>(got);
  }
  return done;
}

void write_all(int fd, const char* data, std::size_t size, const fs::path& target) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw_system(errno, "cannot write " + target.string());
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void make_directories(const fs::path& directory) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw_system(ec.value(), "cannot create directory " + directory.string());
}

// A new, exclusively created file next to `target`, removed again unless committed.
class TemporaryFile {
 public:
  TemporaryFile(const fs::path& target, mode_t mode) {
    static std::atomic<unsigned> counter{0};
    while (!fd_) {
      path_ = target.parent_path() / (".hivemind-copy-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(counter++) + ".tmp");
      fd_ = open_at(AT_FDCWD, path_, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      if (!fd_ && errno != EEXIST) throw_system(errno, "cannot create " + path_.string());
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  int fd() const noexcept { return fd_.get(); }

  // Closes the file and renames it to `target`, atomically replacing any file there.
  void commit(const fs::path& target) {
    if (::close(fd_.release()) != 0) throw_system(errno, "cannot write " + target.string());
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      throw_system(errno, "cannot rename " + path_.string() + " to " + target.string());
    }
    path_.clear();
  }

 private:
  fs::path path_;
  UniqueFd fd_;
};

// Copies `source` to `target` under a temporary name, then renames it into place.
// The copy keeps the source's executable bits (subject to the umask).
std::uintmax_t copy_into_place(const OpenedFile& source, const fs::path& relative,
                               const fs::path& target) {
  make_directories(target.parent_path());
  const mode_t mode = (source.status.st_mode & S_IXUSR) != 0 ? 0777 : 0666;
  TemporaryFile temporary(target, mode);
  const std::uintmax_t bytes = read_snapshot(
      source, relative,
      [&](const char* data, std::size_t size) { write_all(temporary.fd(), data, size, target); });
  temporary.commit(target);
  return bytes;
}

// Walks the tree through directory descriptors (never re-resolving a path), so a
// directory swapped for a symlink mid-walk is refused by O_NOFOLLOW, not followed.
class OutputWalk {
 public:
  explicit OutputWalk(const SessionRoot& root) : root_(root) {}

  OutputListing run() && {
    UniqueFd start = open_at(root_.fd.get(), ".", kDirectoryFlags);
    if (!start) throw_system(errno, "cannot open session output directory " + root_.path.string());
    walk(std::move(start), fs::path(), 0);
    std::sort(
        listing_.files.begin(), listing_.files.end(),
        [](const OutputFile& a, const OutputFile& b) { return a.relative_path < b.relative_path; });
    return std::move(listing_);
  }

 private:
  struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
  };

  void walk(UniqueFd directory_fd, const fs::path& relative_dir, std::size_t depth) {
    const std::unique_ptr<DIR, DirCloser> directory(::fdopendir(directory_fd.get()));
    if (!directory)
      throw_system(errno, "cannot read directory " + (root_.path / relative_dir).string());
    directory_fd.release();  // now owned by `directory`
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(directory.get());
      if (entry == nullptr) {
        // A directory removed while being read ends like one read to the end.
        if (errno != 0 && errno != ENOENT) skip(relative_dir, errno_text(errno));
        return;
      }
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      visit(::dirfd(directory.get()), entry->d_name, relative_dir / name, depth);
    }
  }

  void visit(int directory_fd, const char* name, const fs::path& relative, std::size_t depth) {
    struct stat status {};
    if (::fstatat(directory_fd, name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
      skip(relative, errno == ENOENT ? "vanished while listing" : errno_text(errno));
    } else if (S_ISREG(status.st_mode)) {
      add(relative, status);
    } else if (S_ISDIR(status.st_mode)) {
      descend(directory_fd, name, relative, depth);
    } else if (S_ISLNK(status.st_mode)) {
      add_symlink_target(relative);
    } else {
      skip(relative, std::string("not a regular file (") + describe_type(status.st_mode) + ")");
    }
  }

  void descend(int directory_fd, const char* name, const fs::path& relative, std::size_t depth) {
    if (depth + 1 > kMaxWalkDepth) {
      skip(relative, "nested deeper than " + std::to_string(kMaxWalkDepth) + " levels");
      return;
    }
    UniqueFd child = open_at(directory_fd, name, kDirectoryFlags);
    if (!child) {
      skip(relative, errno == ENOENT ? "vanished while listing" : errno_text(errno));
      return;
    }
    walk(std::move(child), relative, depth + 1);
  }

  // Listed under the link's own name when it designates a regular file inside the
  // root. Symlinks to directories are not followed: what they point to inside the
  // root is listed under its real path already, and following them invites cycles.
  void add_symlink_target(const fs::path& relative) {
    try {
      add(relative, stat_regular_beneath(root_, relative));
    } catch (const Refused& refused) {
      skip(relative, std::string("symlink: ") + refused.what());
    }
  }

  void add(const fs::path& relative, const struct stat& status) {
    listing_.files.push_back(
        {relative, static_cast<std::uintmax_t>(status.st_size), modification_time(status)});
  }

  void skip(const fs::path& relative, std::string reason) {
    listing_.skipped.push_back({relative, std::move(reason)});
  }

  const SessionRoot& root_;
  OutputListing listing_;
};

}  // namespace

SessionOutputs::SessionOutputs(const fs::path& host_ext_dir, std::string session_id)
    : session_id_(std::move(session_id)) {
  detail::validate_uuid(session_id_);
  if (host_ext_dir.empty()) {
    throw Error(errc::invalid_argument,
                "host_ext_dir is empty; use SessionOutputs::resolve_host_ext_dir()");
  }
  host_ext_dir_ = fs::absolute(host_ext_dir);
  directory_ = host_ext_dir_ / kSessionsDirName / session_id_;
}

fs::path SessionOutputs::resolve_host_ext_dir(const fs::path& configured) {
  if (!configured.empty()) return configured;
  const char* from_environment = std::getenv(kHostExtDirVariable);
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return fs::path(".") / "workspace" / "ext";
}

fs::path SessionOutputs::to_host_path(const fs::path& host_ext_dir,
                                      std::string_view container_path) {
  const auto refuse = [&](const std::string& why) {
    throw Error(errc::invalid_argument, "cannot map container path '" +
                                            std::string(container_path) + "' to the host: " + why);
  };
  const fs::path path{std::string(container_path)};
  if (has_nul(path)) refuse("contains a NUL character");
  if (!path.is_absolute()) refuse("not an absolute path");
  // Refused rather than normalised: `..` after a container symlink would not mean
  // what lexical normalisation says it means.
  if (has_dot_dot(path)) refuse("'..' is not accepted");
  const fs::path inside = path.lexically_normal().lexically_relative(kContainerExtDir);
  if (inside.empty() || *inside.begin() == "..") {
    refuse(std::string("only paths under ") + kContainerExtDir + " are mounted on the host");
  }
  return inside == "." ? host_ext_dir : host_ext_dir / inside;
}

OutputListing SessionOutputs::list_with_skipped() const {
  const SessionRoot root = open_session_root(host_ext_dir_, session_id_, directory_);
  return OutputWalk(root).run();
}

std::string SessionOutputs::read(const fs::path& relative, std::size_t max_bytes) const {
  try {
    check_relative(relative);
    const SessionRoot root = open_session_root(host_ext_dir_, session_id_, directory_);
    const OpenedFile file = open_regular_beneath(root, relative);
    const auto size = static_cast<std::uintmax_t>(file.status.st_size);
    if (size > max_bytes) {
      throw Error(errc::output_too_large, "output file " + relative.string() + " has " +
                                              std::to_string(size) + " bytes, over the " +
                                              std::to_string(max_bytes) + "-byte limit");
    }
    std::string content;
    content.reserve(static_cast<std::size_t>(size));
    read_snapshot(file, relative,
                  [&](const char* data, std::size_t count) { content.append(data, count); });
    return content;
  } catch (const Refused& refused) {
    throw Error(errc::invalid_argument, "refused output path '" + relative.string() + "' in " +
                                            directory_.string() + ": " + refused.what());
  }
}

CopyReport SessionOutputs::copy_to(const fs::path& destination) const {
  const SessionRoot root = open_session_root(host_ext_dir_, session_id_, directory_);
  OutputListing listing = OutputWalk(root).run();
  make_directories(destination);
  CopyReport report;
  report.skipped = std::move(listing.skipped);
  for (const OutputFile& file : listing.files) {
    try {
      const OpenedFile source = open_regular_beneath(root, file.relative_path);
      report.bytes += copy_into_place(source, file.relative_path, destination / file.relative_path);
      report.copied.push_back(file.relative_path);
    } catch (const Refused& refused) {
      report.skipped.push_back({file.relative_path, refused.what()});
    }
  }
  return report;
}

}  // namespace hivemind
