#include "process/exec_token.hpp"

#include <random>

namespace hivemind::detail {

std::string new_exec_token() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(32);
  for (int half = 0; half < 2; ++half) {
    auto bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) token += kHex[bits & 0xf];
  }
  return token;
}

std::string session_exec_token(std::string_view session_id) {
  return "session-" + std::string(session_id);
}

std::string exec_token_assignment(std::string_view token) {
  std::string assignment(kExecTokenVariable);
  assignment += '=';
  assignment += token;
  return assignment;
}

std::vector<std::string> kill_by_token_command(std::string_view token) {
  // The token is a positional argument ($1), never pasted into the script. `grep -z -x`
  // matches one whole NUL-separated environment entry. The killer's own environment does not
  // hold the token, only its arguments do.
  return {"/bin/sh", "-c",
          "n=0; for e in /proc/[0-9]*/environ; do "
          "if grep -qzxF \"$1\" \"$e\" 2>/dev/null; then p=${e#/proc/}; "
          "kill -KILL \"${p%/environ}\" 2>/dev/null && n=$((n + 1)); fi; done; echo $n",
          "hivemind-end-exec", exec_token_assignment(token)};
}

}  // namespace hivemind::detail
