#include "hivemind/models/timestamp.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind {
namespace {

// Reads exactly `width` decimal digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

std::optional<std::chrono::minutes> read_offset(std::string_view text, std::size_t& pos) {
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return std::chrono::minutes{0};
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos++] == '-' ? -1 : 1;
  const auto hours = read_digits(text, pos, 2);
  if (!hours) return std::nullopt;
  expect(text, pos, ':');  // both `+02:00` and `+0200` occur in the wild
  const auto minutes = read_digits(text, pos, 2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return std::chrono::minutes{sign * (*hours * 60 + *minutes)};
}

}  // namespace

std::optional<Timestamp> Timestamp::parse(std::string_view text) noexcept {
  std::size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  const auto month = read_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  const auto day = read_digits(text, pos, 2);
  if (!day || !(expect(text, pos, 'T') || expect(text, pos, 't') || expect(text, pos, ' ')))
    return std::nullopt;
  const auto hour = read_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  const auto minute = read_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  const auto second = read_digits(text, pos, 2);
  if (!second) return std::nullopt;
  if (expect(text, pos, '.')) {
    const std::size_t fraction_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == fraction_start) return std::nullopt;
  }
  const auto offset = read_offset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const auto local = std::chrono::sys_days{date} + std::chrono::hours{*hour} +
                     std::chrono::minutes{*minute} + std::chrono::seconds{*second};
  return Timestamp{local - *offset, *offset};
}

std::string Timestamp::to_string() const {
  const auto local = utc + utc_offset;
  const auto day_start = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day date{day_start};
  const std::chrono::hh_mm_ss time{local - day_start};
  const auto offset = utc_offset.count();
  const long magnitude = offset < 0 ? -offset : offset;
  char buffer[96];  // generous: the compiler cannot bound the year's width
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02ld:%02ld",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
                static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()), offset < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return buffer;
}

void to_json(nlohmann::json& out, const Timestamp& timestamp) {
  out = timestamp.to_string();
}

void from_json(const nlohmann::json& in, Timestamp& timestamp) {
  const auto text = in.get<std::string>();
  const auto parsed = Timestamp::parse(text);
  if (!parsed) throw Error(errc::protocol_error, "not an ISO-8601 timestamp: '" + text + "'");
  timestamp = *parsed;
}

}  // namespace hivemind
