#include "common/json_reader.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

#include "common/utf8.hpp"

namespace hivemind::detail {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;  // deeper documents go to nlohmann's iterative parser

class Reader {
 public:
  explicit Reader(std::string_view text)
      : at_(reinterpret_cast<const unsigned char*>(text.data())), end_(at_ + text.size()) {}

  // False when the text is not one this reader handles; nlohmann's parser decides then.
  bool read_document(json& out) {
    skip_whitespace();
    if (!read_value(out, 0)) return false;
    skip_whitespace();
    return at_ == end_;
  }

 private:
  void skip_whitespace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  bool take(char expected) {
    if (at_ == end_ || *at_ != static_cast<unsigned char>(expected)) return false;
    ++at_;
    return true;
  }

  bool read_value(json& out, int depth) {
    if (at_ == end_) return false;
    switch (*at_) {
      case '{':
        return read_object(out, depth);
      case '[':
        return read_array(out, depth);
      case '"': {
        std::string text;
        if (!read_string(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't':
        return read_word("true", out, true);
      case 'f':
        return read_word("false", out, false);
      case 'n':
        return read_word("null", out, nullptr);
      default:
        return read_number(out);
    }
  }

  template <class Value>
  bool read_word(std::string_view word, json& out, Value value) {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::string_view(reinterpret_cast<const char*>(at_), word.size()) != word) {
      return false;
    }
    at_ += word.size();
    out = value;
    return true;
  }

  bool read_object(json& out, int depth) {
    if (depth >= kMaxDepth) return false;
    ++at_;
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    skip_whitespace();
    if (take('}')) return true;
    for (;;) {
      std::string key;
      if (at_ == end_ || *at_ != '"' || !read_string(key)) return false;
      skip_whitespace();
      if (!take(':')) return false;
      skip_whitespace();
      json value;
      if (!read_value(value, depth + 1)) return false;
      members.insert_or_assign(std::move(key), std::move(value));  // the last key wins
      skip_whitespace();
      if (take('}')) return true;
      if (!take(',')) return false;
      skip_whitespace();
    }
  }

  bool read_array(json& out, int depth) {
    if (depth >= kMaxDepth) return false;
    ++at_;
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    skip_whitespace();
    if (take(']')) return true;
    for (;;) {
      if (!read_value(items.emplace_back(), depth + 1)) return false;
      skip_whitespace();
      if (take(']')) return true;
      if (!take(',')) return false;
      skip_whitespace();
    }
  }

  // At the opening quote. Escapes other than \u are decoded here.
  bool read_string(std::string& out) {
    ++at_;
    const unsigned char* plain = at_;
    const auto flush = [&] { out.append(reinterpret_cast<const char*>(plain), at_ - plain); };
    while (at_ != end_) {
      const unsigned char c = *at_;
      if (c == '"') {
        flush();
        ++at_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence_length(reinterpret_cast<const char*>(at_),
                                                        reinterpret_cast<const char*>(end_));
        if (length == 0) return false;
        at_ += length;
        continue;
      }
      if (c != '\\') {
        ++at_;
        continue;
      }
      flush();
      if (++at_ == end_) return false;
      const char decoded = unescaped(*at_);
      if (decoded == 0) return false;  // \u or not an escape
      out.push_back(decoded);
      plain = ++at_;
    }
    return false;
  }

  static char unescaped(unsigned char c) {
    switch (c) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return 0;
    }
  }

  bool skip_digits() {
    const unsigned char* from = at_;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') ++at_;
    return at_ != from;
  }

  // The JSON grammar checked here; the conversion as nlohmann's lexer does it: an
  // integer that fits is unsigned (or signed, with a minus), one that does not and
  // every fraction or exponent is a double.
  bool read_number(json& out) {
    const unsigned char* from = at_;
    const bool negative = take('-');
    if (take('0')) {
      // a leading zero stands alone
    } else if (!skip_digits()) {
      return false;
    }
    bool is_float = false;
    if (take('.')) {
      if (!skip_digits()) return false;
      is_float = true;
    }
    if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
      ++at_;
      if (!take('+')) take('-');
      if (!skip_digits()) return false;
      is_float = true;
    }
    const char* first = reinterpret_cast<const char*>(from);
    const char* last = reinterpret_cast<const char*>(at_);
    if (!is_float) {
      if (negative) {
        std::int64_t value = 0;
        if (std::from_chars(first, last, value).ec == std::errc{}) {
          out = value;
          return true;
        }
      } else {
        std::uint64_t value = 0;
        if (std::from_chars(first, last, value).ec == std::errc{}) {
          out = value;
          return true;
        }
      }
    }
    double value = 0;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc{} || end != last) return false;  // out of range: nlohmann decides
    out = value;
    return true;
  }

  const unsigned char* at_;
  const unsigned char* end_;
};

}  // namespace

json read_json(std::string_view text) {
  json out;
  if (Reader(text).read_document(out)) return out;
  return json::parse(text, nullptr, false);
}

}  // namespace hivemind::detail
