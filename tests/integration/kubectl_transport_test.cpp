// ContainerTransport::kubectl against a fake kubectl (tests/mock/bin/kubectl) that runs the
// command in the mock container as if it were the pod: no cluster can run here. What is
// checked: the argv the SDK builds, a whole session through it (detached start included), a
// cancel, and kubectl's refusals as typed errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"
#include "support/proc_file.hpp"
#include "support/quick_wait.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using hivemind::testing::MockContainer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

class KubectlTransport : public ::testing::Test {
 protected:
  KubectlTransport() {
    options = container.options();
    options.transport = ContainerTransport::kubectl;
    options.kubernetes.kubectl =
        (std::filesystem::path(options.cli).parent_path() / "kubectl").string();
    options.kubernetes.context = "staging";
    options.kubernetes.namespace_name = "hive";
    options.kubernetes.container = "hive-mind";
    options.cli_environment.emplace_back("MOCK_KUBECTL_LOG", log.string());
  }

  // Every kubectl argv so far (without the program).
  std::vector<std::vector<std::string>> kubectl_calls() const {
    std::vector<std::vector<std::string>> calls;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      calls.push_back(nlohmann::json::parse(line).get<std::vector<std::string>>());
    }
    return calls;
  }

  MockContainer container;
  std::filesystem::path log = container.root() / "kubectl.log";
  ClientOptions options;
};

// Whether an agent (the fake claude-flow) of this mock container still runs: a process whose
// environment names the mock root (the fake docker's mark) and whose command line is an agent.
bool an_agent_runs_in(const std::filesystem::path& mock_root) {
  const std::string mark = "HIVE_MOCK_ROOT=" + mock_root.string();
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto command = hivemind::testing::read_proc_file(entry.path() / "cmdline");
    if (command.find("claude-flow") == std::string::npos) continue;
    std::istringstream environment(hivemind::testing::read_proc_file(entry.path() / "environ"));
    for (std::string variable; std::getline(environment, variable, '\0');) {
      if (variable == mark) return true;
    }
  }
  return false;
}

}  // namespace

TEST_F(KubectlTransport, ACallIsAKubectlExecIntoThePodsContainer) {
  HiveMindClient(options).list();
  const auto calls = kubectl_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_THAT(calls[0],
              ElementsAre("--context", "staging", "-n", "hive", "exec", "multi-agent-container",
                          "-c", "hive-mind", "--", "env", StartsWith("HIVEMIND_EXEC_ID="),
                          "/app/scripts/hive-session-manager.sh", "list"));
}

TEST_F(KubectlTransport, ASessionRunsToTheEndAndADetachedStartReturnsAtOnce) {
  const HiveMindClient client(options);
  const auto session = client.spawn_task("through kubectl #sleep=0.5");
  const auto result = session.wait_for_completion(hivemind::testing::quick_wait_options());
  EXPECT_EQ(result.outcome, WaitOutcome::completed);
  bool saw_detached_start = false;
  for (const auto& call : kubectl_calls()) {
    if (std::find(call.begin(), call.end(), "start") == call.end()) continue;
    saw_detached_start = true;
    EXPECT_THAT(call, ::testing::Contains("hivemind-detach"));
    EXPECT_THAT(call, ::testing::Contains("HIVEMIND_EXEC_ID=session-" + session.uuid()));
  }
  EXPECT_TRUE(saw_detached_start);
}

TEST_F(KubectlTransport, ACancelEndsTheSessionsProcessesInThePod) {
  const HiveMindClient client(options);
  const auto session = client.spawn_task("long through kubectl #sleep=60");
  ASSERT_TRUE(hivemind::testing::eventually(
      [&] { return session.status() == SessionStatus::Kind::running; }));
  EXPECT_EQ(session.cancel(), CancelOutcome::cancelled);
  EXPECT_TRUE(hivemind::testing::eventually([&] { return !an_agent_runs_in(container.root()); }))
      << "an agent outlived the cancel";
}

TEST_F(KubectlTransport, AnUnknownPodIsUnavailableWithKubectlsWords) {
  options.container = "no-such-pod";
  const auto error = capture_error([&] { HiveMindClient(options).list(); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("pods \"no-such-pod\" not found"));
  EXPECT_THAT(error.what(), HasSubstr("kubeconfig context 'staging'"));
  EXPECT_EQ(kubectl_calls().size(), static_cast<std::size_t>(options.retry.max_attempts));
}

TEST_F(KubectlTransport, AMissingContainerInThePodIsUnavailable) {
  options.kubernetes.container = "sidecar";
  const auto error = capture_error([&] { HiveMindClient(options).list(); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("container not found"));
}

TEST_F(KubectlTransport, ForbiddenIsAnAuthFailureNamingTheContextAndIsNotRetried) {
  std::filesystem::create_directories(container.root() / ".mock");
  std::ofstream(container.root() / ".mock" / "kubectl-forbidden").put('\n');
  const auto error = capture_error([&] { HiveMindClient(options).list(); });
  EXPECT_EQ(error.kind(), errc::auth_failed);
  EXPECT_THAT(error.what(), HasSubstr("kubeconfig context 'staging'"));
  EXPECT_THAT(error.what(), HasSubstr("(Forbidden)"));
  EXPECT_EQ(kubectl_calls().size(), 1u);
}
