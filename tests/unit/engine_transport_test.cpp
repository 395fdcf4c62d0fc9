// The sans-IO parts of the Docker Engine API transport: the endpoint, the choice between the
// API and the CLI, the exec request built from the options, the daemon's refusals, the
// multiplexed output stream, and the in-container kill by token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "process/container_exec.hpp"
#include "process/engine_endpoint.hpp"
#include "process/engine_exec_request.hpp"
#include "process/exec_stream_demux.hpp"
#include "process/exec_token.hpp"

using namespace hivemind;
using namespace hivemind::detail;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

errc kind_of_failure(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind().value_or(errc::docker_exec_failed);
  }
  ADD_FAILURE() << "no Error thrown";
  return errc::docker_exec_failed;
}

std::string frame(ExecStream stream, std::string_view payload) {
  std::string bytes{static_cast<char>(stream), 0, 0, 0};
  const auto size = static_cast<std::uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((size >> shift) & 0xff);
  return bytes + std::string(payload);
}

// A unix socket bound (and listening) in a temp dir, removed afterwards.
class ListeningSocket {
 public:
  ListeningSocket()
      : path_(std::filesystem::temp_directory_path() /
              ("hivemind-engine-test-" + std::to_string(::getpid()) + ".sock")) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.string().copy(address.sun_path, sizeof address.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 1) != 0) {
      ADD_FAILURE() << "cannot listen on " << path_;
    }
  }
  ~ListeningSocket() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  std::string url() const { return "unix://" + path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

TEST(EngineEndpoint, UnixAndTcpHostsAreParsedAsDockerHostIs) {
  const auto unix_socket = parse_engine_host("unix:///var/run/docker.sock");
  EXPECT_EQ(unix_socket.kind, EngineEndpoint::Kind::unix_socket);
  EXPECT_EQ(unix_socket.path, "/var/run/docker.sock");

  const auto tcp = parse_engine_host("tcp://10.0.0.5:2376");
  EXPECT_EQ(tcp.kind, EngineEndpoint::Kind::tcp);
  EXPECT_EQ(tcp.host, "10.0.0.5");
  EXPECT_EQ(tcp.port, "2376");
  EXPECT_EQ(parse_engine_host("tcp://docker-host").port, "2375");
  EXPECT_EQ(parse_engine_host("tcp://docker-host:2375/").host, "docker-host");
  const auto v6 = parse_engine_host("tcp://[::1]:2375");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "2375");
}

TEST(EngineEndpoint, OtherSchemesAndMalformedHostsAreInvalidArguments) {
  for (const char* text : {"ssh://me@host", "npipe:////./pipe/docker_engine",
                           "/var/run/docker.sock", "unix://relative.sock", "tcp://:2375",
                           "tcp://host:port", "tcp://host:99999", "tcp://host:2375/api"}) {
    EXPECT_EQ(kind_of_failure([&] { parse_engine_host(text); }), errc::invalid_argument) << text;
  }
}

TEST(EngineEndpoint, ExplicitTransportsAreObeyed) {
  ClientOptions options;
  options.engine_host = "unix:///nonexistent/docker.sock";
  options.transport = ContainerTransport::cli;
  EXPECT_FALSE(engine_endpoint_for(options));
  options.transport = ContainerTransport::engine_api;
  const auto endpoint = engine_endpoint_for(options);
  ASSERT_TRUE(endpoint);  // unusable, and the call says so (container_unavailable)
  EXPECT_EQ(endpoint->path, "/nonexistent/docker.sock");
}

TEST(EngineEndpoint, AutomaticTakesTheApiOnlyWhereTheCliWouldAddNothing) {
  const ListeningSocket daemon;
  ClientOptions options;
  options.engine_host = daemon.url();
  ASSERT_TRUE(engine_endpoint_for(options)) << "a plain `docker` and a socket we can open";

  auto podman = options;
  podman.cli = "podman";
  EXPECT_FALSE(engine_endpoint_for(podman));
  auto context = options;
  context.cli_global_args = {"--context", "remote"};
  EXPECT_FALSE(engine_endpoint_for(context));
  auto fake = options;
  fake.cli = "/opt/tests/bin/docker";
  EXPECT_FALSE(engine_endpoint_for(fake));
  auto missing = options;
  missing.engine_host = "unix:///nonexistent/docker.sock";
  EXPECT_FALSE(engine_endpoint_for(missing)) << "no socket: the CLI explains why";
  auto ssh = options;
  ssh.engine_host = "ssh://me@host";
  EXPECT_FALSE(engine_endpoint_for(ssh)) << "only the CLI speaks ssh://";
}

