#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace hivectl {

void Output::document(const nlohmann::json& value) const {
  if (!json_) return;
  // Replacement instead of throwing: container output is not guaranteed to be UTF-8.
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void Output::line(std::string_view text) const {
  if (json_) return;
  std::cout << text << '\n';
}

void Output::table(const std::vector<std::string>& headers,
                   const std::vector<std::vector<std::string>>& rows) const {
  if (json_) return;
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t column = 0; column < headers.size(); ++column) {
    widths[column] = headers[column].size();
    for (const auto& row : rows) widths[column] = std::max(widths[column], row.at(column).size());
  }
  const auto print_row = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t column = 0; column < cells.size(); ++column) {
      text += cells[column];
      if (column + 1 < cells.size()) text.append(widths[column] - cells[column].size() + 2, ' ');
    }
    std::cout << text << '\n';
  };
  print_row(headers);
  for (const auto& row : rows) print_row(row);
  std::cout.flush();
}

Progress::Progress(const Output& output)
    : stream_(output.json() ? stderr : stdout),
      lines_stream_(output.stream_for_lines()),
      live_(::isatty(STDERR_FILENO) == 1) {
  if (live_) {
    stream_ = stderr;
    ticker_ = std::jthread([this](std::stop_token stop) {
      std::unique_lock lock(mutex_);
      while (!stop.stop_requested()) {
        ticker_wakeup_.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
        if (!stop.stop_requested()) redraw_locked();
      }
    });
  }
}

Progress::~Progress() {
  if (!live_) return;
  ticker_.request_stop();
  ticker_.join();
  std::fputs("\r\033[K", stream_);
  std::fflush(stream_);
}

std::string Progress::elapsed_text() const {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  char text[32];
  std::snprintf(text, sizeof text, "[%7.1fs]", elapsed.count());
  return text;
}

void Progress::redraw_locked() {
  std::string line = "\r\033[K" + elapsed_text();
  for (const auto& [session_id, status] : statuses_) line += " " + session_id + " " + status;
  std::fputs(line.c_str(), stream_);
  std::fflush(stream_);
}

void Progress::status_changed(const std::string& session_id, const std::string& status) {
  std::lock_guard lock(mutex_);
  statuses_[session_id] = status;
  const std::string text = elapsed_text() + " " + session_id + " " + status;
  if (live_) {
    std::fprintf(stream_, "\r\033[K%s\n", text.c_str());
    redraw_locked();
  } else {
    std::fprintf(stream_, "%s\n", text.c_str());
    std::fflush(stream_);
  }
}

void Progress::print_line(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (live_) std::fputs("\r\033[K", stream_);
  std::fwrite(text.data(), 1, text.size(), lines_stream_);
  std::fputc('\n', lines_stream_);
  std::fflush(lines_stream_);
  if (live_) redraw_locked();
}

std::string format_bytes(std::uintmax_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  char text[32];
  const double kib = static_cast<double>(bytes) / 1024;
  if (kib < 1024)
    std::snprintf(text, sizeof text, "%.1f KiB", kib);
  else
    std::snprintf(text, sizeof text, "%.1f MiB", kib / 1024);
  return text;
}

}  // namespace hivectl
