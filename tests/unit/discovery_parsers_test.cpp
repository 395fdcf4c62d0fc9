// What target discovery reads from `docker ps`/`docker inspect` and `kubectl get pods -o json`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleet/discovery_parsers.hpp"
#include "hivemind/common/error.hpp"
#include "support/capture_error.hpp"

using namespace hivemind;
using namespace hivemind::detail;
using hivemind::testing::capture_error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(DiscoveryContainerIds, OneIdALineBlanksIgnored) {
  EXPECT_THAT(parse_container_ids("abc123\n  def456 \r\n\n"), ElementsAre("abc123", "def456"));
  EXPECT_TRUE(parse_container_ids("").empty());
}

TEST(DiscoveryDockerInspect, TheExtMountsSourceIsTheHostExtDir) {
  const auto containers = parse_docker_inspect(R"([{
    "Id": "0123", "Name": "/hm-a", "State": {"Status": "running", "Running": true},
    "Mounts": [
      {"Type": "volume", "Source": "/var/lib/docker/volumes/x", "Destination": "/data"},
      {"Type": "bind", "Source": "/srv/hm-a/ext", "Destination": "/workspace/ext"}]}])");
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].name, "hm-a");
  EXPECT_TRUE(containers[0].running);
  EXPECT_EQ(containers[0].ext_mount_source, "/srv/hm-a/ext");
}

TEST(DiscoveryDockerInspect, WithoutTheMountThereIsNoSource) {
  const auto containers = parse_docker_inspect(R"([
    {"Name": "/no-mounts", "State": {"Running": true}},
    {"Name": "/null-mounts", "State": {"Running": true}, "Mounts": null},
    {"Name": "/other-mount", "State": {"Running": true},
     "Mounts": [{"Source": "/srv/data", "Destination": "/data"}]}])");
  ASSERT_EQ(containers.size(), 3u);
  for (const auto& container : containers) {
    EXPECT_EQ(container.ext_mount_source, std::nullopt) << container.name;
  }
  EXPECT_EQ(containers[2].name, "other-mount");
}

TEST(DiscoveryDockerInspect, AStoppedContainerIsNotRunning) {
  const auto containers = parse_docker_inspect(
      R"([{"Name": "/hm-b", "State": {"Status": "exited", "Running": false}}])");
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_FALSE(containers[0].running);
  EXPECT_TRUE(parse_docker_inspect("[]").empty());
}

