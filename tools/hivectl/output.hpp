// What hivectl prints: one JSON document per command with --json, human tables
// otherwise, and progress of long waits (a live status line on a terminal, plain lines
// when stdout/stderr is a pipe or a file).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivectl {

class Output {
 public:
  explicit Output(bool json) : json_(json) {}
  bool json() const noexcept { return json_; }

  // The command's one JSON document (only with --json).
  void document(const nlohmann::json& value) const;
  // A human line on stdout (only without --json).
  void line(std::string_view text) const;
  // Columns padded to their widest cell; the last column is not padded.
  void table(const std::vector<std::string>& headers,
             const std::vector<std::vector<std::string>>& rows) const;
  // Log lines: stdout normally, stderr with --json so stdout stays one document.
  std::FILE* stream_for_lines() const noexcept { return json_ ? stderr : stdout; }

 private:
  bool json_;
};

// Status changes of one or more sessions being waited for. On a terminal (stderr is a
// tty) a live line shows each session's state and the elapsed time, redrawn every
// 100 ms, and every change is also kept as a line above it; otherwise each change is
// one plain line `[  12.3s] UUID status`.
class Progress {
 public:
  explicit Progress(const Output& output);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void status_changed(const std::string& session_id, const std::string& status);
  // A log line (to Output::stream_for_lines()) without breaking the live line.
  void print_line(std::string_view text);

 private:
  void redraw_locked();
  std::string elapsed_text() const;

  std::FILE* stream_;        // progress
  std::FILE* lines_stream_;  // print_line()
  bool live_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::map<std::string, std::string> statuses_;
  std::condition_variable_any ticker_wakeup_;
  std::jthread ticker_;
};

std::string format_bytes(std::uintmax_t bytes);

}  // namespace hivectl
