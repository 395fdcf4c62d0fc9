// Host-side access to the files a session writes to /workspace/ext/hive-sessions/UUID.
//
// The directory is written by the container (possibly by a misbehaving agent) while the
// host reads it, so every path taken from it is treated as hostile: nothing is read,
// listed or copied from outside the session's output directory, symlinks included, and
// only regular files are ever opened. See docs/outputs.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hivemind {

struct OutputFile {
  std::filesystem::path relative_path;  // relative to the session's output directory
  std::uintmax_t size = 0;
  std::filesystem::file_time_type modified;
};

// An entry left out of a listing or a copy, and why (vanished, escaping symlink, ...).
struct SkippedOutput {
  std::filesystem::path relative_path;
  std::string reason;
};

struct CopyReport {
  std::vector<std::filesystem::path> copied;  // relative paths, in listing order
  std::uintmax_t bytes = 0;
  std::vector<SkippedOutput> skipped;
};

struct OutputListing {
  std::vector<OutputFile> files;  // sorted by relative path
  std::vector<SkippedOutput> skipped;
};

class SessionOutputs {
 public:
  // Largest file read() returns unless told otherwise.
  static constexpr std::size_t kDefaultMaxReadBytes = 64u << 20;

  // host_ext_dir: the host side of the container's /workspace/ext bind mount (see
  // resolve_host_ext_dir). Validates the UUID; touches no file.
  SessionOutputs(const std::filesystem::path& host_ext_dir, std::string session_id);

  // `configured` when non-empty, else $HIVEMIND_HOST_EXT_DIR when set and non-empty,
  // else ./workspace/ext.
  static std::filesystem::path resolve_host_ext_dir(const std::filesystem::path& configured);

  // Maps a container path under /workspace/ext (e.g. what `output-dir` prints) to the
  // host. Relative paths, paths outside /workspace/ext and paths with `..` are refused.
  static std::filesystem::path to_host_path(const std::filesystem::path& host_ext_dir,
                                            std::string_view container_path);

  // host_ext_dir/hive-sessions/UUID (made absolute at construction).
  const std::filesystem::path& directory() const noexcept { return directory_; }
  const std::string& session_id() const noexcept { return session_id_; }

  // Regular files, recursively, sorted by relative path. Symlinks to files inside the
  // directory are listed under the link's name; symlinks leaving the directory, symlinks
  // to directories, non-regular files and entries that vanish mid-walk are skipped.
  std::vector<OutputFile> list() const { return list_with_skipped().files; }
  // The same walk, also saying what was skipped and why.
  OutputListing list_with_skipped() const;

  // The content of one regular file, as far as it had been written when opened.
  // Throws invalid_argument for refused paths, missing and non-regular files, and
  // output_too_large when the file is larger than max_bytes.
  std::string read(const std::filesystem::path& relative,
                   std::size_t max_bytes = kDefaultMaxReadBytes) const;

  // Copies every listed file to destination/relative_path, creating directories. Each
  // file is written under a temporary name and renamed into place, so no partial file
  // ever carries its final name. Files that vanish or change into something refused
  // between listing and copying are reported in `skipped`.
  CopyReport copy_to(const std::filesystem::path& destination) const;

 private:
  std::filesystem::path host_ext_dir_;
  std::filesystem::path directory_;
  std::string session_id_;
};

}  // namespace hivemind