TEST(DiscoveryDockerInspect, AMissingNameIsAProtocolErrorWithTheText) {
  const std::string nameless = R"([{"Id": "0123", "State": {"Running": true}}])";
  const auto error = capture_error([&] { parse_docker_inspect(nameless); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr("docker inspect entry 1 lacks required field 'Name'"));
  EXPECT_EQ(error.context().output_text, nameless);
}

TEST(DiscoveryDockerInspect, GarbageAndWrongShapesAreProtocolErrors) {
  const auto garbage = capture_error([] { parse_docker_inspect("Error: something\n"); });
  EXPECT_EQ(garbage.kind(), errc::protocol_error);
  EXPECT_THAT(garbage.what(), HasSubstr("docker inspect output is not valid JSON"));
  EXPECT_EQ(capture_error([] { parse_docker_inspect(R"({"Name": "/x"})"); }).kind(),
            errc::protocol_error);
  const auto no_state = capture_error([] { parse_docker_inspect(R"([{"Name": "/x"}])"); });
  EXPECT_THAT(no_state.what(), HasSubstr("'State'"));
  const auto bad_mounts = capture_error(
      [] { parse_docker_inspect(R"([{"Name": "/x", "State": {"Running": true}, "Mounts": 3}])"); });
  EXPECT_EQ(bad_mounts.kind(), errc::protocol_error);
  EXPECT_THAT(bad_mounts.what(), HasSubstr("'Mounts'"));
}

TEST(DiscoveryDockerInspect, KeepsABoundedExcerptOfHugeOutput) {
  const std::string huge(100'000, 'x');
  const auto error = capture_error([&] { parse_docker_inspect(huge); });
  EXPECT_LE(error.context().output_text.size(), 4096u);
  EXPECT_LT(std::string_view(error.what()).size(), 1000u);
}

TEST(DiscoveryVanishedObjects, OnlyNoSuchObjectLinesCount) {
  EXPECT_TRUE(only_vanished_objects("Error: No such object: 0123\nError: No such object: 4567\n"));
  EXPECT_TRUE(only_vanished_objects("Error response from daemon: No such container: 0123\n"));
  EXPECT_FALSE(only_vanished_objects(
      "Error: No such object: 0123\nCannot connect to the Docker daemon at unix:///x.sock.\n"));
  EXPECT_FALSE(only_vanished_objects(""));
}

namespace {

std::string pod_list_json(const std::string& items) {
  return R"({"apiVersion": "v1", "kind": "List", "items": [)" + items + "]}";
}

std::string pod_json(const std::string& name, const std::string& extra_metadata,
                     const std::string& status) {
  return R"({"kind": "Pod", "metadata": {"name": ")" + name + "\"" + extra_metadata +
         R"(}, "status": )" + status + "}";
}

}  // namespace

TEST(DiscoveryPodList, ReadyIsTheReadyConditionTrue) {
  const auto pods = parse_pod_list(
      pod_list_json(pod_json("ready", "",
                             R"({"conditions": [{"type": "Initialized", "status": "True"},
                             {"type": "Ready", "status": "True"}]})") +
                    "," +
                    pod_json("not-ready", "",
                             R"({"conditions": [{"type": "Initialized", "status": "True"},
                             {"type": "Ready", "status": "False"}]})") +
                    "," +
                    pod_json("only-initialized", "",
                             R"({"conditions": [{"type": "Initialized", "status": "True"}]})")));
  ASSERT_EQ(pods.size(), 3u);
  EXPECT_EQ(pods[0].name, "ready");
  EXPECT_TRUE(pods[0].ready);
  EXPECT_FALSE(pods[1].ready);
  EXPECT_FALSE(pods[2].ready);
  EXPECT_FALSE(pods[0].deleting);
}

TEST(DiscoveryPodList, ADeletionTimestampMeansDeleting) {
  const auto pods = parse_pod_list(
      pod_list_json(pod_json("terminating", R"(, "deletionTimestamp": "2026-01-01T00:00:00Z")",
                             R"({"conditions": [{"type": "Ready", "status": "True"}]})")));
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_TRUE(pods[0].deleting);
  EXPECT_TRUE(pods[0].ready);
}

TEST(DiscoveryPodList, APodWithoutConditionsOrStatusIsNotReady) {
  const auto pods =
      parse_pod_list(pod_list_json(pod_json("pending", "", R"({"phase": "Pending"})") + "," +
                                   R"({"metadata": {"name": "no-status"}})"));
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_FALSE(pods[0].ready);
  EXPECT_FALSE(pods[1].ready);
  EXPECT_TRUE(parse_pod_list(pod_list_json("")).empty());
}

TEST(DiscoveryPodList, GarbageIsAProtocolErrorWithTheText) {
  const std::string garbage = "error: You must be logged in to the server\n";
  const auto error = capture_error([&] { parse_pod_list(garbage); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_THAT(error.what(), HasSubstr("kubectl PodList is not valid JSON"));
  EXPECT_EQ(error.context().output_text, garbage);

  const auto no_items = capture_error([] { parse_pod_list(R"({"kind": "List"})"); });
  EXPECT_THAT(no_items.what(), HasSubstr("lacks required field 'items'"));
  const auto nameless = capture_error([] { parse_pod_list(pod_list_json(R"({"metadata": {}})")); });
  EXPECT_THAT(nameless.what(),
              HasSubstr("kubectl PodList item 1 metadata lacks required field 'name'"));
}
