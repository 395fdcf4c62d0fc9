// Typed errors of the SDK: one std::error_code category and an exception that
// keeps the evidence (argv, exit code, stderr, JSON-RPC code) of what failed.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace hivemind {

enum class errc {
  docker_exec_failed = 1,  // the CLI could not run, or the command failed in a way not listed below
  container_unavailable,   // no such container, container not running, engine unreachable
  session_not_found,       // the container does not know the session UUID
  invalid_argument,        // rejected before anything was sent
  timeout,                 // a deadline expired
  cancelled,               // the caller cancelled the operation
  connection_failed,       // could not connect (refused, handshake rejected)
  connection_lost,         // the connection closed while the operation was in flight
  protocol_error,          // the peer answered something the SDK cannot interpret
  auth_failed,             // the server rejected the token, or needs one
  rpc_error,               // a JSON-RPC error response
  tool_unavailable,        // the MCP tool does not exist on the server (fake success)
  tool_failed,             // the MCP tool ran and reported `success: false`
  task_failed,             // the session ended in failure
  output_too_large,        // a captured stream or a line exceeded its configured bound
  rate_limited,            // the server (or the client's own limiter) refused for rate
  journal_locked,          // another process (or SessionJournal) holds the journal directory
  journal_corrupt,         // a journal file is not readable (garbage, wrong version)
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// The evidence attached to an Error. Fields that do not apply stay empty.
struct ErrorContext {
  std::vector<std::string> argv;   // the command line that ran (never holds secrets)
  std::optional<int> exit_code;    // the process's exit status
  std::string stderr_text;         // what the process wrote to stderr (bounded)
  std::string output_text;         // offending output, e.g. unparseable stdout
  std::optional<int> rpc_code;     // JSON-RPC error code
  nlohmann::json rpc_data;         // JSON-RPC error data, null when absent
  std::optional<int> http_status;  // the HTTP status of a refused WebSocket upgrade (401, 503, ...)
};

class Error : public std::system_error {
 public:
  Error(errc code, const std::string& message, ErrorContext context = {});
  Error(std::error_code code, const std::string& message, ErrorContext context = {});

  // The errc value when the code belongs to this library's category.
  std::optional<errc> kind() const noexcept;
  const ErrorContext& context() const noexcept { return context_; }

 private:
  ErrorContext context_;
};

// A short human name for each errc ("timeout", "session_not_found", ...).
const char* to_string(errc e) noexcept;

}  // namespace hivemind

template <>
struct std::is_error_code_enum<hivemind::errc> : std::true_type {};
