// Extracts a tar stream chunk by chunk, as it arrives from `exec tar -cf -` in a container:
// the formats GNU tar, busybox and bsdtar write (ustar, GNU long names, pax `path`/`size`
// records, base-256 sizes).
//
// The archive comes from the container, possibly from a misbehaving agent, so it is treated
// as hostile: only directories and regular files are created, only under the root, and never
// through a symlink (none is ever created). Links, devices, FIFOs, absolute names and names
// with `..` are skipped with their reason. A header whose checksum is wrong, or a stream that
// ends inside an entry, is a protocol_error: nothing is silently truncated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hivemind/control/session_outputs.hpp"

namespace hivemind::detail {

class TarExtractor {
 public:
  // `root` must exist and be private to the extraction (a fresh temporary directory).
  explicit TarExtractor(std::filesystem::path root);
  ~TarExtractor();
  TarExtractor(const TarExtractor&) = delete;
  TarExtractor& operator=(const TarExtractor&) = delete;

  void feed(std::string_view bytes);
  // Throws protocol_error when the stream ended inside a header or an entry's data.
  void finish();

  const std::vector<SkippedOutput>& skipped() const noexcept { return skipped_; }

 private:
  enum class Stage { header, data, padding, end };
  // What the data that follows a header is for.
  enum class Sink { file, long_name, pax_record, discard };

  void take_header(const char* block);
  void begin_entry(char type, std::string name, std::uintmax_t size, std::uintmax_t mode);
  void take_data(std::string_view bytes);
  void end_data();
  void open_file(const std::filesystem::path& relative, std::uintmax_t mode);
  void close_file();
  void skip(std::filesystem::path relative, std::string reason);

  std::filesystem::path root_;
  Stage stage_ = Stage::header;
  std::string block_;  // a header block still incomplete
  Sink sink_ = Sink::discard;
  std::uintmax_t data_left_ = 0;
  std::uintmax_t padding_left_ = 0;
  std::string meta_;  // data of a GNU long name or a pax record
  // Set by a GNU long name or a pax record, for the next entry only.
  std::optional<std::string> next_name_;
  std::optional<std::uintmax_t> next_size_;
  int fd_ = -1;
  std::filesystem::path current_;
  std::vector<SkippedOutput> skipped_;
};

}  // namespace hivemind::detail
