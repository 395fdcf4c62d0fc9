// UTF-8 as nlohmann's lexer accepts it (RFC 3629, Unicode Table 3-7): no overlong forms,
// no surrogates, nothing above U+10FFFF. Shared by the readers that must reject exactly
// what nlohmann rejects, and by the code that cuts text without splitting a character.
#pragma once

#include <cstddef>

namespace hivemind::detail {

inline bool is_utf8_continuation(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The length of the well-formed UTF-8 sequence that starts at `at` (`at` < `end`), or 0.
inline std::size_t utf8_sequence_length(const char* at, const char* end) noexcept {
  const auto lead = static_cast<unsigned char>(*at);
  unsigned char low = 0x80;  // the range of the second byte
  unsigned char high = 0xBF;
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - at) < length) return 0;
  const auto second = static_cast<unsigned char>(at[1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_utf8_continuation(at[i])) return 0;
  }
  return length;
}

}  // namespace hivemind::detail
