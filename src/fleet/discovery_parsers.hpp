// Sans-IO readers of what `docker ps`/`docker inspect` and `kubectl get pods -o json` print,
// for target discovery. Unreadable output throws Error(errc::protocol_error) that names the
// document and keeps the text (bounded) in ErrorContext::output_text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hivemind::detail {

// `docker ps -q --no-trunc`: one container id a line.
std::vector<std::string> parse_container_ids(std::string_view out);

struct InspectedContainer {
  std::string name;  // without docker's leading '/'
  bool running = false;
  // Host side of the bind mount at /workspace/ext; nullopt without one.
  std::optional<std::string> ext_mount_source;
};

// The JSON array `docker inspect ID...` prints.
std::vector<InspectedContainer> parse_docker_inspect(std::string_view out);

// Whether every line of `docker inspect` stderr says an object does not exist: containers
// that `ps` listed and that were removed before `inspect` asked about them.
bool only_vanished_objects(std::string_view err);

struct ListedPod {
  std::string name;
  bool ready = false;     // a status.conditions entry {type: Ready, status: "True"}
  bool deleting = false;  // metadata.deletionTimestamp is set
};

// The PodList `kubectl get pods -o json` prints.
std::vector<ListedPod> parse_pod_list(std::string_view out);

}  // namespace hivemind::detail
