#include "hivemind/common/error.hpp"

#include <array>

namespace hivemind {
namespace {

struct ErrcInfo {
  const char* name;
  const char* message;
};

// Indexed by the errc value; slot 0 is unused because errc starts at 1 (0 means success).
constexpr std::array<ErrcInfo, 19> kErrcInfo{{
    {"unknown", "unknown hivemind error"},
    {"docker_exec_failed", "container CLI invocation failed"},
    {"container_unavailable", "container unavailable"},
    {"session_not_found", "session not found"},
    {"invalid_argument", "invalid argument"},
    {"timeout", "deadline expired"},
    {"cancelled", "operation cancelled"},
    {"connection_failed", "connection failed"},
    {"connection_lost", "connection lost"},
    {"protocol_error", "protocol error"},
    {"auth_failed", "authentication failed"},
    {"rpc_error", "JSON-RPC error"},
    {"tool_unavailable", "tool not available"},
    {"tool_failed", "tool reported failure"},
    {"task_failed", "task failed"},
    {"output_too_large", "output exceeds its bound"},
    {"rate_limited", "rate limit exceeded"},
    {"journal_locked", "session journal in use"},
    {"journal_corrupt", "session journal unreadable"},
}};

const ErrcInfo& info(int value) noexcept {
  if (value <= 0 || static_cast<std::size_t>(value) >= kErrcInfo.size()) return kErrcInfo[0];
  return kErrcInfo[static_cast<std::size_t>(value)];
}

class HivemindCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "hivemind"; }
  std::string message(int value) const override { return info(value).message; }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const HivemindCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

Error::Error(errc code, const std::string& message, ErrorContext context)
    : Error(make_error_code(code), message, std::move(context)) {}

Error::Error(std::error_code code, const std::string& message, ErrorContext context)
    : std::system_error(code, message), context_(std::move(context)) {}

std::optional<errc> Error::kind() const noexcept {
  if (code().category() != error_category()) return std::nullopt;
  return static_cast<errc>(code().value());
}

const char* to_string(errc e) noexcept {
  return info(static_cast<int>(e)).name;
}

}  // namespace hivemind