TEST(EngineExecRequest, ExecArgumentsBecomeApiFields) {
  ::setenv("HIVEMIND_TEST_PASSED_THROUGH", "from the caller", 1);
  ClientOptions options;
  options.container = "hive";
  options.exec_args = {
      "-u",          "dev",   "--workdir=/workspace",         "-e",
      "A=1",         "--env", "HIVEMIND_TEST_PASSED_THROUGH", "-eUNSET_HIVEMIND_VARIABLE",
      "--privileged"};
  const auto request = engine_exec_request(options, false, {"/app/s.sh", "list"}, "abc");
  EXPECT_EQ(request.container, "hive");
  EXPECT_EQ(request.user, "dev");
  EXPECT_EQ(request.working_dir, "/workspace");
  EXPECT_TRUE(request.privileged);
  EXPECT_THAT(
      request.environment,
      ElementsAre("A=1", "HIVEMIND_TEST_PASSED_THROUGH=from the caller", "HIVEMIND_EXEC_ID=abc"));

  const auto body = nlohmann::json::parse(exec_create_body(request));
  EXPECT_EQ(body["Cmd"], nlohmann::json({"/app/s.sh", "list"}));
  EXPECT_EQ(body["User"], "dev");
  EXPECT_EQ(body["AttachStdout"], true);
  EXPECT_EQ(body["AttachStdin"], false);
  EXPECT_EQ(body["Tty"], false);
  ::unsetenv("HIVEMIND_TEST_PASSED_THROUGH");
}

TEST(EngineExecRequest, ADetachedExecAttachesNothing) {
  const auto body =
      nlohmann::json::parse(exec_create_body(engine_exec_request({}, true, {"x"}, "")));
  EXPECT_EQ(body["AttachStdout"], false);
  EXPECT_EQ(body["AttachStderr"], false);
  EXPECT_FALSE(body.contains("Env"));
}

TEST(EngineExecRequest, CliOnlyFlagsAreRefusedByName) {
  ClientOptions options;
  options.exec_args = {"-t"};
  try {
    engine_exec_request(options, false, {"x"}, "");
    ADD_FAILURE() << "accepted -t";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), errc::invalid_argument);
    EXPECT_THAT(error.what(), HasSubstr("'-t'"));
    EXPECT_THAT(error.what(), HasSubstr("ContainerTransport::cli"));
  }
  options.exec_args = {"--user"};
  EXPECT_EQ(kind_of_failure([&] { engine_exec_request(options, false, {"x"}, ""); }),
            errc::invalid_argument);
}

TEST(EngineRefusal, NotFoundAndConflictAreUnavailableWithTheDaemonsWords) {
  const auto missing = engine_refusal(404, R"({"message":"No such container: hive"})", "exec", {});
  EXPECT_EQ(missing.kind(), errc::container_unavailable);
  EXPECT_THAT(missing.what(), HasSubstr("No such container: hive"));
  EXPECT_EQ(missing.context().stderr_text, "No such container: hive");
  const auto stopped =
      engine_refusal(409, R"({"message":"Container 0123 is not running"})", "exec", {});
  EXPECT_EQ(stopped.kind(), errc::container_unavailable);
  EXPECT_THAT(stopped.what(), HasSubstr("is not running"));
  const auto broken = engine_refusal(500, "<html>oops</html>", "exec", {});
  EXPECT_EQ(broken.kind(), errc::docker_exec_failed);
  EXPECT_THAT(broken.what(), HasSubstr("HTTP 500"));
  EXPECT_THAT(broken.what(), HasSubstr("<html>oops</html>"));
}

