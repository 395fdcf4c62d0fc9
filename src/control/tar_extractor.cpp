#include "control/tar_extractor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kBlock = 512;

// Offsets and lengths of the ustar header fields read here.
struct Field {
  std::size_t offset;
  std::size_t length;
};
constexpr Field kName{0, 100};
constexpr Field kMode{100, 8};
constexpr Field kSize{124, 12};
constexpr Field kChecksum{148, 8};
constexpr std::size_t kTypeOffset = 156;
constexpr Field kMagic{257, 6};
constexpr Field kPrefix{345, 155};

[[noreturn]] void corrupt(const std::string& why) {
  throw Error(errc::protocol_error, "the output archive from the container is corrupt: " + why);
}

std::string_view field(const char* block, Field where) {
  const std::string_view raw(block + where.offset, where.length);
  return raw.substr(0, std::min(raw.find('\0'), raw.size()));
}

// Octal, space- or NUL-terminated; or base-256 (GNU) when the first byte's top bit is set.
std::uintmax_t number(const char* block, Field where, const char* what) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(block + where.offset);
  std::uintmax_t value = 0;
  constexpr auto kLimit = std::numeric_limits<std::uintmax_t>::max() >> 8;
  if ((bytes[0] & 0x80U) != 0) {
    value = bytes[0] & 0x7FU;
    for (std::size_t i = 1; i < where.length; ++i) {
      if (value > kLimit) corrupt(std::string(what) + " out of range");
      value = (value << 8) | bytes[i];
    }
    return value;
  }
  std::size_t i = 0;
  while (i < where.length && (bytes[i] == ' ' || bytes[i] == '\0')) ++i;
  for (; i < where.length && bytes[i] >= '0' && bytes[i] <= '7'; ++i) {
    value = value * 8 + (bytes[i] - '0');
  }
  if (i < where.length && bytes[i] != ' ' && bytes[i] != '\0') {
    corrupt(std::string(what) + " is not an octal number");
  }
  return value;
}

bool checksum_matches(const char* block) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(block);
  unsigned long unsigned_sum = 0;
  long signed_sum = 0;  // what some old tars computed
  for (std::size_t i = 0; i < kBlock; ++i) {
    const bool in_field = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.length;
    unsigned_sum += in_field ? ' ' : bytes[i];
    signed_sum += in_field ? ' ' : static_cast<signed char>(bytes[i]);
  }
  const auto recorded = number(block, kChecksum, "the header checksum");
  return recorded == unsigned_sum || static_cast<long>(recorded) == signed_sum;
}

bool all_zero(const char* block) {
  return std::all_of(block, block + kBlock, [](char c) { return c == '\0'; });
}

// "LEN key=value\n" records; returns the value of `key` if present.
std::optional<std::string> pax_value(std::string_view records, std::string_view key) {
  std::optional<std::string> found;
  while (!records.empty()) {
    const auto space = records.find(' ');
    std::size_t length = 0;
    for (std::size_t i = 0; i < space && i < records.size(); ++i) {
      if (records[i] < '0' || records[i] > '9') corrupt("a pax record has no length");
      length = length * 10 + static_cast<std::size_t>(records[i] - '0');
    }
    if (space == std::string_view::npos || length <= space + 1 || length > records.size()) {
      corrupt("a pax record's length is wrong");
    }
    auto record = records.substr(space + 1, length - space - 2);  // without the "\n"
    if (const auto equals = record.find('='); equals != std::string_view::npos) {
      if (record.substr(0, equals) == key) found = std::string(record.substr(equals + 1));
    }
    records.remove_prefix(length);
  }
  return found;
}

// The member name as a path relative to the root, or why it is refused. "." and the
// archive's root directory give an empty path.
std::pair<fs::path, std::string> relative_name(std::string_view name) {
  if (name.starts_with('/')) return {fs::path(name), "an absolute name"};
  fs::path relative;
  for (const auto& part : fs::path(name)) {
    if (part == "..") return {fs::path(name), "a name with '..'"};
    if (part.empty() || part == ".") continue;
    relative /= part;
  }
  return {relative, {}};
}

const char* describe_type(char type) {
  switch (type) {
    case '1':
      return "a hard link";
    case '2':
      return "a symbolic link";
    case '3':
      return "a character device";
    case '4':
      return "a block device";
    case '6':
      return "a FIFO";
    default:
      return "an entry of an unknown type";
  }
}

void write_all(int fd, std::string_view bytes, const fs::path& target) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw Error(std::error_code(errno, std::system_category()),
                  "cannot write " + target.string());
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

TarExtractor::TarExtractor(fs::path root) : root_(std::move(root)) {}

TarExtractor::~TarExtractor() {
  close_file();
}

void TarExtractor::feed(std::string_view bytes) {
  while (!bytes.empty() && stage_ != Stage::end) {
    if (stage_ == Stage::header) {
      const auto wanted = std::min(kBlock - block_.size(), bytes.size());
      block_.append(bytes.substr(0, wanted));
      bytes.remove_prefix(wanted);
      if (block_.size() == kBlock) {
        take_header(block_.data());
        block_.clear();
      }
    } else if (stage_ == Stage::data) {
      const auto wanted =
          static_cast<std::size_t>(std::min<std::uintmax_t>(data_left_, bytes.size()));
      take_data(bytes.substr(0, wanted));
      bytes.remove_prefix(wanted);
      data_left_ -= wanted;
      if (data_left_ == 0) end_data();
    } else {
      const auto wanted =
          static_cast<std::size_t>(std::min<std::uintmax_t>(padding_left_, bytes.size()));
      bytes.remove_prefix(wanted);
      padding_left_ -= wanted;
      if (padding_left_ == 0) stage_ = Stage::header;
    }
  }
}

