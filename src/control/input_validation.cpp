#include "control/input_validation.hpp"

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

[[noreturn]] void reject(const std::string& message) {
  throw Error(errc::invalid_argument, message);
}

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Length of the UTF-8 sequence starting at text[pos], or 0 when it is malformed
// (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t code_point = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

void append_json_escaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20) {
    out += "\\u00";
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
    return;
  }
  out += c;
}

}  // namespace

bool is_canonical_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !is_hex(text[i])) return false;
  }
  return true;
}

void validate_uuid(std::string_view uuid) {
  if (!is_canonical_uuid(uuid)) {
    reject("session id '" + std::string(uuid.substr(0, 64)) +
           "' is not a canonical UUID (8-4-4-4-12 hexadecimal digits)");
  }
}

std::string encode_task(std::string_view task, SingleQuotePolicy policy) {
  if (task.empty()) reject("task is empty");
  if (task.size() > kMaxTaskBytes) {
    reject("task is " + std::to_string(task.size()) + " bytes; the limit is " +
           std::to_string(kMaxTaskBytes) + " (one command-line argument)");
  }
  std::string encoded;
  encoded.reserve(task.size() + task.size() / 8);
  for (std::size_t pos = 0; pos < task.size();) {
    const std::size_t length = utf8_sequence_length(task, pos);
    if (length == 0) reject("task is not valid UTF-8 (byte offset " + std::to_string(pos) + ")");
    const char c = task[pos];
    if (c == '\0') reject("task contains a NUL byte (offset " + std::to_string(pos) + ")");
    if (c == '\'') {
      if (policy == SingleQuotePolicy::reject) {
        reject("task contains a single quote (') at byte offset " + std::to_string(pos) +
               ": the container pastes the task into a single-quoted shell command, so a quote "
               "would end it and run the rest as commands inside the container. Rephrase, or set "
               "ClientOptions::single_quotes = SingleQuotePolicy::replace_with_typographic");
      }
      encoded += "\xE2\x80\x99";  // U+2019 in UTF-8
    } else if (length == 1) {
      append_json_escaped(encoded, c);
    } else {
      encoded.append(task.substr(pos, length));
    }
    pos += length;
  }
  return encoded;
}

std::string encode_metadata(const nlohmann::json& metadata) {
  if (metadata.is_discarded()) reject("metadata is a discarded JSON value");
  try {
    // Strict UTF-8 here: the container stores the text verbatim and jq must read it back.
    return metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    reject(std::string("metadata cannot be serialized as JSON: ") + e.what());
  }
}

void validate_status_text(std::string_view status) {
  const bool length_ok = !status.empty() && status.size() <= 32;
  bool charset_ok = true;
  for (const char c : status) {
    charset_ok =
        charset_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!length_ok || !charset_ok) {
    reject("status '" + std::string(status.substr(0, 64)) +
           "' must be 1-32 characters of lowercase letters, digits, '_' or '-'");
  }
}

void validate_start_args(const std::vector<std::string>& args) {
  // The script pastes these into a shell command line as well, so only characters
  // that mean nothing to a shell pass.
  for (const auto& arg : args) {
    bool safe = !arg.empty();
    for (const char c : arg) {
      safe = safe && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("_-=.,:/@+%").find(c) != std::string_view::npos);
    }
    if (!safe) {
      reject("start argument '" + arg.substr(0, 64) +
             "' may only contain letters, digits and _-=.,:/@+% (the container runs it through a "
             "shell)");
    }
  }
}

}  // namespace hivemind::detail
