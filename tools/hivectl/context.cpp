#include "context.hpp"

#include <cmath>
#include <iostream>

#include "fleet_file.hpp"

namespace hivectl {

void Context::add_global_options(CLI::App& app) {
  app.add_option("--container", options_.container,
                 "Container name [env HIVEMIND_CONTAINER, default multi-agent-container]");
  app.add_option("--docker", options_.docker,
                 "Container CLI, a name on PATH or a path [env HIVEMIND_DOCKER, default docker]");
  app.add_option("--transport", options_.transport,
                 "How calls reach the container: auto, cli, engine-api or kubectl (then "
                 "--container names the pod) [env HIVEMIND_TRANSPORT, default auto]")
      ->check(CLI::IsMember({"auto", "cli", "engine-api", "kubectl"}));
  app.add_option("--kube-context", options_.kube_context,
                 "kubeconfig context for --transport kubectl [env HIVEMIND_KUBE_CONTEXT]");
  app.add_option("--kube-namespace", options_.kube_namespace,
                 "Namespace of the pod [env HIVEMIND_KUBE_NAMESPACE]");
  app.add_option("--kube-container", options_.kube_container,
                 "Container in the pod [env HIVEMIND_KUBE_CONTAINER, default: the pod's default]");
  app.add_option("--engine-host", options_.engine_host,
                 "Docker Engine API endpoint, unix:///path or tcp://host:port "
                 "[env DOCKER_HOST, default unix:///var/run/docker.sock]");
  app.add_option("--script", options_.script,
                 "Session manager path in the container [env HIVEMIND_SCRIPT]");
  app.add_option("--host-ext-dir", options_.host_ext_dir,
                 "Host side of the container's /workspace/ext mount [env HIVEMIND_HOST_EXT_DIR]");
  app.add_option("--mcp-host", options_.mcp_host,
                 "MCP relay host [env HIVEMIND_MCP_HOST, default localhost]");
  app.add_option("--mcp-port", options_.mcp_port,
                 "MCP relay port [env HIVEMIND_MCP_PORT, default 9500]")
      ->check(CLI::Range(1, 65535));
  app.add_option("--mcp-token", options_.mcp_token,
                 "MCP auth token; prefer the environment, argv is visible to other users "
                 "[env HIVEMIND_MCP_TOKEN]");
  app.add_option("--call-timeout", options_.call_timeout,
                 "Deadline of one container call / MCP request (30, 30s, 500ms, 2m) "
                 "[env HIVEMIND_TIMEOUT in seconds, default 30s]")
      ->check(duration_validator());
  app.add_option("--fleet", options_.fleet_file,
                 "Fleet file (JSON): act on several containers, see docs/hivectl.md "
                 "[env HIVEMIND_FLEET]")
      ->envname("HIVEMIND_FLEET");
  app.add_option("--target", options_.target,
                 "With a fleet: use only this target, as if it were the only container");
  app.add_flag("--json", options_.json, "Print one JSON document per command");
  app.add_flag("-v,--verbose", options_.verbose,
               "Show the SDK's log (retries, reconnects) on stderr");
  app.parse_complete_callback([this] {
    if (options_.target && !options_.fleet_file) {
      throw CLI::ValidationError("--target", "needs a fleet: --fleet FILE or HIVEMIND_FLEET");
    }
    output_ = Output(options_.json);
    // Errors reach the user as one line each; the SDK's retry and reconnect warnings
    // would bury that line, so they are shown only on request.
    hivemind::logger()->set_level(options_.verbose ? spdlog::level::info : spdlog::level::off);
  });
}

hivemind::ClientOptions Context::base_client_options() const {
  auto options = hivemind::ClientOptions::from_environment();
  if (options_.container) options.container = *options_.container;
  if (options_.docker) options.cli = *options_.docker;
  if (options_.transport) {
    options.transport = *hivemind::container_transport_from_string(*options_.transport);
  }
  if (options_.engine_host) options.engine_host = *options_.engine_host;
  if (options_.kube_context) options.kubernetes.context = *options_.kube_context;
  if (options_.kube_namespace) options.kubernetes.namespace_name = *options_.kube_namespace;
  if (options_.kube_container) options.kubernetes.container = *options_.kube_container;
  if (options_.script) options.script = *options_.script;
  if (options_.host_ext_dir) options.host_ext_dir = *options_.host_ext_dir;
  if (options_.call_timeout) options.call_timeout = parse_duration(*options_.call_timeout);
  if (metrics_) options.metrics = metrics_;
  return options;
}

const hivemind::HiveMindClient& Context::client() {
  if (!client_) {
    if (options_.target) {
      client_.emplace(fleet().client(*options_.target));
    } else {
      client_.emplace(base_client_options());
    }
  }
  return *client_;
}

hivemind::HiveMindFleet& Context::fleet() {
  if (!fleet_) {
    if (!options_.fleet_file) {
      throw hivemind::Error(hivemind::errc::invalid_argument, "no fleet: give --fleet FILE");
    }
    hivemind::FleetOptions options;
    options.discovery = read_fleet_file(*options_.fleet_file, base_client_options());
    // hivectl is short-lived: each command lists the targets itself (top once per frame).
    options.refresh_interval = std::chrono::milliseconds(0);
    fleet_ = std::make_unique<hivemind::HiveMindFleet>(std::move(options));
  }
  return *fleet_;
}

hivemind::SessionHandle Context::session(const std::string& session_id) {
  if (fleet_mode()) return fleet().find(session_id);
  return hivemind::SessionHandle::from_uuid(client(), session_id);
}

void Context::connect() {
  if (fleet_mode()) {
    (void)fleet();
  } else {
    (void)client();
  }
}

hivemind::McpTelemetryClient& Context::mcp() {
  if (!mcp_) {
    auto options = hivemind::McpOptions::from_environment();
    if (options_.mcp_host) options.host = *options_.mcp_host;
    if (options_.mcp_port) options.port = *options_.mcp_port;
    if (options_.mcp_token) options.token = *options_.mcp_token;
    if (options_.call_timeout) options.request_deadline = parse_duration(*options_.call_timeout);
    mcp_ = std::make_unique<hivemind::McpTelemetryClient>(std::move(options));
  }
  return *mcp_;
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  std::size_t consumed = 0;
  double value = -1;
  try {
    value = std::stod(text, &consumed);
  } catch (const std::exception&) {
    consumed = 0;
  }
  const std::string unit = text.substr(consumed);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  if (unit == "ms") scale = 1;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  const double milliseconds = value * scale;
  if (consumed == 0 || scale == 0 || !std::isfinite(milliseconds) || milliseconds <= 0 ||
      milliseconds > 7 * 24 * 3'600'000.0) {
    throw hivemind::Error(hivemind::errc::invalid_argument,
                          "'" + text + "' is not a duration such as 90, 90s, 500ms, 5m or 2h");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(milliseconds)));
}

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          (void)parse_duration(text);
          return {};
        } catch (const hivemind::Error& error) {
          return error.what();
        }
      },
      "DURATION");
}

hivemind::WaitOptions interactive_wait_options() {
  using namespace std::chrono_literals;
  hivemind::WaitOptions options;
  options.initial_interval = 250ms;
  options.max_interval = 2s;
  options.liveness_interval = 2s;
  return options;
}

void report_error(std::string_view kind, std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << "hivectl: error [" << kind << "]: " << line << std::endl;
}

}  // namespace hivectl
