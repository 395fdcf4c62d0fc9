// Target discovery against the fake docker (a registry of mock containers behind `ps` and
// `inspect`) and the fake kubectl (a pod list behind `get pods`), where each container or pod
// is a MockContainer of its own: what is found, what is left out, churn between calls, that a
// discovered target reaches its own container, and the failures as typed errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/fleet/target_discovery.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using hivemind::testing::MockContainer;
using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A named namespace, not an anonymous one: in a unity build its helpers share a translation
// unit with other tests' helpers.
namespace target_discovery_test {

namespace fs = std::filesystem;

std::vector<std::string> names_of(const std::vector<FleetTarget>& targets) {
  std::vector<std::string> names;
  for (const auto& target : targets) names.push_back(target.name);
  return names;
}

const FleetTarget& target_named(const std::vector<FleetTarget>& targets, const std::string& name) {
  for (const auto& target : targets) {
    if (target.name == name) return target;
  }
  throw std::runtime_error("no target " + name);
}

// Takes the entries as a vector: `json{one_object}` would be that object, not an array of it.
void write_entries(const fs::path& path, const std::vector<json>& entries) {
  std::ofstream(path) << json(entries).dump(2);
}

// A session created through `options` lands in `container` and nowhere else.
void expect_reaches(const ClientOptions& options, const MockContainer& container,
                    const MockContainer& elsewhere) {
  const auto uuid = HiveMindClient(options).create("where am I");
  EXPECT_TRUE(fs::exists(container.session_dir(uuid))) << options.container;
  EXPECT_FALSE(fs::exists(elsewhere.session_dir(uuid))) << options.container;
}

class DockerTargetDiscovery : public ::testing::Test {
 protected:
  DockerTargetDiscovery() {
    base = a.options();
    base.cli_environment.emplace_back("MOCK_DOCKER_CONTAINERS", registry.string());
  }

  // A registry entry, with an id as docker prints it: 64 hex digits (here the name's bytes).
  static std::string id_of(const std::string& name) {
    std::string id;
    for (const unsigned char c : name) {
      id += "0123456789abcdef"[c >> 4];
      id += "0123456789abcdef"[c & 15];
    }
    id.resize(64, '0');
    return id;
  }
  static json entry(const std::string& name, const MockContainer& container, bool running = true,
                    json labels = {{"app", "hive-mind"}}) {
    return {{"name", name},
            {"id", id_of(name)},
            {"root", container.root().string()},
            {"labels", labels},
            {"running", running}};
  }

  std::vector<FleetTarget> discover() const {
    return docker_containers({base, {"label=app=hive-mind"}, "host-a/"})();
  }

