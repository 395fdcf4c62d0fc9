// The kubectl transport: `kubectl exec` into a pod, with the docker exec modes rebuilt from
// what kubectl has (no -d, no -e), and kubectl's refusals read as the SDK's errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

enum class ExecMode;

// `kubectl [--context C] [-n NS] [global args]`: what precedes the verb of every kubectl call
// the SDK makes (exec, and `get pods` for discovery).
std::vector<std::string> kubectl_command(const ClientOptions& options);

// `kubectl [--context C] [-n NS] [global args] exec [-i] [exec args] POD [-c CONTAINER] --
// [env HIVEMIND_EXEC_ID=TOKEN] COMMAND...`. Detached: the command runs in the background of a
// `/bin/sh` that returns at once, its stdio on /dev/null (kubectl exec has no -d).
std::vector<std::string> kubectl_argv(const ClientOptions& options, ExecMode mode,
                                      const std::vector<std::string>& command,
                                      std::string_view token);

// What kubectl's stderr says of a failed exec, when it says the pod could not be reached:
// container_unavailable (pod or container not found, not ready, API server unreachable) or
// auth_failed (Forbidden, Unauthorized: naming the kubeconfig context). Empty otherwise.
std::optional<Error> kubectl_refusal(const ClientOptions& options, int exit_code,
                                     std::string_view stderr_text, ErrorContext context);

}  // namespace hivemind::detail
