#include "fleet/discovery_parsers.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "common/json_fields.hpp"
#include "control/session_manager_output.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

using nlohmann::json;

const json& require_array(const json& value, const std::string& what) {
  if (!value.is_array()) {
    throw Error(errc::protocol_error,
                what + " is not a JSON array: " + value.dump().substr(0, 200));
  }
  return value;
}

std::optional<std::string> ext_mount_source(const json& container, const std::string& what) {
  const auto mounts = optional_field<json>(container, "Mounts", what);
  if (!mounts) return std::nullopt;
  for (const json& mount : require_array(*mounts, what + " field 'Mounts'")) {
    require_object(mount, what + " mount");
    if (optional_field<std::string>(mount, "Destination", what + " mount") == "/workspace/ext") {
      return required_field<std::string>(mount, "Source", what + " mount");
    }
  }
  return std::nullopt;
}

InspectedContainer read_inspected(const json& container, const std::string& what) {
  require_object(container, what);
  InspectedContainer inspected;
  inspected.name = required_field<std::string>(container, "Name", what);
  if (inspected.name.starts_with('/')) inspected.name.erase(0, 1);
  if (inspected.name.empty()) throw Error(errc::protocol_error, what + " has an empty 'Name'");
  const json state = required_field<json>(container, "State", what);
  require_object(state, what + " field 'State'");
  inspected.running = required_field<bool>(state, "Running", what + " field 'State'");
  inspected.ext_mount_source = ext_mount_source(container, what);
  return inspected;
}

bool has_ready_condition(const json& pod, const std::string& what) {
  const auto status = optional_field<json>(pod, "status", what);
  if (!status) return false;
  require_object(*status, what + " field 'status'");
  const auto conditions = optional_field<json>(*status, "conditions", what + " status");
  if (!conditions) return false;
  return std::ranges::any_of(require_array(*conditions, what + " status field 'conditions'"),
                             [](const json& c) {
                               return c.is_object() && c.value("type", json()) == "Ready" &&
                                      c.value("status", json()) == "True";
                             });
}

ListedPod read_listed_pod(const json& pod, const std::string& what) {
  require_object(pod, what);
  const json metadata = required_field<json>(pod, "metadata", what);
  require_object(metadata, what + " field 'metadata'");
  ListedPod listed;
  listed.name = required_field<std::string>(metadata, "name", what + " metadata");
  listed.deleting =
      metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null();
  listed.ready = has_ready_condition(pod, what);
  return listed;
}

// The lines of `text` without surrounding blanks, empty ones left out.
std::vector<std::string> trimmed_lines(std::string_view text) {
  std::vector<std::string> lines;
  for_each_line(text, [&](std::string_view line) {
    if (const auto kept = trim(line); !kept.empty()) lines.emplace_back(kept);
  });
  return lines;
}

bool says_no_such_object(std::string_view line) {
  std::string lower(line);
  std::ranges::transform(lower, lower.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("no such object") != std::string::npos ||
         lower.find("no such container") != std::string::npos;
}

}  // namespace

std::vector<std::string> parse_container_ids(std::string_view out) {
  return trimmed_lines(out);
}

std::vector<InspectedContainer> parse_docker_inspect(std::string_view out) {
  return read_json_output(out, "docker inspect output", [](const json& document) {
    std::vector<InspectedContainer> containers;
    for (const json& container : require_array(document, "docker inspect output")) {
      containers.push_back(read_inspected(
          container, "docker inspect entry " + std::to_string(containers.size() + 1)));
    }
    return containers;
  });
}

bool only_vanished_objects(std::string_view err) {
  bool any = false;
  for (const auto& line : trimmed_lines(err)) {
    if (!says_no_such_object(line)) return false;
    any = true;
  }
  return any;
}

std::vector<ListedPod> parse_pod_list(std::string_view out) {
  return read_json_output(out, "kubectl PodList", [](const json& document) {
    require_object(document, "kubectl PodList");
    std::vector<ListedPod> pods;
    const json items = required_field<json>(document, "items", "kubectl PodList");
    for (const json& pod : require_array(items, "kubectl PodList field 'items'")) {
      pods.push_back(
          read_listed_pod(pod, "kubectl PodList item " + std::to_string(pods.size() + 1)));
    }
    return pods;
  });
}

}  // namespace hivemind::detail
