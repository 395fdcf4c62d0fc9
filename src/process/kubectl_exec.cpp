#include "process/kubectl_exec.hpp"

#include <array>

#include "process/container_exec.hpp"
#include "process/exec_token.hpp"

namespace hivemind::detail {
namespace {

// kubectl 1.2x wording: "Error from server (NotFound): pods \"x\" not found", "error: unable
// to upgrade connection: container not found (\"c\")", "error: cannot exec into a container
// in a completed pod", "The connection to the server ... was refused".
constexpr std::array<std::string_view, 7> kUnreachable{
    "(NotFound)",
    "container not found",
    "unable to upgrade connection",
    "cannot exec into a container",
    "is not running",
    "The connection to the server",
    "does not have a host assigned",
};
constexpr std::array<std::string_view, 3> kRefused{"(Forbidden)", "(Unauthorized)",
                                                   "You must be logged in"};

bool mentions_any(std::string_view text, const auto& patterns) {
  for (const auto pattern : patterns) {
    if (text.find(pattern) != std::string_view::npos) return true;
  }
  return false;
}

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

}  // namespace

std::vector<std::string> kubectl_command(const ClientOptions& options) {
  const KubernetesTarget& target = options.kubernetes;
  std::vector<std::string> argv{target.kubectl};
  if (!target.context.empty()) argv.insert(argv.end(), {"--context", target.context});
  if (!target.namespace_name.empty()) argv.insert(argv.end(), {"-n", target.namespace_name});
  argv.insert(argv.end(), options.cli_global_args.begin(), options.cli_global_args.end());
  return argv;
}

std::vector<std::string> kubectl_argv(const ClientOptions& options, ExecMode mode,
                                      const std::vector<std::string>& command,
                                      std::string_view token) {
  auto argv = kubectl_command(options);
  argv.emplace_back("exec");
  if (mode == ExecMode::interactive) argv.emplace_back("-i");
  argv.insert(argv.end(), options.exec_args.begin(), options.exec_args.end());
  argv.push_back(options.container);
  if (const auto& container = options.kubernetes.container; !container.empty()) {
    argv.insert(argv.end(), {"-c", container});
  }
  argv.emplace_back("--");
  if (!token.empty()) argv.insert(argv.end(), {"env", exec_token_assignment(token)});
  if (mode == ExecMode::detached) {
    argv.insert(argv.end(),
                {"/bin/sh", "-c", "\"$@\" </dev/null >/dev/null 2>&1 &", "hivemind-detach"});
  }
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::optional<Error> kubectl_refusal(const ClientOptions& options, int exit_code,
                                     std::string_view stderr_text, ErrorContext context) {
  if (exit_code == 0) return std::nullopt;
  const std::string where = "pod '" + options.container + "'" +
                            (options.kubernetes.namespace_name.empty()
                                 ? std::string()
                                 : " in namespace '" + options.kubernetes.namespace_name + "'");
  const std::string context_name = options.kubernetes.context.empty()
                                       ? "the current kubeconfig context"
                                       : "kubeconfig context '" + options.kubernetes.context + "'";
  if (mentions_any(stderr_text, kRefused)) {
    return Error(errc::auth_failed,
                 "kubectl was refused exec into " + where + " with " + context_name + ": " +
                     first_line(stderr_text),
                 std::move(context));
  }
  if (mentions_any(stderr_text, kUnreachable)) {
    return Error(errc::container_unavailable,
                 where + " is unavailable (" + context_name + "): " + first_line(stderr_text),
                 std::move(context));
  }
  return std::nullopt;
}

}  // namespace hivemind::detail
