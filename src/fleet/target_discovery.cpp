#include "hivemind/fleet/target_discovery.hpp"

#include <map>
#include <utility>

#include "common/run_sync.hpp"
#include "control/session_manager_output.hpp"
#include "fleet/discovery_parsers.hpp"
#include "hivemind/common/error.hpp"
#include "process/container_exec.hpp"
#include "process/kubectl_exec.hpp"
#include "process/process_runner.hpp"

namespace hivemind {
namespace {

using Argv = std::vector<std::string>;

std::string shown_command(const Argv& argv) {
  std::string shown;
  for (const auto& arg : argv) shown += (shown.empty() ? "" : " ") + arg;
  return "'" + shown + "'";
}

// Runs a listing command with the environment, deadline and output bound of `base`, like a
// call into a container. A deadline or an overflow throws (timeout, output_too_large).
detail::ProcessResult run_listing(const ClientOptions& base, const Argv& argv) {
  detail::ProcessRequest request{argv.front(),
                                 {argv.begin() + 1, argv.end()},
                                 base.cli_environment,
                                 base.call_timeout,
                                 base.max_output_bytes};
  auto result = detail::run_sync(detail::run_process(std::move(request)));
  if (result.launch_error) {
    ErrorContext context;
    context.argv = argv;
    throw Error(
        errc::docker_exec_failed,
        "target discovery cannot run " + shown_command(argv) + ": " + result.launch_error.message(),
        std::move(context));
  }
  return result;
}

// The engine or the cluster answered with an error: nothing can be said about its targets.
Error listing_refused(const Argv& argv, const detail::ProcessResult& result) {
  ErrorContext context;
  context.argv = argv;
  context.exit_code = result.exit_code;
  context.stderr_text = result.err;
  return Error(errc::container_unavailable,
               "target discovery: " + shown_command(argv) + " failed with exit code " +
                   std::to_string(result.exit_code) + ": " + detail::output_excerpt(result.err),
               std::move(context));
}

// The parsers name the document; the error names the command as well.
template <class Parse>
auto parse_listing(const Argv& argv, Parse parse) {
  try {
    return parse();
  } catch (const Error& e) {
    ErrorContext context = e.context();
    context.argv = argv;
    throw Error(
        e.code(),
        "target discovery: " + shown_command(argv) + " printed unreadable output: " + e.what(),
        std::move(context));
  }
}

Argv docker_command(const ClientOptions& base, std::initializer_list<std::string> verb) {
  Argv argv{base.cli};
  argv.insert(argv.end(), base.cli_global_args.begin(), base.cli_global_args.end());
  argv.insert(argv.end(), verb);
  return argv;
}

std::vector<FleetTarget> list_docker_targets(const DockerDiscovery& discovery) {
  Argv ps = docker_command(discovery.base, {"ps", "-q", "--no-trunc"});
  for (const auto& filter : discovery.filters) ps.insert(ps.end(), {"--filter", filter});
  const auto listed = run_listing(discovery.base, ps);
  if (listed.exit_code != 0) throw listing_refused(ps, listed);
  const auto ids = detail::parse_container_ids(listed.out);
  if (ids.empty()) return {};

  Argv inspect = docker_command(discovery.base, {"inspect"});
  inspect.insert(inspect.end(), ids.begin(), ids.end());
  const auto inspected = run_listing(discovery.base, inspect);
  // A container removed between `ps` and `inspect` is gone, not a failure: the others are
  // still printed.
  if (inspected.exit_code != 0 && !detail::only_vanished_objects(inspected.err)) {
    throw listing_refused(inspect, inspected);
  }
  const auto containers =
      parse_listing(inspect, [&] { return detail::parse_docker_inspect(inspected.out); });

  std::vector<FleetTarget> targets;
  for (const auto& container : containers) {
    if (!container.running) continue;  // stopped between `ps` and `inspect`
    FleetTarget target{discovery.name_prefix + container.name, discovery.base};
    target.options.container = container.name;
    if (container.ext_mount_source) target.options.host_ext_dir = *container.ext_mount_source;
    targets.push_back(std::move(target));
  }
  return targets;
}

std::vector<FleetTarget> list_kubernetes_targets(const KubernetesDiscovery& discovery) {
  Argv get = detail::kubectl_command(discovery.base);
  get.insert(get.end(), {"get", "pods", "-l", discovery.selector, "-o", "json"});
  const auto listed = run_listing(discovery.base, get);
  if (listed.exit_code != 0) throw listing_refused(get, listed);
  const auto pods = parse_listing(get, [&] { return detail::parse_pod_list(listed.out); });

  std::vector<FleetTarget> targets;
  for (const auto& pod : pods) {
    if (!pod.ready || pod.deleting) continue;
    FleetTarget target{discovery.name_prefix + pod.name, discovery.base};
    target.options.transport = ContainerTransport::kubectl;
    target.options.container = pod.name;
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace

TargetDiscovery fixed_targets(std::vector<FleetTarget> targets) {
  return [targets = std::move(targets)] { return targets; };
}

TargetDiscovery docker_containers(DockerDiscovery discovery) {
  return [discovery = std::move(discovery)] { return list_docker_targets(discovery); };
}

TargetDiscovery kubernetes_pods(KubernetesDiscovery discovery) {
  // An empty selector would select every pod of the namespace, hive-mind or not.
  if (discovery.selector.find_first_not_of(" \t") == std::string::npos) {
    throw Error(errc::invalid_argument,
                "kubernetes_pods needs a label selector (e.g. \"app=hive-mind\"); it is empty");
  }
  return [discovery = std::move(discovery)] { return list_kubernetes_targets(discovery); };
}

TargetDiscovery combined(std::vector<TargetDiscovery> sources) {
  return [sources = std::move(sources)] {
    std::vector<FleetTarget> targets;
    std::map<std::string, std::size_t> source_of_name;
    for (std::size_t source = 0; source < sources.size(); ++source) {
      for (auto& target : sources[source]()) {
        const auto [known, added] = source_of_name.emplace(target.name, source);
        if (!added) {
          throw Error(errc::invalid_argument, "fleet target name '" + target.name +
                                                  "' is given twice (by discovery sources " +
                                                  std::to_string(known->second + 1) + " and " +
                                                  std::to_string(source + 1) + ")");
        }
        targets.push_back(std::move(target));
      }
    }
    return targets;
  };
}

}  // namespace hivemind