  MockContainer a, b, c;
  fs::path registry = a.root() / "containers.json";
  ClientOptions base;
};

TEST_F(DockerTargetDiscovery, FindsTheRunningLabelledContainersWithTheirExtMounts) {
  write_entries(registry, {entry("hm-a", a), entry("hm-b", b), entry("hm-c", c, false),
                           entry("unlabelled", c, true, json::object())});
  const auto targets = discover();
  EXPECT_THAT(names_of(targets), ElementsAre("host-a/hm-a", "host-a/hm-b"));
  EXPECT_EQ(target_named(targets, "host-a/hm-a").options.container, "hm-a");
  EXPECT_EQ(target_named(targets, "host-a/hm-a").options.host_ext_dir, a.host_ext_dir());
  EXPECT_EQ(target_named(targets, "host-a/hm-b").options.container, "hm-b");
  EXPECT_EQ(target_named(targets, "host-a/hm-b").options.host_ext_dir, b.host_ext_dir());
  EXPECT_EQ(target_named(targets, "host-a/hm-b").options.cli, base.cli);

  const auto calls = a.invocations();
  EXPECT_THAT(calls,
              Contains(ElementsAre("ps", "-q", "--no-trunc", "--filter", "label=app=hive-mind")));
  EXPECT_THAT(calls, Contains(ElementsAre("inspect", id_of("hm-a"), id_of("hm-b"))));
}

TEST_F(DockerTargetDiscovery, WithoutTheMountTheBaseHostExtDirStays) {
  auto nameless_root = entry("hm-a", a);
  nameless_root.erase("root");  // the fake's inspect then lists no mounts
  write_entries(registry, {nameless_root});
  base.host_ext_dir = "/srv/shared-ext";
  const auto targets = discover();
  ASSERT_THAT(names_of(targets), ElementsAre("host-a/hm-a"));
  EXPECT_EQ(targets[0].options.host_ext_dir, "/srv/shared-ext");
}

TEST_F(DockerTargetDiscovery, ChurnShowsUpOnTheNextCall) {
  write_entries(registry, {entry("hm-a", a)});
  EXPECT_THAT(names_of(discover()), ElementsAre("host-a/hm-a"));
  write_entries(registry, {entry("hm-a", a, false), entry("hm-b", b), entry("hm-c", c)});
  EXPECT_THAT(names_of(discover()), ElementsAre("host-a/hm-b", "host-a/hm-c"));
  write_entries(registry, {});
  EXPECT_TRUE(discover().empty());
}

TEST_F(DockerTargetDiscovery, ADiscoveredTargetReachesItsOwnContainer) {
  write_entries(registry, {entry("hm-a", a), entry("hm-b", b), entry("hm-c", c)});
  const auto targets = discover();
  expect_reaches(target_named(targets, "host-a/hm-b").options, b, a);
  expect_reaches(target_named(targets, "host-a/hm-c").options, c, b);
  EXPECT_TRUE(HiveMindClient(target_named(targets, "host-a/hm-a").options).list().sessions.empty());
}

TEST_F(DockerTargetDiscovery, ADaemonThatIsDownIsUnavailableWithItsWords) {
  write_entries(registry, {entry("hm-a", a)});
  a.set_switch("daemon-down", true);
  const auto error = capture_error([&] { discover(); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("ps -q --no-trunc --filter label=app=hive-mind"));
  EXPECT_THAT(error.what(), HasSubstr("Cannot connect to the Docker daemon"));
  EXPECT_EQ(error.context().exit_code, 1);
  EXPECT_THAT(error.context().argv, Contains("ps"));
  EXPECT_THAT(error.context().stderr_text, HasSubstr("Is the docker daemon running?"));
}

TEST_F(DockerTargetDiscovery, GarbageFromInspectIsAProtocolErrorNamingTheCommand) {
  write_entries(registry, {entry("hm-a", a)});
  a.set_switch("garbage", true);
  const auto error = capture_error([&] { discover(); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr(" inspect "));
  EXPECT_THAT(error.what(), HasSubstr("not valid JSON"));
  EXPECT_THAT(error.context().output_text, HasSubstr("garbage"));
}

TEST_F(DockerTargetDiscovery, ACliThatCannotStartIsNamed) {
  base.cli = (a.root() / "no-such-docker").string();
  const auto error = capture_error([&] { discover(); });
  EXPECT_EQ(error.kind(), errc::docker_exec_failed);
  EXPECT_THAT(error.what(), HasSubstr("no-such-docker ps"));
}

class KubernetesTargetDiscovery : public ::testing::Test {
 protected:
  KubernetesTargetDiscovery() {
    base = a.options();
    base.kubernetes.kubectl = (fs::path(base.cli).parent_path() / "kubectl").string();
    base.kubernetes.context = "staging";
    base.kubernetes.namespace_name = "hive";
    base.cli_environment.emplace_back("MOCK_KUBECTL_LOG", log.string());
    base.cli_environment.emplace_back("MOCK_KUBE_PODS", pods.string());
  }

  static json pod(const std::string& name, const MockContainer& container, bool ready = true,
                  bool deleting = false) {
    return {{"name", name},
            {"labels", {{"app", "hive-mind"}}},
            {"ready", ready},
            {"deleting", deleting},
            {"root", container.root().string()}};
  }

  std::vector<FleetTarget> discover() const {
    return kubernetes_pods({base, "app=hive-mind", "k8s/"})();
  }

  std::vector<std::vector<std::string>> kubectl_calls() const {
    std::vector<std::vector<std::string>> calls;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      calls.push_back(json::parse(line).get<std::vector<std::string>>());
    }
    return calls;
  }

  MockContainer a, b, c;
  fs::path pods = a.root() / "pods.json";
  fs::path log = a.root() / "kubectl.log";
  ClientOptions base;
};

TEST_F(KubernetesTargetDiscovery, FindsTheReadyPodsThatAreNotBeingDeleted) {
  auto other_app = pod("other-app", c);
  other_app["labels"] = {{"app", "web"}};
  write_entries(pods, {pod("pod-a", a), pod("pod-b", b), pod("starting", c, false),
                       pod("terminating", c, true, true), other_app});
  const auto targets = discover();
  EXPECT_THAT(names_of(targets), ElementsAre("k8s/pod-a", "k8s/pod-b"));
  for (const auto& target : targets) {
    EXPECT_EQ(target.options.transport, ContainerTransport::kubectl);
    EXPECT_EQ(target.options.kubernetes.context, "staging");
    EXPECT_EQ(target.options.kubernetes.namespace_name, "hive");
  }
  EXPECT_EQ(target_named(targets, "k8s/pod-b").options.container, "pod-b");
  EXPECT_THAT(kubectl_calls(),
              ElementsAre(ElementsAre("--context", "staging", "-n", "hive", "get", "pods", "-l",
                                      "app=hive-mind", "-o", "json")));
}

TEST_F(KubernetesTargetDiscovery, APodAddedLaterShowsUpOnTheNextCall) {
  write_entries(pods, {pod("pod-a", a), pod("pod-b", b, false)});
  EXPECT_THAT(names_of(discover()), ElementsAre("k8s/pod-a"));
  write_entries(pods, {pod("pod-a", a, true, true), pod("pod-b", b), pod("pod-c", c)});
  EXPECT_THAT(names_of(discover()), ElementsAre("k8s/pod-b", "k8s/pod-c"));
}

TEST_F(KubernetesTargetDiscovery, ADiscoveredPodReachesItsOwnRoot) {
  write_entries(pods, {pod("pod-a", a), pod("pod-b", b)});
  const auto targets = discover();
  expect_reaches(target_named(targets, "k8s/pod-b").options, b, a);
  expect_reaches(target_named(targets, "k8s/pod-a").options, a, b);
  EXPECT_THAT(kubectl_calls(), Contains(Contains("pod-b")));
}

TEST_F(KubernetesTargetDiscovery, AnEmptySelectorIsRefusedBeforeAnythingRuns) {
  const auto error = capture_error([&] { kubernetes_pods({base, "", "k8s/"}); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("selector"));
  EXPECT_TRUE(kubectl_calls().empty());
}

TEST_F(KubernetesTargetDiscovery, ARefusalOfKubectlIsUnavailableWithItsStderr) {
  write_entries(pods, {pod("pod-a", a)});
  const auto error = capture_error([&] { kubernetes_pods({base, "app in (x)", ""})(); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("get pods -l app in (x) -o json"));
  EXPECT_THAT(error.what(), HasSubstr("unable to parse requirement"));
  EXPECT_EQ(error.context().exit_code, 1);
}

TEST_F(KubernetesTargetDiscovery, GarbageIsAProtocolError) {
  write_entries(pods, {pod("pod-a", a)});
  a.set_switch("garbage", true);
  const auto error = capture_error([&] { discover(); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr("get pods"));
  EXPECT_THAT(error.context().output_text, HasSubstr("garbage"));
}

TEST_F(DockerTargetDiscovery, CombinedConcatenatesInOrderAndRefusesATwiceGivenName) {
  write_entries(registry, {entry("hm-a", a), entry("hm-b", b)});
  const auto docker = docker_containers({base, {"label=app=hive-mind"}, "host-a/"});
  const auto fixed = fixed_targets({{"static/c", c.options()}});
  EXPECT_THAT(names_of(combined({fixed, docker})()),
              ElementsAre("static/c", "host-a/hm-a", "host-a/hm-b"));

  const auto clash = fixed_targets({{"host-a/hm-b", c.options()}});
  const auto error = capture_error([&] { combined({docker, clash})(); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), HasSubstr("'host-a/hm-b'"));
}

}  // namespace target_discovery_test
