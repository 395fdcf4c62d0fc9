#include "fleet_file.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <hivemind/common/error.hpp>
#include <nlohmann/json.hpp>

namespace hivectl {
namespace {

using nlohmann::json;

// One entry of the file being read: its location for messages ("targets[1]") and the
// fields not consumed yet, so that what is left over is an unknown key.
class Entry {
 public:
  // `where` is empty for the document itself.
  Entry(std::string where, const json& value, std::string_view file)
      : where_(std::move(where)), file_(file) {
    if (!value.is_object()) fail(where_.empty() ? "the document" : where_, "must be an object");
    for (const auto& [key, field] : value.items()) fields_.emplace(key, field);
  }

  // `what` names the key (or is empty for the document itself).
  [[noreturn]] void fail(const std::string& what, const std::string& problem) const {
    throw hivemind::Error(
        hivemind::errc::invalid_argument,
        "fleet file " + std::string(file_) + ": " + what + (what.empty() ? "" : " ") + problem);
  }

  std::optional<std::string> string(const std::string& key) {
    const auto field = take(key);
    if (!field) return std::nullopt;
    if (!field->is_string()) fail(path(key), "must be a string");
    return field->get<std::string>();
  }
  std::string required_string(const std::string& key) {
    auto value = string(key);
    if (!value || value->empty()) fail(path(key), "is required (a non-empty string)");
    return *value;
  }
  std::vector<std::string> strings(const std::string& key) {
    const auto field = take(key);
    if (!field) return {};
    if (!field->is_array()) fail(path(key), "must be an array of strings");
    std::vector<std::string> values;
    for (const auto& item : *field) {
      if (!item.is_string()) fail(path(key), "must be an array of strings");
      values.push_back(item.get<std::string>());
    }
    return values;
  }
  std::vector<json> objects(const std::string& key) {
    const auto field = take(key);
    if (!field) return {};
    if (!field->is_array()) fail(path(key), "must be an array of objects");
    return field->get<std::vector<json>>();
  }
  // After every known field was taken.
  void reject_unknown_keys() const {
    if (!fields_.empty()) fail(path(fields_.begin()->first), "is not a known key");
  }

  std::string path(const std::string& key) const {
    return where_.empty() ? key : where_ + "." + key;
  }

 private:
  std::optional<json> take(const std::string& key) {
    const auto found = fields_.find(key);
    if (found == fields_.end()) return std::nullopt;
    auto value = std::move(found->second);
    fields_.erase(found);
    return value;
  }

  std::string where_;
  std::string_view file_;
  std::map<std::string, json> fields_;
};

// The connection fields every kind of entry may override.
void override_engine_host(Entry& entry, hivemind::ClientOptions& options) {
  if (auto value = entry.string("engine_host")) options.engine_host = *value;
}
void override_kubernetes(Entry& entry, hivemind::ClientOptions& options) {
  if (auto value = entry.string("kube_context")) options.kubernetes.context = *value;
  if (auto value = entry.string("kube_namespace")) options.kubernetes.namespace_name = *value;
  if (auto value = entry.string("kube_container")) options.kubernetes.container = *value;
}

hivemind::FleetTarget read_target(Entry entry, hivemind::ClientOptions options) {
  hivemind::FleetTarget target;
  target.name = entry.required_string("name");
  options.container = entry.required_string("container");
  if (auto value = entry.string("transport")) {
    const auto transport = hivemind::container_transport_from_string(*value);
    if (!transport)
      entry.fail(entry.path("transport"),
                 "'" + *value + "' is not auto, cli, engine-api or kubectl");
    options.transport = *transport;
  }
  if (auto value = entry.string("docker")) options.cli = *value;
  if (auto value = entry.string("host_ext_dir")) options.host_ext_dir = *value;
  override_engine_host(entry, options);
  override_kubernetes(entry, options);
  entry.reject_unknown_keys();
  target.options = std::move(options);
  return target;
}

hivemind::TargetDiscovery read_docker(Entry entry, hivemind::ClientOptions options) {
  hivemind::DockerDiscovery discovery;
  discovery.filters = entry.strings("filters");
  discovery.name_prefix = entry.string("name_prefix").value_or("");
  override_engine_host(entry, options);
  entry.reject_unknown_keys();
  // `docker ps` runs with the base CLI; a remote engine is named to it with -H.
  if (!options.engine_host.empty()) options.cli_global_args = {"-H", options.engine_host};
  discovery.base = std::move(options);
  return hivemind::docker_containers(std::move(discovery));
}

hivemind::TargetDiscovery read_kubernetes(Entry entry, hivemind::ClientOptions options) {
  hivemind::KubernetesDiscovery discovery;
  discovery.selector = entry.required_string("selector");
  discovery.name_prefix = entry.string("name_prefix").value_or("");
  override_kubernetes(entry, options);
  entry.reject_unknown_keys();
  discovery.base = std::move(options);
  return hivemind::kubernetes_pods(std::move(discovery));
}

json parse_document(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    throw hivemind::Error(hivemind::errc::invalid_argument,
                          "fleet file " + file.string() + " cannot be read");
  }
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& error) {
    throw hivemind::Error(hivemind::errc::invalid_argument,
                          "fleet file " + file.string() + " is not valid JSON: " + error.what());
  }
}

}  // namespace

hivemind::TargetDiscovery read_fleet_file(const std::filesystem::path& file,
                                          const hivemind::ClientOptions& base) {
  const std::string name = file.string();
  Entry document("", parse_document(file), name);
  // Each section's entries, each read with its location for messages: "docker[1]".
  const auto each_entry = [&](const std::string& key, const auto& read) {
    const auto entries = document.objects(key);
    for (std::size_t i = 0; i < entries.size(); ++i)
      read(Entry(key + "[" + std::to_string(i) + "]", entries[i], name));
  };
  std::vector<hivemind::FleetTarget> fixed;
  std::vector<hivemind::TargetDiscovery> sources;
  each_entry("targets", [&](Entry entry) { fixed.push_back(read_target(std::move(entry), base)); });
  each_entry("docker",
             [&](Entry entry) { sources.push_back(read_docker(std::move(entry), base)); });
  each_entry("kubernetes",
             [&](Entry entry) { sources.push_back(read_kubernetes(std::move(entry), base)); });
  document.reject_unknown_keys();
  if (fixed.empty() && sources.empty()) {
    document.fail("", "names no target: give \"targets\", \"docker\" or \"kubernetes\" entries");
  }
  sources.insert(sources.begin(), hivemind::fixed_targets(std::move(fixed)));
  return hivemind::combined(std::move(sources));
}

}  // namespace hivectl
