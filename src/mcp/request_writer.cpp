#include "mcp/request_writer.hpp"

#include <memory>

namespace hivemind::mcp_detail {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain_from, i - plain_from));
    plain_from = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escape, sizeof escape);
      }
    }
  }
  out.append(text.substr(plain_from));
  out.push_back('"');
}

namespace {

// The string a thread's serializer appends to, set before each dump.
class AppendTarget final : public nlohmann::detail::output_adapter_protocol<char> {
 public:
  std::string* out = nullptr;
  void write_character(char c) override { out->push_back(c); }
  void write_characters(const char* text, std::size_t length) override {
    out->append(text, length);
  }
};

}  // namespace

void append_json(std::string& out, const nlohmann::json& value) {
  // One serializer per thread, reused: building one allocates its output adapter and a
  // 512-byte indent string, two heap allocations per request otherwise.
  thread_local const auto target = std::make_shared<AppendTarget>();
  thread_local nlohmann::detail::serializer<nlohmann::json> serializer(
      target, ' ', nlohmann::json::error_handler_t::replace);
  target->out = &out;
  serializer.dump(value, false, false, 0);
}

void append_json_text(std::string& out, std::string_view json_text) {
  const std::size_t start = out.size();
  out.append(json_text);
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
  }
}

void append_request(std::string& out, std::string_view id, std::string_view method,
                    std::string_view params_text) {
  out.append(R"({"jsonrpc":"2.0","id":)");
  append_json_string(out, id);
  out.append(R"(,"method":)");
  append_json_string(out, method);
  if (!params_text.empty()) {
    out.append(R"(,"params":)");
    append_json_text(out, params_text);
  }
  out.append("}\n");
}

}  // namespace hivemind::mcp_detail