TEST(ExecStreamDemux, FramesCutAtEveryByteAreReassembledPerStream) {
  const std::string stream = frame(ExecStream::out, "hello ") + frame(ExecStream::err, "warn\n") +
                             frame(ExecStream::out, "") + frame(ExecStream::out, "world\n");
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    ExecStreamDemux demux;
    std::string out;
    std::string err;
    const auto sink = [&](ExecStream which, std::string_view piece) {
      (which == ExecStream::err ? err : out).append(piece);
      return true;
    };
    ASSERT_TRUE(demux.feed(std::string_view(stream).substr(0, cut), sink));
    ASSERT_TRUE(demux.feed(std::string_view(stream).substr(cut), sink));
    EXPECT_EQ(out, "hello world\n") << "cut at " << cut;
    EXPECT_EQ(err, "warn\n") << "cut at " << cut;
    EXPECT_TRUE(demux.at_frame_boundary());
  }
}

TEST(ExecStreamDemux, AStreamCutInsideAFrameIsNotAtABoundary) {
  ExecStreamDemux demux;
  const auto ignore = [](ExecStream, std::string_view) { return true; };
  ASSERT_TRUE(demux.feed(frame(ExecStream::out, "abcdef").substr(0, 10), ignore));
  EXPECT_FALSE(demux.at_frame_boundary());
  ExecStreamDemux header_only;
  ASSERT_TRUE(header_only.feed(std::string_view("\1\0\0", 3), ignore));
  EXPECT_FALSE(header_only.at_frame_boundary());
}

TEST(ExecStreamDemux, AMalformedHeaderStopsTheStream) {
  ExecStreamDemux demux;
  const auto ignore = [](ExecStream, std::string_view) { return true; };
  EXPECT_FALSE(demux.feed("HTTP/1.1 200 OK\r\n", ignore));
  EXPECT_TRUE(demux.malformed());
}

TEST(ExecStreamDemux, ASinkThatWantsNoMoreStopsTheFeed) {
  ExecStreamDemux demux;
  int pieces = 0;
  EXPECT_FALSE(demux.feed(frame(ExecStream::out, "a") + frame(ExecStream::out, "b"),
                          [&](ExecStream, std::string_view) { return ++pieces < 1; }));
  EXPECT_EQ(pieces, 1);
}

TEST(ExecToken, CliArgvCarriesTheTokenInTheCommandsEnvironment) {
  ClientOptions options;
  options.exec_args = {"-u", "dev"};
  EXPECT_THAT(container_argv(options, ExecMode::attached, {"/s", "list"}, "t0k"),
              ElementsAre("docker", "exec", "-u", "dev", "-e", "HIVEMIND_EXEC_ID=t0k",
                          "multi-agent-container", "/s", "list"));
  const auto first = new_exec_token();
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, new_exec_token());
}

TEST(ExecToken, TheKillCommandEndsExactlyTheProcessesHoldingTheToken) {
  // Runs here what would run in the container: /bin/sh, grep and kill over /proc.
  const auto token = new_exec_token();
  const auto spawn_sleeper = [](const std::string& environment_entry) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      char* const argv[] = {const_cast<char*>("sleep"), const_cast<char*>("300"), nullptr};
      char* const envp[] = {const_cast<char*>(environment_entry.c_str()), nullptr};
      ::execve("/bin/sleep", argv, envp);
      ::_exit(127);
    }
    return pid;
  };
  const pid_t marked = spawn_sleeper(exec_token_assignment(token));
  const pid_t other = spawn_sleeper(exec_token_assignment(new_exec_token()));

  auto command = kill_by_token_command(token);
  std::vector<char*> argv;
  for (auto& arg : command) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t killer = ::fork();
  if (killer == 0) {
    char* const envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
    ::execve(argv[0], argv.data(), envp);
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(killer, &status, 0), killer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  // SIGKILL was sent before the killer exited; the death itself follows at once.
  pid_t reaped = 0;
  for (int polls = 0; polls < 5000 && reaped == 0; ++polls) {
    reaped = ::waitpid(marked, &status, WNOHANG);
    if (reaped == 0) ::usleep(1000);
  }
  ASSERT_EQ(reaped, marked) << "the process holding the token is still alive";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(::waitpid(other, &status, WNOHANG), 0) << "a process without the token survives";
  ::kill(other, SIGKILL);
  ::waitpid(other, &status, 0);
}
