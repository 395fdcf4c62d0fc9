#include "hivemind/metrics/dashboard.hpp"

#include <algorithm>
#include <cstdio>

#include "common/utf8.hpp"

namespace hivemind {
namespace {

using std::chrono::system_clock;

std::string format(const char* pattern, auto... values) {
  char buffer[256];
  const int length = std::snprintf(buffer, sizeof buffer, pattern, values...);
  return std::string(buffer, static_cast<std::size_t>(std::max(length, 0)));
}

// "42s", "7m05s", "3h12m", "2d04h".
std::string age_text(system_clock::duration age) {
  const auto seconds =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
  if (seconds < 60) return format("%llds", seconds);
  if (seconds < 3600) return format("%lldm%02llds", seconds / 60, seconds % 60);
  if (seconds < 86400) return format("%lldh%02lldm", seconds / 3600, seconds % 3600 / 60);
  return format("%lldd%02lldh", seconds / 86400, seconds % 86400 / 3600);
}

// The upper bound of the bucket holding the median; "-" without observations.
std::string median_text(const HistogramSnapshot& histogram) {
  if (histogram.count == 0) return "-";
  const auto half = (histogram.count + 1) / 2;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    seen += histogram.counts[i];
    if (seen < half) continue;
    if (i == histogram.upper_bounds.size()) {
      return format(">%gs", histogram.upper_bounds.empty() ? 0.0 : histogram.upper_bounds.back());
    }
    const double bound = histogram.upper_bounds[i];
    return bound < 1 ? format("<=%gms", bound * 1000) : format("<=%gs", bound);
  }
  return "-";
}

// One display line: control characters (a task may hold newlines, escapes) as spaces,
// cut or padded to `width` bytes without splitting a UTF-8 sequence.
std::string cell(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size() && columns < width;) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (byte >= 0xF0) {
      length = 4;
    } else if (byte >= 0xE0) {
      length = 3;
    } else if (byte >= 0xC0) {
      length = 2;
    }
    if (i + length > text.size()) break;
    if (byte < 0x20 || byte == 0x7F) {
      out += ' ';
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
    ++columns;
  }
  if (columns == width && out.size() < text.size() && width > 0) {
    // Mark the cut with an ellipsis in the last column.
    while (!out.empty() && detail::is_utf8_continuation(out.back())) out.pop_back();
    if (!out.empty()) out.pop_back();
    out += "~";
  }
  out.append(width - std::min(width, columns), ' ');
  return out;
}

}  // namespace

std::string render_dashboard(const MetricsSnapshot& m, const std::vector<JournalEntry>& sessions,
                             const DashboardOptions& options) {
  const auto now = options.now == system_clock::time_point{} ? system_clock::now() : options.now;
  std::string out;
  if (options.clear_screen) out += "\x1b[H\x1b[2J";
  out += format(
      "hivemind sessions  active %llu  created %llu (%.1f/min)  failure rate %.1f%% of %llu\n",
      static_cast<unsigned long long>(m.sessions_active),
      static_cast<unsigned long long>(m.sessions_created), m.sessions_created_per_minute,
      m.failure_rate * 100, static_cast<unsigned long long>(m.failure_window_ended));
  out += format("ended     completed %llu  failed %llu  dead %llu  lost %llu  median duration %s\n",
                static_cast<unsigned long long>(m.sessions_completed),
                static_cast<unsigned long long>(m.sessions_failed),
                static_cast<unsigned long long>(m.sessions_dead),
                static_cast<unsigned long long>(m.sessions_lost),
                median_text(m.session_duration).c_str());
  out += format("exec      calls %llu  failures %llu  median %s\n",
                static_cast<unsigned long long>(m.docker_exec_calls),
                static_cast<unsigned long long>(m.docker_exec_failures),
                median_text(m.docker_exec_latency).c_str());
  out +=
      format("mcp       requests %llu  errors %llu  reconnects %llu  median %s\n\n",
             static_cast<unsigned long long>(m.mcp_requests),
             static_cast<unsigned long long>(m.mcp_errors),
             static_cast<unsigned long long>(m.mcp_reconnects), median_text(m.mcp_latency).c_str());

  // UUID(36) TASK STATUS(10) AGE(7) PRIORITY(8), one space between columns.
  constexpr std::size_t uuid_w = 36, status_w = 10, age_w = 7, priority_w = 8;
  const std::size_t fixed = uuid_w + status_w + age_w + priority_w + 4;
  const std::size_t task_w = options.width > fixed + 4 ? options.width - fixed : 4;
  const auto row = [&](std::string_view uuid, std::string_view task, std::string_view status,
                       std::string_view age, std::string_view priority) {
    std::string line = cell(uuid, uuid_w) + ' ' + cell(task, task_w) + ' ' +
                       cell(status, status_w) + ' ' + cell(age, age_w) + ' ' +
                       cell(priority, priority_w);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  };
  row("UUID", "TASK", "STATUS", "AGE", "PRIORITY");

  std::vector<const JournalEntry*> shown;
  shown.reserve(sessions.size());
  for (const auto& entry : sessions) shown.push_back(&entry);
  std::stable_sort(shown.begin(), shown.end(), [](const JournalEntry* a, const JournalEntry* b) {
    if (a->is_final() != b->is_final()) return !a->is_final();
    return a->created > b->created;
  });
  const auto rows = std::min(shown.size(), options.max_rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& entry = *shown[i];
    row(entry.session_id, entry.task, entry.status, age_text(now - entry.created),
        to_string(entry.priority));
  }
  if (shown.size() > rows) out += format("... %zu more\n", shown.size() - rows);
  return out;
}

}  // namespace hivemind
