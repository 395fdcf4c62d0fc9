// hivectl run as a subprocess against the bundled mock container and the mock MCP
// relay: its output (human and --json), its exit codes and its Ctrl-C handling; and with
// --fleet, against three mock containers behind one fake docker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <hivemind/journal/session_journal.hpp>
#include <hivemind/mcp/mcp_client.hpp>
#include <hivemind/version.hpp>
#include <nlohmann/json.hpp>

#include "child_program.hpp"
#include "mock_relay.hpp"
#include "mock_telemetry_server.hpp"
#include "support/mock_container.hpp"

using namespace std::chrono_literals;
using hivemind::testing::ChildProgram;
using hivemind::testing::Environment;
using hivemind::testing::MockContainer;
using hivemind::testing::ProgramResult;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace {

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

// Exit codes documented in docs/hivectl.md.
constexpr int kOk = 0, kError = 1, kUsage = 2, kFailed = 3, kDead = 4, kTimeout = 6,
              kConnection = 7, kNotFound = 8, kToolUnavailable = 9, kInterrupted = 130;

class Hivectl : public ::testing::Test {
 protected:
  // The mock container's settings; extra_env_ adds to them or replaces them.
  Environment environment() const {
    const auto options = mock_.options();
    std::map<std::string, std::string> env{{"HIVEMIND_DOCKER", options.cli},
                                           {"HIVEMIND_HOST_EXT_DIR", mock_.host_ext_dir().string()},
                                           {"HIVEMIND_TIMEOUT", "20"}};
    env.insert(options.cli_environment.begin(), options.cli_environment.end());
    for (const auto& [name, value] : extra_env_) env[name] = value;
    return {env.begin(), env.end()};
  }

  ProgramResult run(const std::vector<std::string>& args) const {
    return hivemind::testing::run_program(HIVECTL_PATH, args, environment());
  }

  // Runs a command with --json and parses its one document.
  json run_json(const std::vector<std::string>& args, int expected_exit = kOk) const {
    auto with_json = args;
    with_json.push_back("--json");
    const auto result = run(with_json);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err;
    try {
      return json::parse(result.out);
    } catch (const json::exception& error) {
      ADD_FAILURE() << "not one JSON document: " << result.out << "\nstderr: " << result.err;
      return nullptr;
    }
  }

  std::string create(const std::string& task) const {
    return run_json({"create", task}).at("session_id").get<std::string>();
  }

  // stderr holds exactly one line: `hivectl: error [KIND]: ...`.
  static void expect_one_error_line(const ProgramResult& result, const std::string& kind) {
    EXPECT_THAT(result.err, StartsWith("hivectl: error [" + kind + "]: ")) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }

  MockContainer mock_;
  Environment extra_env_;
};

TEST_F(Hivectl, VersionComesFromTheProjectVersion) {
  const auto result = run({"--version"});
  EXPECT_EQ(result.exit_code, kOk);
  EXPECT_EQ(result.out, std::string("hivectl ") + hivemind::version_string + "\n");
}

TEST_F(Hivectl, HelpListsEverySubcommandAndTheExitCodes) {
  const auto result = run({"--help"});
  EXPECT_EQ(result.exit_code, kOk);
  for (const char* command : {"spawn", "create", "start", "status", "get", "list", "wait", "logs",
                              "outputs", "cancel", "cleanup", "metrics", "tools", "top", "watch"}) {
    EXPECT_THAT(result.out, HasSubstr(std::string("  ") + command)) << command;
  }
  EXPECT_THAT(result.out, HasSubstr("130 interrupted"));
}

TEST_F(Hivectl, UsageErrorsExitTwoWithOneLine) {
  const std::vector<std::vector<std::string>> bad_command_lines = {
      {},
      {"spawn"},
      {"bogus"},
      {"spawn", "task", "--priority", "urgent"},
      {"wait", "--timeout", "soon", "00000000-0000-0000-0000-000000000000"},
      {"cleanup", "--max-age", "-1"},
  };
  for (const auto& args : bad_command_lines) {
    const auto result = run(args);
    EXPECT_EQ(result.exit_code, kUsage) << ::testing::PrintToString(args);
    expect_one_error_line(result, "usage");
  }
}

TEST_F(Hivectl, InvalidArgumentsAreRefusedBeforeAnythingRuns) {
  auto result = run({"create", "task", "--meta", "{not json"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "invalid_argument");
  EXPECT_THAT(result.err, HasSubstr("--meta is not valid JSON"));

  result = run({"status", "not-a-uuid"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "invalid_argument");

  result = run({"create", "it's a trap"});  // the container's command-injection hole
  EXPECT_EQ(result.exit_code, kUsage);
  EXPECT_EQ(mock_.count_verb("create"), 0u);
}

TEST_F(Hivectl, MalformedEnvironmentIsNamed) {
  extra_env_ = {{"HIVEMIND_TIMEOUT", "soon"}};
  auto result = run({"list"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "invalid_argument");
  EXPECT_THAT(result.err, HasSubstr("HIVEMIND_TIMEOUT='soon'"));

  extra_env_ = {{"HIVEMIND_MCP_PORT", "99999"}};
  result = run({"tools"});
  EXPECT_EQ(result.exit_code, kUsage);
  EXPECT_THAT(result.err, HasSubstr("HIVEMIND_MCP_PORT='99999'"));
}

TEST_F(Hivectl, CreateStatusGetListAndStart) {
  const std::string id = create("write the docs #sleep=0.2");
  EXPECT_TRUE(std::regex_match(id, kUuid)) << id;

  auto status = run_json({"status", id});
  EXPECT_EQ(status,
            json::parse(R"({"sessions":[{"session_id":")" + id + R"(","status":"created"}]})"));

  const auto metadata = run_json({"get", id});
  EXPECT_EQ(metadata.at("task"), "write the docs #sleep=0.2");
  EXPECT_EQ(metadata.at("priority"), "medium");

  auto listed = run_json({"list", "--status", "created"});
  ASSERT_EQ(listed.at("sessions").size(), 1u);
  EXPECT_EQ(listed["sessions"][0].at("session_id"), id);
  EXPECT_TRUE(run_json({"list", "--status", "completed"}).at("sessions").empty());

  const auto table = run({"list"});
  EXPECT_EQ(table.exit_code, kOk);
  EXPECT_THAT(table.out, AllOf(StartsWith("SESSION"), HasSubstr(id), HasSubstr("created")));

  EXPECT_EQ(run_json({"start", id}), json({{"session_id", id}, {"started", true}}));
  const auto waited = run_json({"wait", id, "--timeout", "60s"});
  EXPECT_EQ(waited.at("results")[0].at("outcome"), "completed");
  EXPECT_EQ(run_json({"status", id})["sessions"][0]["status"], "completed");

  // start is not idempotent: a finished session is refused.
  const auto again = run({"start", id});
  EXPECT_EQ(again.exit_code, kUsage);
  EXPECT_EQ(mock_.count_verb("start"), 1u);
}

TEST_F(Hivectl, SpawnWithMetadataPrintsTheSessionId) {
  const auto spawned = run_json(
      {"spawn", "build it #sleep=0.2", "--priority", "high", "--meta", R"({"project":"x"})"});
  const std::string id = spawned.at("session_id");
  EXPECT_TRUE(std::regex_match(id, kUuid));
  const auto metadata = run_json({"get", id});
  EXPECT_EQ(metadata.at("priority"), "high");
  EXPECT_EQ(metadata.at("metadata"), json({{"project", "x"}}));
}

TEST_F(Hivectl, SpawnWaitShowsProgressAsPlainLinesWhenNotATerminal) {
  const auto result = run({"spawn", "work #sleep=1", "--wait"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(result.out, id, kUuid));
  // `[   0.3s] UUID status` lines, one per change, no terminal escapes.
  const std::regex change("\\[ *[0-9]+\\.[0-9]s\\] " + id.str() +
                          " (created|starting|running|completed)");
  EXPECT_TRUE(std::regex_search(result.out, change)) << result.out;
  EXPECT_THAT(result.out, HasSubstr(id.str() + " completed"));
  EXPECT_THAT(result.out, ::testing::Not(HasSubstr("\033[")));
  EXPECT_THAT(result.out, HasSubstr("OUTCOME"));
}

TEST_F(Hivectl, SpawnFollowPrintsTheWholeLogThenTheOutcome) {
  const auto result = run_json({"spawn", "follow me #sleep=0.5 #loglines=4", "--follow"});
  EXPECT_EQ(result.at("outcome"), "completed");
  // With --json the log lines go to stderr; run it without to see them on stdout.
  const auto human = run({"spawn", "follow me too #sleep=0.5 #loglines=4", "--follow"});
  ASSERT_EQ(human.exit_code, kOk) << human.err;
  for (const char* line : {"[agent] step 1/4", "[agent] step 4/4", "[agent] done, exit 0"}) {
    EXPECT_THAT(human.out, HasSubstr(line)) << human.out;
  }
  // Each log line exactly once, in order.
  EXPECT_EQ(human.out.find("[agent] step 2/4"), human.out.rfind("[agent] step 2/4"));
  EXPECT_LT(human.out.find("step 1/4"), human.out.find("step 4/4"));
}

TEST_F(Hivectl, ASessionWhoseTaskFailsIsReportedDead) {
  // The deployed script never writes `failed`: the status stays running, the process is gone.
  const auto result = run({"spawn", "break #exit=3", "--wait", "--json"});
  EXPECT_EQ(result.exit_code, kDead) << result.err;
  const auto document = json::parse(result.out);
  EXPECT_EQ(document.at("outcome"), "dead");
  EXPECT_EQ(document.at("status"), "running");
  EXPECT_THAT(document.at("log_file").get<std::string>(), HasSubstr("/var/log/multi-agent/hive-"));
}

TEST_F(Hivectl, CancelThenWaitReportsFailed) {
  const std::string id = run_json({"spawn", "long #sleep=60"}).at("session_id");
  ASSERT_TRUE(hivemind::testing::eventually([&] {
    return run_json({"status", id})["sessions"][0]["status"] == "running";
  }));
  EXPECT_EQ(run_json({"cancel", id}), json({{"session_id", id}, {"outcome", "cancelled"}}));
  EXPECT_EQ(run_json({"cancel", id}).at("outcome"), "already_finished");
  const auto waited = run({"wait", id});
  EXPECT_EQ(waited.exit_code, kFailed);
  EXPECT_THAT(waited.out, HasSubstr("failed"));
  EXPECT_TRUE(hivemind::testing::eventually([&] {
    for (const auto& command : hivemind::testing::mock_container_processes(mock_.root()))
      if (command.find(id) != std::string::npos) return false;
    return true;
  }));
}

TEST_F(Hivectl, WaitTimeoutExitsSix) {
  const std::string id = run_json({"spawn", "long #sleep=60"}).at("session_id");
  const auto result = run({"wait", id, "--timeout", "1s"});
  EXPECT_EQ(result.exit_code, kTimeout);
  expect_one_error_line(result, "timeout");
  run({"cancel", id});
}

TEST_F(Hivectl, WaitOnSeveralSessionsReportsEach) {
  const std::string ok = run_json({"spawn", "fine #sleep=0.3"}).at("session_id");
  const std::string broken = run_json({"spawn", "broken #exit=2"}).at("session_id");
  const auto document = run_json({"wait", ok, broken}, kDead);
  ASSERT_EQ(document.at("results").size(), 2u);
  EXPECT_EQ(document["results"][0].at("session_id"), ok);
  EXPECT_EQ(document["results"][0].at("outcome"), "completed");
  EXPECT_EQ(document["results"][1].at("outcome"), "dead");
}

TEST_F(Hivectl, UnknownSessionExitsEightButOthersAreShown) {
  const std::string known = create("known");
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  const auto result = run({"status", known, unknown});
  EXPECT_EQ(result.exit_code, kNotFound);
  EXPECT_THAT(result.out,
              AllOf(HasSubstr(known + "  created"), HasSubstr(unknown + "  not_found")));
  expect_one_error_line(result, "session_not_found");
  EXPECT_EQ(run({"get", unknown}).exit_code, kNotFound);
}

TEST_F(Hivectl, ContainerProblemsAreConnectionErrors) {
  mock_.set_switch("stopped", true);
  auto result = run({"list"});
  EXPECT_EQ(result.exit_code, kConnection);
  expect_one_error_line(result, "container_unavailable");
  mock_.set_switch("stopped", false);

  result = run({"list", "--container", "no-such-container"});  // the flag beats the env
  EXPECT_EQ(result.exit_code, kConnection);
  EXPECT_THAT(result.err, HasSubstr("no-such-container"));

  extra_env_ = {{"HIVEMIND_CONTAINER", "no-such-container"}};
  EXPECT_EQ(run({"list"}).exit_code, kConnection);
  extra_env_.clear();

  result = run({"list", "--docker", "/nonexistent/docker"});
  EXPECT_EQ(result.exit_code, kError);
  expect_one_error_line(result, "docker_exec_failed");
}

TEST_F(Hivectl, CallTimeoutEndsAHangingCall) {
  mock_.set_switch("hang", true);
  const auto result = run({"list", "--call-timeout", "500ms"});
  EXPECT_EQ(result.exit_code, kTimeout);
  expect_one_error_line(result, "timeout");
  mock_.set_switch("hang", false);
  EXPECT_EQ(run({"list", "--call-timeout", "soon"}).exit_code, kUsage);
}

TEST_F(Hivectl, CtrlCCancelsAHangingCallAndKillsIt) {
  mock_.set_switch("hang", true);
  ChildProgram hivectl(HIVECTL_PATH, {"list"}, environment());
  // hivectl itself and the hanging docker exec.
  ASSERT_TRUE(hivemind::testing::eventually(
      [&] { return hivemind::testing::mock_container_processes(mock_.root()).size() >= 2; }));
  hivectl.send_signal(SIGINT);
  const auto result = hivectl.finish(30s);
  EXPECT_EQ(result.exit_code, kInterrupted);
  expect_one_error_line(result, "interrupted");
  EXPECT_THAT(hivemind::testing::mock_container_processes(mock_.root()), ::testing::IsEmpty());
}

TEST_F(Hivectl, VerboseShowsTheSdksRetries) {
  mock_.set_switch("stopped", true);
  const auto result = run({"status", "00000000-0000-4000-8000-000000000000", "-v"});
  EXPECT_EQ(result.exit_code, kConnection);
  EXPECT_THAT(result.err, HasSubstr("retrying in"));
}

TEST_F(Hivectl, LogsReadsTheWholeLogOrItsLastLines) {
  const std::string id = run_json({"spawn", "log it #loglines=5", "--wait"}).at("session_id");
  const auto all = run_json({"logs", id}).at("lines");
  ASSERT_GE(all.size(), 6u);
  EXPECT_EQ(all.back(), "[agent] done, exit 0");
  const auto last_two = run({"logs", id, "-n", "2"});
  EXPECT_EQ(last_two.exit_code, kOk);
  EXPECT_EQ(last_two.out,
            all[all.size() - 2].get<std::string>() + "\n" + all.back().get<std::string>() + "\n");
}

TEST_F(Hivectl, LogsFollowEndsWhenTheSessionEnds) {
  const std::string id = run_json({"spawn", "stream #sleep=1 #loglines=3"}).at("session_id");
  const auto result = run({"logs", id, "-f", "-n", "1"});
  EXPECT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_THAT(result.out, HasSubstr("[agent] done, exit 0"));
  EXPECT_EQ(result.out.find("[agent] step 3/3"), result.out.rfind("[agent] step 3/3"));
}

TEST_F(Hivectl, OutputsListsAndCopiesTheFiles) {
  const std::string id = run_json({"spawn", "make files #files=3", "--wait"}).at("session_id");
  const auto listed = run_json({"outputs", id});
  std::vector<std::string> paths;
  for (const auto& file : listed.at("files")) paths.push_back(file.at("path"));
  EXPECT_THAT(paths,
              ::testing::ElementsAre("data/output-1.json", "data/output-2.json", "result.md"));

  const auto destination = mock_.root() / "copied";
  const auto copied = run_json({"outputs", id, "--copy-to", destination.string()});
  EXPECT_EQ(copied.at("copied").size(), 3u);
  std::ifstream result_file(destination / "result.md");
  const std::string content{std::istreambuf_iterator<char>(result_file), {}};
  EXPECT_THAT(content, HasSubstr("make files #files=3"));

  const auto table = run({"outputs", id});
  EXPECT_THAT(table.out, AllOf(HasSubstr("3 file(s) in "), HasSubstr("result.md")));
}

TEST_F(Hivectl, OutputsCopiesThroughTheEngineWhenNoDirectoryIsShared) {
  const std::string id = run_json({"spawn", "far away #files=2", "--wait"}).at("session_id");
  const auto destination = mock_.root() / "fetched";
  const auto nowhere = (mock_.root() / "not-mounted").string();
  const auto copied = run_json({"--host-ext-dir", nowhere, "outputs", id, "--copy-to",
                                destination.string(), "--through-engine"});
  EXPECT_EQ(copied.at("copied").size(), 2U);
  std::ifstream result_file(destination / "result.md");
  const std::string content{std::istreambuf_iterator<char>(result_file), {}};
  EXPECT_THAT(content, HasSubstr("far away #files=2"));
  // Without --copy-to there is nothing to copy through the engine.
  EXPECT_EQ(run({"outputs", id, "--through-engine"}).exit_code, kUsage);
}

TEST_F(Hivectl, CleanupRemovesOldFinishedSessions) {
  const std::string old_id = run_json({"spawn", "old #sleep=0.1", "--wait"}).at("session_id");
  const std::string fresh_id = run_json({"spawn", "fresh #sleep=0.1", "--wait"}).at("session_id");
  const auto old_dir = mock_.session_dir(old_id);
  std::filesystem::last_write_time(old_dir, std::filesystem::file_time_type::clock::now() - 72h);
  EXPECT_EQ(run_json({"cleanup", "--max-age", "24"}), json({{"removed", {old_id}}}));
  EXPECT_EQ(run({"status", old_id}).exit_code, kNotFound);
  EXPECT_EQ(run_json({"status", fresh_id})["sessions"][0]["status"], "completed");
}

class HivectlMcp : public Hivectl {
 protected:
  void use_relay(const hivemind::testing::MockRelay& relay, const std::string& token = {}) {
    extra_env_ = {{"HIVEMIND_MCP_HOST", "127.0.0.1"},
                  {"HIVEMIND_MCP_PORT", std::to_string(relay.port())}};
    if (!token.empty()) extra_env_.emplace_back("HIVEMIND_MCP_TOKEN", token);
  }
};

TEST_F(HivectlMcp, MetricsOfASession) {
  hivemind::testing::MockRelayOptions options;
  options.documented_session_tools = true;
  hivemind::testing::MockRelay relay(options);
  use_relay(relay);
  const std::string id = "11111111-2222-4333-8444-555555555555";
  const auto metrics = run_json({"metrics", id});
  EXPECT_EQ(metrics.at("session_id"), id);
  EXPECT_TRUE(metrics.contains("tasks"));
  const auto table = run({"metrics", id});
  EXPECT_EQ(table.exit_code, kOk);
  EXPECT_THAT(table.out, AllOf(HasSubstr("METRIC"), HasSubstr("tasks total/completed")));
}

TEST_F(HivectlMcp, MetricsWhereTheServerLacksTheToolExitsNine) {
  hivemind::testing::MockRelay relay;  // the deployed backend: session tools missing
  use_relay(relay);
  const auto result = run({"metrics", "11111111-2222-4333-8444-555555555555"});
  EXPECT_EQ(result.exit_code, kToolUnavailable);
  expect_one_error_line(result, "tool_unavailable");
}

TEST_F(HivectlMcp, ToolsListsTheServersTools) {
  hivemind::testing::MockRelayOptions options;
  options.token = "s3cret";
  hivemind::testing::MockRelay relay(options);
  use_relay(relay, "s3cret");
  const auto tools = run_json({"tools"});
  std::vector<std::string> names;
  for (const auto& tool : tools.at("tools")) names.push_back(tool.at("name"));
  EXPECT_THAT(names, ::testing::Contains("swarm_init"));
  const auto table = run({"tools"});
  EXPECT_THAT(table.out, AllOf(StartsWith("TOOL"), HasSubstr("swarm_init")));

  use_relay(relay, "wrong");
  const auto refused = run({"tools"});
  EXPECT_EQ(refused.exit_code, kConnection);
  expect_one_error_line(refused, "auth_failed");
}

TEST_F(HivectlMcp, UnreachableRelayIsAConnectionError) {
  std::uint16_t closed_port = 0;
  {
    hivemind::testing::MockRelay relay;
    closed_port = relay.port();
  }
  extra_env_ = {{"HIVEMIND_MCP_HOST", "127.0.0.1"},
                {"HIVEMIND_MCP_PORT", std::to_string(closed_port)}};
  const auto result = run({"tools"});
  EXPECT_EQ(result.exit_code, kConnection);
  expect_one_error_line(result, "connection_failed");
}

// Under load (two busy cores) this failed 15 runs in 40 before the fix: hivectl did not
// exit (the log follower's wait for its `tail -F` missed the cancellation) or aborted (a
// cancellation escaped as Asio's own exception instead of errc::cancelled).
TEST_F(Hivectl, CtrlCStopsFollowingAndLeavesNoProcessBehind) {
  ChildProgram hivectl(HIVECTL_PATH, {"spawn", "endless #sleep=120 #loglines=2", "--follow"},
                       environment());
  ASSERT_TRUE(hivemind::testing::eventually(
      [&] { return hivectl.out_so_far().find("[agent] step 1/2") != std::string::npos; }, 30s))
      << hivectl.out_so_far() << hivectl.err_so_far();
  std::smatch id;
  const std::string out = hivectl.out_so_far();
  ASSERT_TRUE(std::regex_search(out, id, kUuid));
  const auto is_follower = [&] {
    for (const auto& command : hivemind::testing::mock_container_processes(mock_.root()))
      if (command.find("tail") != std::string::npos) return true;
    return false;
  };
  ASSERT_TRUE(hivemind::testing::eventually(is_follower));

  hivectl.send_signal(SIGINT);
  const auto result = hivectl.finish(30s);
  EXPECT_EQ(result.exit_code, kInterrupted);
  EXPECT_THAT(result.err, HasSubstr("hivectl: error [interrupted]"));
  EXPECT_THAT(result.err, HasSubstr("hivectl cancel " + id.str()));
  EXPECT_FALSE(is_follower()) << "the log follower outlived hivectl";
  // The session itself keeps running in the container until cancelled.
  EXPECT_EQ(run_json({"status", id.str()})["sessions"][0]["status"], "running");
  EXPECT_EQ(run_json({"cancel", id.str()}).at("outcome"), "cancelled");
}

}  // namespace

// --- top ---

// The PID of the process started with this mock container's environment whose command
// line starts with `argv_prefix`.
std::optional<pid_t> process_running(const std::filesystem::path& mock_root,
                                     const std::vector<std::string>& argv_prefix) {
  const auto read_nul_separated = [](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> fields;
    for (std::string field; std::getline(in, field, '\0');) fields.push_back(field);
    return fields;
  };
  for (const auto& process : std::filesystem::directory_iterator("/proc")) {
    const auto name = process.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto argv = read_nul_separated(process.path() / "cmdline");
    if (argv.size() < argv_prefix.size() ||
        !std::equal(argv_prefix.begin(), argv_prefix.end(), argv.begin()))
      continue;
    const auto environment = read_nul_separated(process.path() / "environ");
    if (std::find(environment.begin(), environment.end(), "MOCK_ROOT=" + mock_root.string()) !=
        environment.end())
      return static_cast<pid_t>(std::stoi(name));
  }
  return std::nullopt;
}

// Three sessions of different priorities and statuses, as `top` should list them.
class HivectlTop : public Hivectl {
 protected:
  void SetUp() override {
    high_ = run_json({"create", "index the logs", "--priority", "high"}).at("session_id");
    low_ = run_json({"create", "write the report", "--priority", "low"}).at("session_id");
    medium_ = run_json({"spawn", "build the parser", "--wait"}).at("session_id");
  }

  // The dashboard row of a session: UUID, task, status and priority in that order.
  static std::regex row_of(const std::string& session_id, const std::string& task,
                           const std::string& status, const std::string& priority) {
    return std::regex(session_id + " +" + task + " +" + status + " +[0-9][0-9a-z]* +" + priority);
  }

  // `top --interval 0.2` in a pseudo-terminal: util-linux `script` copies the screen to stdout.
  ChildProgram top_on_a_terminal() const {
    return ChildProgram("/usr/bin/script",
                        {"-qfec", std::string(HIVECTL_PATH) + " top --interval 0.2", "/dev/null"},
                        environment());
  }

  // Ctrl-C on the terminal: SIGINT to hivectl (`script` itself would end it with SIGTERM).
  ProgramResult interrupt_top(ChildProgram& script) const {
    const auto hivectl_pid = process_running(mock_.root(), {HIVECTL_PATH, "top"});
    EXPECT_TRUE(hivectl_pid);
    if (hivectl_pid) ::kill(*hivectl_pid, SIGINT);
    return script.finish(30s);
  }

  std::string high_, low_, medium_;
};

TEST_F(HivectlTop, OncePrintsOneFrameWithEverySession) {
  const auto result = run({"top", "--once"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_THAT(result.out, HasSubstr("UUID"));
  EXPECT_THAT(result.out, HasSubstr("active 2  created 3"));
  EXPECT_THAT(result.out, HasSubstr("completed 1  failed 0"));
  EXPECT_TRUE(std::regex_search(result.out, row_of(high_, "index the logs", "created", "high")))
      << result.out;
  EXPECT_TRUE(std::regex_search(result.out, row_of(low_, "write the report", "created", "low")))
      << result.out;
  EXPECT_TRUE(
      std::regex_search(result.out, row_of(medium_, "build the parser", "completed", "medium")))
      << result.out;
  EXPECT_THAT(result.out, Not(HasSubstr("\x1b[2J")));  // not a terminal: no screen control
}

TEST_F(HivectlTop, WithoutATerminalItPrintsOneFrame) {
  const auto result = run({"top", "--interval", "0.2"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 9) << result.out;  // 4+1+1+3
  EXPECT_THAT(result.out, HasSubstr(high_));
}

TEST_F(HivectlTop, JsonHoldsTheSessionsAndRates) {
  const auto document = run_json({"top"});
  EXPECT_EQ(document.at("rates").at("sessions"), 3);
  EXPECT_EQ(document.at("rates").at("active"), 2);
  EXPECT_EQ(document.at("rates").at("completed"), 1);
  std::map<std::string, std::string> priorities;
  for (const auto& entry : document.at("sessions"))
    priorities[entry.at("session_id")] = entry.at("priority");
  EXPECT_EQ(priorities, (std::map<std::string, std::string>{
                            {high_, "high"}, {low_, "low"}, {medium_, "medium"}}));
}

TEST_F(HivectlTop, JournalSessionsTheContainerNoLongerListsAreShown) {
  const auto journal_dir = std::filesystem::path(mock_.root()) / "journal";
  hivemind::JournalEntry gone;
  gone.session_id = "0badc0de-0000-4000-8000-000000000001";
  gone.task = "cleaned up long ago";
  gone.priority = hivemind::Priority::high;
  gone.created = std::chrono::system_clock::now() - std::chrono::hours(30);
  gone.status = "lost";
  gone.status_seen = gone.created;
  hivemind::SessionJournal(journal_dir).record(gone);
  extra_env_ = {{"HIVEMIND_JOURNAL_DIR", journal_dir.string()}};
  const auto result = run({"top", "--once"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_TRUE(std::regex_search(result.out, row_of(gone.session_id, gone.task, "lost", "high")))
      << result.out;
  EXPECT_THAT(result.out, HasSubstr("lost 1"));
}

TEST_F(HivectlTop, OnATerminalItRedrawsUntilCtrlC) {
  auto script = top_on_a_terminal();
  const auto frames = [&] {
    const auto out = script.out_so_far();
    std::size_t count = 0;
    for (auto at = out.find("\x1b[2J"); at != std::string::npos; at = out.find("\x1b[2J", at + 1))
      ++count;
    return count;
  };
  // Two frames: it redraws, and the first one was whole (the rows come before the second).
  ASSERT_TRUE(hivemind::testing::eventually([&] { return frames() >= 2; }))
      << script.out_so_far() << script.err_so_far();
  const auto result = interrupt_top(script);
  EXPECT_EQ(result.exit_code, kInterrupted) << result.out << result.err;
  const auto first_frame = result.out.substr(0, result.out.find("\x1b[2J", 4));
  EXPECT_THAT(first_frame, StartsWith("\x1b[H\x1b[2J"));
  for (const auto& session_id : {high_, low_, medium_})
    EXPECT_THAT(first_frame, HasSubstr(session_id));
}

TEST_F(HivectlTop, ARefreshErrorIsShownAndTheDashboardKeepsRefreshing) {
  auto script = top_on_a_terminal();
  ASSERT_TRUE(hivemind::testing::eventually([&] {
    return script.out_so_far().find(high_) != std::string::npos;
  })) << script.out_so_far()
      << script.err_so_far();
  mock_.set_switch("stopped", true);  // the container goes away for a while
  const auto error_at = [&] { return script.out_so_far().find("[container_unavailable]"); };
  ASSERT_TRUE(hivemind::testing::eventually([&] { return error_at() != std::string::npos; }))
      << script.out_so_far() << script.err_so_far();
  const auto error_line_start = script.out_so_far().rfind('\n', error_at());
  EXPECT_THAT(script.out_so_far().substr(error_line_start + 1), StartsWith("refresh failed at "));
  mock_.set_switch("stopped", false);
  // A later whole frame (another one started after it) without the error: it came back.
  const auto recovered = [&] {
    const auto out = script.out_so_far();
    const std::string clear = "\x1b[2J";
    auto start = out.find(clear, error_at());
    if (start == std::string::npos) return false;
    for (auto next = out.find(clear, start + 1); next != std::string::npos;
         start = next, next = out.find(clear, next + 1)) {
      const auto frame = out.substr(start, next - start);
      if (frame.find("refresh failed") == std::string::npos &&
          frame.find(low_) != std::string::npos)
        return true;
    }
    return false;
  };
  ASSERT_TRUE(hivemind::testing::eventually(recovered))
      << script.out_so_far() << script.err_so_far();
  const auto result = interrupt_top(script);
  EXPECT_EQ(result.exit_code, kInterrupted) << result.out << result.err;
}

// --- watch ---

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ws_url(const hivemind::testing::MockTelemetryServer& server) {
  return "ws://127.0.0.1:" + std::to_string(server.port());
}

hivemind::testing::MockTelemetryOptions two_sessions_of_three_agents() {
  hivemind::testing::MockTelemetryOptions options;
  options.agents = 3;
  options.rate_hz = 20;
  options.sessions = {"session-1", "session-2"};
  return options;
}

TEST_F(Hivectl, WatchPrintsOneLinePerUpdateOfTheSession) {
  hivemind::testing::MockTelemetryServer server(two_sessions_of_three_agents());
  const auto result = run(
      {"watch", "session-2", "--ws-url", ws_url(server), "--mode", "subscribe", "--count", "3"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 3u) << result.out;
  for (const auto& line : lines) {
    EXPECT_THAT(line, HasSubstr(" session session-2 agents 3: ")) << line;
    EXPECT_THAT(line, HasSubstr(" topology ")) << line;
  }
  EXPECT_EQ(server.actions_received("subscribe"), 1u);
  EXPECT_EQ(server.received().front().at("session_id"), "session-2");
}

TEST_F(Hivectl, WatchEndsWithCtrlC) {
  hivemind::testing::MockTelemetryServer server(two_sessions_of_three_agents());
  ChildProgram hivectl(HIVECTL_PATH, {"watch", "--ws-url", ws_url(server)}, environment());
  ASSERT_TRUE(hivemind::testing::eventually([&] {
    return hivectl.out_so_far().find(" agents 3: ") != std::string::npos;
  })) << hivectl.err_so_far();
  hivectl.send_signal(SIGINT);
  const auto result = hivectl.finish(30s);
  EXPECT_EQ(result.exit_code, kInterrupted);
  expect_one_error_line(result, "interrupted");
}

TEST_F(Hivectl, WatchJsonPrintsOneDocumentPerLine) {
  hivemind::testing::MockTelemetryServer server(two_sessions_of_three_agents());
  extra_env_ = {{"HIVEMIND_WS_URL", ws_url(server)}};
  const auto result = run({"watch", "session-1", "--json", "--count", "2"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 2u) << result.out;
  for (const auto& line : lines) {
    const auto update = json::parse(line);
    EXPECT_EQ(update.at("session_id"), "session-1");
    EXPECT_EQ(update.at("agents").size(), 3u);
  }
}

TEST_F(Hivectl, WatchWithNothingListeningIsAConnectionError) {
  std::string url;
  {
    const hivemind::testing::MockTelemetryServer closed_again;
    url = ws_url(closed_again);
  }
  const auto result = run({"watch", "--ws-url", url, "--count", "1"});
  EXPECT_EQ(result.exit_code, kConnection);
  expect_one_error_line(result, "connection_failed");
  EXPECT_EQ(result.out, "");
}

TEST_F(Hivectl, WatchRefusesAUrlThatIsNotWebSocket) {
  const auto result = run({"watch", "--ws-url", "http://127.0.0.1:3002"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "invalid_argument");
}

TEST_F(HivectlMcp, WatchViaTcpPollsTheRelayThroughTheMcpClient) {
  hivemind::testing::MockRelay relay;
  use_relay(relay);
  {
    hivemind::McpOptions options;
    options.host = "127.0.0.1";
    options.port = relay.port();
    hivemind::McpTelemetryClient client(options);
    hivemind::SwarmInitRequest ring;
    ring.topology = "ring";
    client.swarm_init(ring);
    for (const std::string type : {"coder", "tester", "coder"}) {
      hivemind::AgentSpawnRequest spawn;
      spawn.type = type;
      client.agent_spawn(spawn);
    }
  }
  const auto result = run({"watch", "--via", "tcp", "--mode", "poll", "--count", "1"});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  EXPECT_THAT(lines[0], HasSubstr(" agents 3: "));
  EXPECT_THAT(lines[0], HasSubstr("(coder,"));
  EXPECT_THAT(lines[0], HasSubstr("(tester,"));
  EXPECT_THAT(lines[0], HasSubstr(" topology +"));
}

TEST_F(HivectlMcp, WatchViaTcpWithNothingListeningIsAConnectionError) {
  std::uint16_t closed_port = 0;
  {
    const hivemind::testing::MockRelay relay;
    closed_port = relay.port();
  }
  extra_env_ = {{"HIVEMIND_MCP_HOST", "127.0.0.1"},
                {"HIVEMIND_MCP_PORT", std::to_string(closed_port)}};
  const auto result = run({"watch", "--via", "tcp", "--count", "1"});
  EXPECT_EQ(result.exit_code, kConnection);
  expect_one_error_line(result, "connection_failed");
  EXPECT_EQ(result.out, "");
}

TEST_F(HivectlMcp, WatchViaTcpRefusesSubscribeMode) {
  const auto result = run({"watch", "--via", "tcp", "--mode", "subscribe"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "invalid_argument");
}

// --- fleets ---

namespace {

namespace fs = std::filesystem;

// Three mock containers behind one fake docker, found by the fleet file's docker discovery:
// the fixture's own (`hm-a`, whose MOCK_ROOT the fake docker runs from), `hm-b` and `hm-c`.
class HivectlFleet : public Hivectl {
 protected:
  HivectlFleet() {
    write_registry({entry("hm-a", mock_), entry("hm-b", b_), entry("hm-c", c_)});
    write_file(fleet_file_,
               R"({"docker": [{"filters": ["label=app=hive-mind"], "name_prefix": "h1/"}]})");
    extra_env_ = {{"MOCK_DOCKER_CONTAINERS", registry_.string()},
                  {"HIVEMIND_FLEET", fleet_file_.string()}};
  }

  static void write_file(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  // An entry of the fake docker's registry (tests/mock/README.md, "Container registry"),
  // its id 64 hex digits as docker prints them (here the name's bytes, zero-padded).
  static json entry(const std::string& name, const MockContainer& container) {
    std::string id;
    for (const unsigned char c : name) {
      id += "0123456789abcdef"[c >> 4];
      id += "0123456789abcdef"[c & 15];
    }
    id.resize(64, '0');
    return {{"name", name},
            {"id", id},
            {"root", container.root().string()},
            {"labels", {{"app", "hive-mind"}}},
            {"running", true}};
  }
  void write_registry(const std::vector<json>& entries) const {
    write_file(registry_, json(entries).dump());
  }

  const MockContainer& container_of(const std::string& target) const {
    if (target == "h1/hm-a") return mock_;
    if (target == "h1/hm-b") return b_;
    if (target == "h1/hm-c") return c_;
    throw std::runtime_error("no target " + target);
  }
  // The session exists in the container of `target` and in no other.
  void expect_only_in(const std::string& session_id, const std::string& target) const {
    for (const auto* name : {"h1/hm-a", "h1/hm-b", "h1/hm-c"}) {
      EXPECT_EQ(fs::exists(container_of(name).session_dir(session_id)), name == target)
          << session_id << " placed on " << target << ", looked on " << name;
    }
  }

  struct Placed {
    std::string session_id, target;
  };
  Placed spawn(const std::string& task, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"spawn", task};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto document = run_json(args);
    return {document.value("session_id", ""), document.value("target", "")};
  }

  // name -> the target's entry of a `list --json` or `top --json` document.
  static std::map<std::string, json> targets_of(const json& document) {
    std::map<std::string, json> targets;
    for (const auto& target : document.at("targets")) targets[target.at("name")] = target;
    return targets;
  }

  MockContainer b_, c_;
  fs::path registry_ = mock_.root() / "containers.json";
  fs::path fleet_file_ = mock_.root() / "fleet.json";
};

TEST_F(HivectlFleet, SpawnSpreadsSessionsAndEachLandsOnTheTargetPrinted) {
  std::set<std::string> targets;
  for (int i = 0; i < 3; ++i) {
    // Still running at the next spawn, so the least busy target is another one.
    const auto placed = spawn("spread #sleep=30");
    ASSERT_TRUE(std::regex_match(placed.session_id, kUuid)) << placed.session_id;
    expect_only_in(placed.session_id, placed.target);
    targets.insert(placed.target);
  }
  EXPECT_EQ(targets, (std::set<std::string>{"h1/hm-a", "h1/hm-b", "h1/hm-c"}));

  const auto human = run({"spawn", "said where #sleep=0.1"});
  ASSERT_EQ(human.exit_code, kOk) << human.err;
  const std::regex spawned_on("spawned ([0-9a-f-]{36}) on (h1/hm-[abc])\n");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(human.out, match, spawned_on)) << human.out;
  expect_only_in(match[1].str(), match[2].str());
}

TEST_F(HivectlFleet, CreatePlacesOnTheLeastBusyTargetWithoutStarting) {
  const auto busy = spawn("busy #sleep=30");
  const auto created = run_json({"create", "later"});
  const std::string id = created.at("session_id");
  const std::string target = created.at("target");
  EXPECT_NE(target, busy.target);
  expect_only_in(id, target);
  EXPECT_EQ(run_json({"status", id})["sessions"][0]["status"], "created");
  EXPECT_EQ(run_json({"start", id}).at("started"), true);
  EXPECT_NE(run_json({"status", id})["sessions"][0]["status"], "created");
}

TEST_F(HivectlFleet, ListShowsEverySessionWithItsTargetAndTheTargets) {
  std::map<std::string, std::string> placed;  // session -> target
  for (int i = 0; i < 3; ++i) {
    const auto session = spawn("listed #sleep=30");
    placed[session.session_id] = session.target;
  }
  const auto document = run_json({"list"});
  std::map<std::string, std::string> listed;
  for (const auto& session : document.at("sessions"))
    listed[session.at("session_id")] = session.at("target");
  EXPECT_EQ(listed, placed);
  const auto targets = targets_of(document);
  ASSERT_EQ(targets.size(), 3u);
  for (const auto& [name, target] : targets) {
    EXPECT_EQ(target.at("health"), "up") << name;
    EXPECT_EQ(target.at("known"), 1) << name;
    EXPECT_EQ(target.at("last_error"), "") << name;
  }

  const auto table = run({"list"});
  ASSERT_EQ(table.exit_code, kOk) << table.err;
  EXPECT_THAT(table.out, StartsWith("TARGET"));
  EXPECT_THAT(table.out, HasSubstr("SESSION"));
  for (const auto& [session_id, target] : placed) {
    EXPECT_TRUE(std::regex_search(table.out, std::regex(session_id + " +" + target + " +")))
        << table.out;
    EXPECT_TRUE(std::regex_search(table.out, std::regex("\n" + target + " +up +")));
  }
  // Each session through its own target: cancel finds it there.
  for (const auto& [session_id, target] : placed)
    EXPECT_EQ(run_json({"cancel", session_id}).at("outcome"), "cancelled") << target;
}

TEST_F(HivectlFleet, SessionCommandsFindTheSessionsTarget) {
  const auto first = spawn("first #sleep=30");
  const auto second = spawn("second #sleep=0.3 #loglines=2");
  ASSERT_NE(first.target, second.target);
  const auto waited = run_json({"wait", second.session_id, "--timeout", "60s"});
  ASSERT_EQ(waited.at("results").size(), 1u);
  EXPECT_EQ(waited["results"][0].at("target"), second.target);
  EXPECT_EQ(waited["results"][0].at("outcome"), "completed");

  EXPECT_EQ(run_json({"status", second.session_id})["sessions"][0]["status"], "completed");
  EXPECT_EQ(run_json({"get", second.session_id}).at("task"), "second #sleep=0.3 #loglines=2");
  EXPECT_EQ(run_json({"logs", second.session_id}).at("lines").back(), "[agent] done, exit 0");
  // Read on the host under that target's /workspace/ext mount (from docker inspect).
  EXPECT_THAT(run_json({"outputs", second.session_id}).at("directory").get<std::string>(),
              StartsWith(container_of(second.target).host_ext_dir().string()));

  const auto unknown = run({"wait", "00000000-0000-4000-8000-000000000000"});
  EXPECT_EQ(unknown.exit_code, kNotFound);
  expect_one_error_line(unknown, "session_not_found");
}

TEST_F(HivectlFleet, TargetRestrictsEveryCommandToThatContainer) {
  const auto placed = run_json({"--target", "h1/hm-c", "spawn", "only c #sleep=0.2"});
  const std::string id = placed.at("session_id");
  expect_only_in(id, "h1/hm-c");
  // As if hm-c were the only container: the single-container list, without targets.
  const auto on_c = run_json({"list", "--target", "h1/hm-c"});
  ASSERT_EQ(on_c.at("sessions").size(), 1u);
  EXPECT_EQ(on_c["sessions"][0].at("session_id"), id);
  EXPECT_FALSE(on_c.contains("targets"));
  EXPECT_TRUE(run_json({"list", "--target", "h1/hm-b"}).at("sessions").empty());
  EXPECT_EQ(run({"status", id, "--target", "h1/hm-b"}).exit_code, kNotFound);
  EXPECT_EQ(run_json({"wait", id, "--target", "h1/hm-c"})["results"][0].at("outcome"), "completed");

  const auto unknown = run({"list", "--target", "h1/nope"});
  EXPECT_EQ(unknown.exit_code, kUsage);
  expect_one_error_line(unknown, "invalid_argument");
  EXPECT_THAT(unknown.err, HasSubstr("h1/nope"));
}

TEST_F(HivectlFleet, TargetWithoutAFleetIsAUsageError) {
  extra_env_ = {{"MOCK_DOCKER_CONTAINERS", registry_.string()}};
  const auto result = run({"list", "--target", "h1/hm-a"});
  EXPECT_EQ(result.exit_code, kUsage);
  expect_one_error_line(result, "usage");
  EXPECT_THAT(result.err, AllOf(HasSubstr("--target"), HasSubstr("--fleet FILE")));
  EXPECT_EQ(mock_.count_verb("list"), 0u);
}

TEST_F(HivectlFleet, BadFleetFilesAreUsageErrorsNamingTheFileAndTheProblem) {
  const auto bad = mock_.root() / "bad-fleet.json";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "is not valid JSON"},
      {"[]", "the document must be an object"},
      {"{}", "names no target"},
      {R"({"fleet": []})", "fleet is not a known key"},
      {R"({"targets": [{"name": "x"}]})", "targets[0].container is required"},
      {R"({"targets": [{"name": "x", "container": "y", "colour": 1}]})",
       "targets[0].colour is not a known key"},
      {R"({"targets": [{"name": 7, "container": "y"}]})", "targets[0].name must be a string"},
      {R"({"targets": [{"name": "x", "container": "y", "transport": "pigeon"}]})",
       "targets[0].transport 'pigeon' is not"},
      {R"({"docker": {"filters": []}})", "docker must be an array"},
      {R"({"docker": [{"filters": "label=app"}]})",
       "docker[0].filters must be an array of strings"},
      {R"({"kubernetes": [{"name_prefix": "k/"}]})", "kubernetes[0].selector is required"},
  };
  for (const auto& [text, problem] : cases) {
    write_file(bad, text);
    const auto result = run({"list", "--fleet", bad.string()});  // the flag beats the env
    EXPECT_EQ(result.exit_code, kUsage) << text;
    expect_one_error_line(result, "invalid_argument");
    EXPECT_THAT(result.err, AllOf(HasSubstr("fleet file " + bad.string()), HasSubstr(problem)))
        << text;
  }
  const auto missing = run({"list", "--fleet", (mock_.root() / "absent.json").string()});
  EXPECT_EQ(missing.exit_code, kUsage);
  EXPECT_THAT(missing.err, HasSubstr("absent.json cannot be read"));
  EXPECT_EQ(mock_.count_verb("list"), 0u);
}

TEST_F(HivectlFleet, FixedTargetsFromTheFileAreUsedWithTheBaseOptions) {
  write_file(fleet_file_, json({{"targets",
                                 {{{"name", "only-b"},
                                   {"container", "hm-b"},
                                   {"transport", "cli"},
                                   {"host_ext_dir", b_.host_ext_dir().string()}}}}})
                              .dump());
  const auto placed = spawn("fixed #sleep=0.1");
  EXPECT_EQ(placed.target, "only-b");
  EXPECT_TRUE(fs::exists(b_.session_dir(placed.session_id)));
  EXPECT_EQ(run_json({"list"}).at("targets").size(), 1u);
}

TEST_F(HivectlFleet, ATargetWhoseDaemonIsDownIsShownDownAndSpawnGoesElsewhere) {
  c_.set_switch("daemon-down", true);
  const auto listed = run_json({"list"});
  auto targets = targets_of(listed);
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets["h1/hm-c"].at("health"), "down");
  EXPECT_THAT(targets["h1/hm-c"].at("last_error").get<std::string>(),
              HasSubstr("Cannot connect to the Docker daemon"));
  EXPECT_EQ(targets["h1/hm-a"].at("health"), "up");

  for (int i = 0; i < 3; ++i) {
    const auto placed = spawn("not on c #sleep=30");
    EXPECT_NE(placed.target, "h1/hm-c");
    expect_only_in(placed.session_id, placed.target);
  }

  const auto top_document = run_json({"top"});
  EXPECT_GT(top_document.at("rates").at("docker_exec_calls"), 0);  // the targets' calls
  targets = targets_of(top_document);
  EXPECT_EQ(targets["h1/hm-c"].at("health"), "down");
  EXPECT_EQ(
      targets["h1/hm-a"].at("running").get<int>() + targets["h1/hm-b"].at("running").get<int>(), 3);
  const auto top = run({"top", "--once"});
  ASSERT_EQ(top.exit_code, kOk) << top.err;
  EXPECT_THAT(top.out, StartsWith("TARGET"));
  EXPECT_TRUE(std::regex_search(top.out, std::regex("\nh1/hm-c +down +0 +0 +0 +.*Cannot connect")))
      << top.out;
  EXPECT_TRUE(std::regex_search(top.out, std::regex("\nh1/hm-a +up +")));
  EXPECT_LT(top.out.find("h1/hm-c"), top.out.find("UUID")) << top.out;

  const auto human_list = run({"list"});
  EXPECT_TRUE(std::regex_search(human_list.out, std::regex("\nh1/hm-c +down +"))) << human_list.out;
}

}  // namespace
