// Where a fleet's targets come from: each call answers the hive-mind containers that exist
// now, so calling it again (a refresh) sees targets appear and vanish. Each target's options
// reach its container with HiveMindClient as they are.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hivemind/control/client_options.hpp"
#include "hivemind/fleet/fleet_target.hpp"

namespace hivemind {

// Returns the targets that exist now. Throws hivemind::Error when it cannot tell.
using TargetDiscovery = std::function<std::vector<FleetTarget>()>;

// The same targets every time.
TargetDiscovery fixed_targets(std::vector<FleetTarget> targets);

// The running containers that `CLI [global args] ps --filter F...` lists on one Docker host,
// each a target named `name_prefix` + container name. Each target's host_ext_dir is the host
// side of the container's /workspace/ext bind mount (from `inspect`), when it has one.
struct DockerDiscovery {
  ClientOptions base;                // cli, cli_global_args (-H/--context), transport, ...
  std::vector<std::string> filters;  // `--filter` values: "label=app=hive-mind", "name=hm-"
  std::string name_prefix;           // e.g. "host-a/" to tell hosts apart; empty: none
};
TargetDiscovery docker_containers(DockerDiscovery discovery);

// The Ready pods (not being deleted) that `kubectl [--context] [-n] get pods -l SELECTOR -o json`
// lists, each a target named `name_prefix` + pod name reached with ContainerTransport::kubectl
// through base.kubernetes. Pods share no directory with this host: set base.host_ext_dir only
// where one is mounted.
struct KubernetesDiscovery {
  ClientOptions base;
  std::string selector;  // label selector, e.g. "app=hive-mind"; must not be empty
  std::string name_prefix;
};
TargetDiscovery kubernetes_pods(KubernetesDiscovery discovery);

// The targets of every source, in order. A name given twice throws invalid_argument.
TargetDiscovery combined(std::vector<TargetDiscovery> sources);

}  // namespace hivemind
