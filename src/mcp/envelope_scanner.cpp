#include "mcp/envelope_scanner.hpp"

#include <cstddef>

namespace hivemind::mcp_detail {
namespace {

constexpr int kMaxDepth = 512;

class Scanner {
 public:
  explicit Scanner(std::string_view text) noexcept : text_(text) {}

  void skip_space() noexcept {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::size_t pos() const noexcept { return pos_; }
  std::string_view slice(std::size_t from) const noexcept {
    return text_.substr(from, pos_ - from);
  }

  // A string literal; `escaped` tells whether it held a backslash.
  bool string(bool& escaped) noexcept {
    escaped = false;
    if (!eat('"')) return false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        escaped = true;
        if (pos_ >= text_.size()) return false;
        const char e = text_[pos_++];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (pos_ >= text_.size() || !is_hex(text_[pos_++])) return false;
          }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                   e != 'r' && e != 't') {
          return false;
        }
      }
    }
    return false;
  }

  bool value(int depth) noexcept {
    if (depth > kMaxDepth) return false;
    skip_space();
    switch (peek()) {
      case '"': {
        bool escaped = false;
        return string(escaped);
      }
      case '{':
        return container(depth, '}', true);
      case '[':
        return container(depth, ']', false);
      case 't':
        return word("true");
      case 'f':
        return word("false");
      case 'n':
        return word("null");
      default:
        return number();
    }
  }

 private:
  static bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  bool word(std::string_view w) noexcept {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  bool digits() noexcept {
    const std::size_t from = pos_;
    while (is_digit(peek())) ++pos_;
    return pos_ > from;
  }

  bool number() noexcept {
    eat('-');
    if (eat('0')) {
      if (is_digit(peek())) return false;
    } else if (!digits()) {
      return false;
    }
    if (eat('.') && !digits()) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    return true;
  }

  bool container(int depth, char close, bool is_object) noexcept {
    ++pos_;
    skip_space();
    if (eat(close)) return true;
    for (;;) {
      if (is_object) {
        skip_space();
        bool escaped = false;
        if (!string(escaped)) return false;
        skip_space();
        if (!eat(':')) return false;
      }
      if (!value(depth + 1)) return false;
      skip_space();
      if (eat(close)) return true;
      if (!eat(',')) return false;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Walks the members of a top-level object, calling on_member(key, key_escaped, value).
template <class OnMember>
bool for_each_member(std::string_view text, OnMember on_member) noexcept {
  Scanner scanner(text);
  scanner.skip_space();
  if (!scanner.eat('{')) return false;
  scanner.skip_space();
  if (!scanner.eat('}')) {
    for (;;) {
      scanner.skip_space();
      const std::size_t key_begin = scanner.pos();
      bool escaped = false;
      if (!scanner.string(escaped)) return false;
      const std::string_view key = scanner.slice(key_begin);
      scanner.skip_space();
      if (!scanner.eat(':')) return false;
      scanner.skip_space();
      const std::size_t value_begin = scanner.pos();
      if (!scanner.value(1)) return false;
      on_member(key.substr(1, key.size() - 2), escaped, scanner.slice(value_begin));
      scanner.skip_space();
      if (scanner.eat('}')) break;
      if (!scanner.eat(',')) return false;
    }
  }
  scanner.skip_space();
  return scanner.at_end();
}

}  // namespace

bool is_plain_string(std::string_view text) noexcept {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return false;
  return text.substr(1, text.size() - 2).find('\\') == std::string_view::npos;
}

Envelope scan_envelope(std::string_view line) noexcept {
  Envelope envelope;
  bool escaped_id = false;
  const bool ok =
      for_each_member(line, [&](std::string_view key, bool key_escaped, std::string_view value) {
        if (key_escaped) {
          // "\u0069d" is "id" to a JSON parser: only the full decoder can tell.
          escaped_id = true;
          return;
        }
        if (key == "id") {
          if (value.front() == '"') {
            escaped_id = !is_plain_string(value);
            envelope.id = value.substr(1, value.size() - 2);
            envelope.id_is_string = true;
          } else {
            escaped_id = false;
            envelope.id = (value.front() == '-' || (value.front() >= '0' && value.front() <= '9'))
                              ? value
                              : std::string_view{};
            envelope.id_is_string = false;
          }
        } else if (key == "result") {
          envelope.result = value;
        } else if (key == "error") {
          envelope.error = value;
        } else if (key == "method") {
          envelope.has_method = true;
        } else if (key == "jsonrpc") {
          envelope.has_jsonrpc = true;
        }
      });
  envelope.ok = ok && !escaped_id;
  return envelope;
}

std::string_view find_member(std::string_view object_text, std::string_view key) noexcept {
  std::string_view found;
  bool escaped_keys = false;
  const bool ok = for_each_member(object_text,
                                  [&](std::string_view name, bool escaped, std::string_view value) {
                                    if (escaped) escaped_keys = true;
                                    if (name == key) found = value;
                                  });
  return ok && !escaped_keys ? found : std::string_view{};
}

std::string_view first_element(std::string_view array_text) noexcept {
  Scanner scanner(array_text);
  scanner.skip_space();
  if (!scanner.eat('[')) return {};
  scanner.skip_space();
  const std::size_t begin = scanner.pos();
  if (scanner.peek() == ']' || !scanner.value(1)) return {};
  return scanner.slice(begin);
}

}  // namespace hivemind::mcp_detail