void TarExtractor::finish() {
  if (stage_ == Stage::end) return;
  close_file();
  corrupt(stage_ == Stage::header ? "it ended without the end-of-archive block"
                                  : "it ended inside " + current_.string());
}

void TarExtractor::take_header(const char* block) {
  if (all_zero(block)) {
    stage_ = Stage::end;  // what follows is the second zero block and the record's padding
    return;
  }
  if (!checksum_matches(block)) corrupt("a header's checksum does not match");
  std::string name;
  if (next_name_) {
    name = std::move(*next_name_);
  } else {
    name = std::string(field(block, kName));
    // POSIX ustar splits long names; GNU tar's magic ("ustar  ") uses that space otherwise.
    const bool posix = std::memcmp(block + kMagic.offset, "ustar\0", kMagic.length) == 0;
    if (const auto prefix = field(block, kPrefix); posix && !prefix.empty()) {
      name = std::string(prefix) + "/" + name;
    }
  }
  auto size = number(block, kSize, "an entry's size");
  if (next_size_) size = *next_size_;
  next_name_.reset();
  next_size_.reset();
  const auto mode = number(block, kMode, "an entry's mode");
  begin_entry(block[kTypeOffset], std::move(name), size, mode);
}

void TarExtractor::begin_entry(char type, std::string name, std::uintmax_t size,
                               std::uintmax_t mode) {
  data_left_ = size;
  padding_left_ = (kBlock - size % kBlock) % kBlock;
  meta_.clear();
  current_ = fs::path(name);
  switch (type) {
    case 'L':
      sink_ = Sink::long_name;
      break;
    case 'x':
      sink_ = Sink::pax_record;
      break;
    case 'g':
    case 'K':  // global pax defaults and GNU long link names: nothing here uses them
      sink_ = Sink::discard;
      break;
    default: {
      sink_ = Sink::discard;
      auto [relative, refusal] = relative_name(name);
      const bool regular = type == '0' || type == '\0' || type == '7';
      if (!refusal.empty()) {
        skip(std::move(relative), "refused: " + refusal);
      } else if (type == '5') {
        std::error_code error;
        fs::create_directories(root_ / relative, error);
        if (error) skip(relative, "cannot create the directory: " + error.message());
      } else if (!regular) {
        skip(std::move(relative), std::string("not a regular file: ") + describe_type(type));
      } else if (!relative.empty()) {
        open_file(relative, mode);
      }
    }
  }
  stage_ = data_left_ > 0 ? Stage::data : Stage::header;
  if (data_left_ == 0) end_data();
}

void TarExtractor::take_data(std::string_view bytes) {
  switch (sink_) {
    case Sink::file:
      write_all(fd_, bytes, root_ / current_);
      break;
    case Sink::long_name:
    case Sink::pax_record:
      if (meta_.size() + bytes.size() > std::size_t{1} << 20) {
        corrupt("a long name or pax header is larger than 1 MiB");
      }
      meta_.append(bytes);
      break;
    case Sink::discard:
      break;
  }
}

void TarExtractor::end_data() {
  if (sink_ == Sink::file) close_file();
  if (sink_ == Sink::long_name) next_name_ = meta_.substr(0, meta_.find('\0'));
  if (sink_ == Sink::pax_record) {
    if (auto path = pax_value(meta_, "path")) next_name_ = std::move(path);
    if (const auto size = pax_value(meta_, "size")) {
      try {
        next_size_ = std::stoull(*size);
      } catch (const std::exception&) {
        corrupt("a pax size is not a number");
      }
    }
  }
  sink_ = Sink::discard;
  stage_ = padding_left_ > 0 ? Stage::padding : Stage::header;
}

void TarExtractor::open_file(const fs::path& relative, std::uintmax_t mode) {
  const auto target = root_ / relative;
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  if (error) {
    skip(relative, "cannot create its directory: " + error.message());
    return;
  }
  // The root is private and nothing here creates symlinks; O_NOFOLLOW holds regardless.
  // Owner read and write whatever the archive says, so that the copy out of the staging
  // directory can read it; never setuid, setgid or sticky.
  const auto permissions = static_cast<mode_t>((mode & 0755U) | 0600U);
  fd_ = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, permissions);
  if (fd_ < 0) {
    skip(relative, "cannot be created: " + std::generic_category().message(errno));
    return;
  }
  current_ = relative;
  sink_ = Sink::file;
}

void TarExtractor::close_file() {
  if (fd_ < 0) return;
  const int result = ::close(fd_);
  fd_ = -1;
  if (result != 0 && errno != EINTR) {
    throw Error(std::error_code(errno, std::system_category()),
                "cannot write " + (root_ / current_).string());
  }
}

void TarExtractor::skip(fs::path relative, std::string reason) {
  skipped_.push_back({std::move(relative), std::move(reason)});
}

}  // namespace hivemind::detail
