// Reading /proc/PID/* of other processes, which may exit at any moment: libstdc++ then
// throws from the stream buffer (ESRCH), which a scan of /proc must treat as "gone".
#pragma once

#include <filesystem>
#include <fstream>
#include <ios>
#include <iterator>
#include <string>

namespace hivemind::testing {

// The whole file, or "" when the process is gone (or the file unreadable).
inline std::string read_proc_file(const std::filesystem::path& path) {
  try {
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), {}};
  } catch (const std::ios_base::failure&) {
    return {};
  }
}

}  // namespace hivemind::testing
