// Configuration of HiveMindClient. Defaults match the deployed container.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hivemind/common/retry_policy.hpp"
#include "hivemind/metrics/metrics_sink.hpp"

namespace hivemind {

class MetadataCache;

// What to do with a `'` in a task. The container pastes the task into a
// single-quoted shell string, so a `'` is a command-injection hole there.
enum class SingleQuotePolicy {
  reject,                   // refuse the task with invalid_argument (default)
  replace_with_typographic  // replace each `'` with U+2019 RIGHT SINGLE QUOTATION MARK
};

// How commands reach the container.
enum class ContainerTransport {
  // The Docker Engine API when it is usable: `cli` is plain "docker" with no global
  // arguments, and engine_host (or $DOCKER_HOST, or /var/run/docker.sock) names a unix socket
  // this process can open or a tcp:// host, with neither $DOCKER_CONTEXT nor $DOCKER_TLS_VERIFY
  // set. Otherwise the CLI.
  automatic,
  cli,         // fork `cli exec ...` per call (docker, podman, --context, anything)
  engine_api,  // HTTP/1.1 to the Docker Engine API on engine_host; no process per call
  kubectl,     // `kubectl exec` into a pod (ClientOptions::kubernetes); `container` names the pod
};

// Where a pod's container is, for ContainerTransport::kubectl:
// `kubectl [--context CONTEXT] [-n NAMESPACE] exec [-i] POD [-c CONTAINER] -- COMMAND...`.
struct KubernetesTarget {
  std::string kubectl = "kubectl";  // a name looked up on PATH, or a path
  std::string context;              // kubeconfig context; empty: the current one
  std::string namespace_name;       // empty: the context's namespace
  std::string container;            // container in the pod; empty: the pod's default
};

// "auto", "cli", "engine-api", "kubectl" (as in HIVEMIND_TRANSPORT and hivectl --transport).
std::string_view to_string(ContainerTransport transport) noexcept;
// The inverse of to_string; nullopt for anything else.
std::optional<ContainerTransport> container_transport_from_string(std::string_view text) noexcept;

struct ClientOptions {
  // The container's name in a HiveMindFleet (FleetTarget::name); empty outside one.
  std::string target_name;
  ContainerTransport transport = ContainerTransport::automatic;
  // The Engine API endpoint in DOCKER_HOST syntax: unix:///var/run/docker.sock or
  // tcp://host:2375 (no TLS). Empty: $DOCKER_HOST, else unix:///var/run/docker.sock.
  std::string engine_host;

  // With ContainerTransport::kubectl: the pod's whereabouts (`container` is the pod's name).
  KubernetesTarget kubernetes;

  // The container CLI: a name looked up on PATH (`docker`, `podman`) or a path.
  std::string cli = "docker";
  // Arguments placed before `exec`, e.g. {"--context", "remote"} or {"-H", "tcp://host:2375"}.
  std::vector<std::string> cli_global_args;
  // Arguments placed after `exec`, before the container, e.g. {"-u", "dev"}.
  std::vector<std::string> exec_args;
  // Extra environment variables for the CLI process (e.g. DOCKER_HOST), added to the
  // inherited environment.
  std::vector<std::pair<std::string, std::string>> cli_environment;

  std::string container = "multi-agent-container";
  std::string script = "/app/scripts/hive-session-manager.sh";

  // Deadline of one call into the container. On expiry (and when the call is cancelled) the
  // CLI process is killed and the command is ended inside the container too.
  std::chrono::milliseconds call_timeout{30'000};
  // Applied only to failures that happened before the script ran.
  RetryPolicy retry{};
  // Bound on each of stdout and stderr of one invocation.
  std::size_t max_output_bytes = 8u << 20;

  SingleQuotePolicy single_quotes = SingleQuotePolicy::reject;

  // Host side of the container's /workspace/ext bind mount. Empty: $HIVEMIND_HOST_EXT_DIR
  // when set, else ./workspace/ext.
  std::filesystem::path host_ext_dir;

  // Remembers `get` answers for its TTL (see metadata_cache.hpp). Null (the default): every
  // `get` asks the container. Copies of the options share the cache.
  std::shared_ptr<MetadataCache> metadata_cache;

  // Directory of the client's SessionJournal (docs/lifecycle.md): every session it
  // creates is recorded there, durably, before its UUID is returned. Empty: no journal.
  // The journal is locked by the client (and its copies and handles) while they live.
  std::filesystem::path journal_dir;
  // With a journal: reconcile it with the container when the client is constructed
  // (SessionLifecycle::recover). A container that cannot be reached then is logged, not thrown.
  bool recover_on_start = true;
  // Receives container exec and session lifecycle events (e.g. a LifecycleMetrics). Null: none.
  std::shared_ptr<MetricsSink> metrics;

  // Defaults overridden by the environment: HIVEMIND_TRANSPORT (auto, cli or engine-api),
  // HIVEMIND_DOCKER (CLI name or path), HIVEMIND_KUBECTL, HIVEMIND_KUBE_CONTEXT,
  // HIVEMIND_KUBE_NAMESPACE, HIVEMIND_KUBE_CONTAINER (KubernetesTarget),
  // HIVEMIND_CONTAINER, HIVEMIND_SCRIPT, HIVEMIND_HOST_EXT_DIR and HIVEMIND_TIMEOUT (per-call
  // deadline in seconds, may be fractional). A malformed value throws invalid_argument.
  static ClientOptions from_environment();
};

}  // namespace hivemind
