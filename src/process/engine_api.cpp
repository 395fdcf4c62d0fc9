#include "process/engine_api.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "common/cancellation.hpp"
#include "process/bounded_capture.hpp"
#include "process/exec_stream_demux.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

using Protocol = asio::generic::stream_protocol;
using Socket = Protocol::socket;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The newest API version whose behaviour this file was written against (docker 20.10). A
// daemon offering less is spoken to in its own version.
constexpr int kNewestMinor = 41;
constexpr std::size_t kIdleConnectionsPerEndpoint = 8;

// Idle keep-alive connections (plain descriptors, so any io_context can adopt one) and the
// negotiated API version, per endpoint, for the whole process.
class EngineEndpoints {
 public:
  struct Idle {
    int fd;
    Protocol protocol;
  };

  static EngineEndpoints& instance() {
    static EngineEndpoints endpoints;
    return endpoints;
  }
  EngineEndpoints(const EngineEndpoints&) = delete;
  EngineEndpoints& operator=(const EngineEndpoints&) = delete;
  ~EngineEndpoints() {
    for (auto& [name, state] : endpoints_) {
      for (const Idle& idle : state.idle) ::close(idle.fd);
    }
  }

  std::optional<Idle> take_idle(const std::string& endpoint) {
    std::lock_guard lock(mutex_);
    auto& idle = endpoints_[endpoint].idle;
    if (idle.empty()) return std::nullopt;
    const Idle taken = idle.back();
    idle.pop_back();
    return taken;
  }
  void keep_idle(const std::string& endpoint, Idle connection) {
    std::lock_guard lock(mutex_);
    auto& idle = endpoints_[endpoint].idle;
    if (idle.size() < kIdleConnectionsPerEndpoint) {
      idle.push_back(connection);
    } else {
      ::close(connection.fd);
    }
  }
  std::string version_prefix(const std::string& endpoint) {
    std::lock_guard lock(mutex_);
    return endpoints_[endpoint].version_prefix;
  }
  void set_version_prefix(const std::string& endpoint, std::string prefix) {
    std::lock_guard lock(mutex_);
    endpoints_[endpoint].version_prefix = std::move(prefix);
  }

 private:
  EngineEndpoints() = default;
  struct State {
    std::vector<Idle> idle;
    std::string version_prefix;  // "/v1.41"; empty until negotiated
  };
  std::mutex mutex_;
  std::map<std::string, State> endpoints_;
};

struct Connection {
  Socket socket;
  Protocol protocol;
  beast::flat_buffer buffer;
  bool reused = false;
};

// A call that did not reach the command: the caller may retry it.
Error cannot_reach(const EngineEndpoint& endpoint, const std::string& what,
                   const boost::system::error_code& ec) {
  return Error(errc::container_unavailable, "Cannot connect to the Docker daemon at " +
                                                endpoint.text + " (" + what + "): " + ec.message() +
                                                ". Is the docker daemon running?");
}

void close_on_exec(Socket& socket) {
  const int fd = socket.native_handle();
  ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);  // no CLI child inherits it
}

asio::awaitable<Connection> connect(const EngineEndpoint& endpoint) {
  auto executor = co_await asio::this_coro::executor;
  if (endpoint.kind == EngineEndpoint::Kind::unix_socket) {
    const Protocol::endpoint address{asio::local::stream_protocol::endpoint(endpoint.path)};
    Connection connection{Socket(executor), address.protocol(), {}, false};
    auto [ec] = co_await connection.socket.async_connect(address, use_tuple);
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec) throw cannot_reach(endpoint, "connect", ec);
    close_on_exec(connection.socket);
    co_return connection;
  }
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_error, addresses] =
      co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
  if (resolve_error == asio::error::operation_aborted) {
    throw boost::system::system_error(resolve_error);
  }
  if (resolve_error) throw cannot_reach(endpoint, "resolve", resolve_error);
  boost::system::error_code ec = asio::error::host_not_found;
  for (const auto& entry : addresses) {
    const Protocol::endpoint address{entry.endpoint()};
    Connection connection{Socket(executor), address.protocol(), {}, false};
    std::tie(ec) = co_await connection.socket.async_connect(address, use_tuple);
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (!ec) {
      close_on_exec(connection.socket);
      co_return connection;
    }
  }
  throw cannot_reach(endpoint, "connect", ec);
}

// An idle pooled connection when there is one, else a new one.
asio::awaitable<Connection> open_connection(const EngineEndpoint& endpoint) {
  auto executor = co_await asio::this_coro::executor;
  while (auto idle = EngineEndpoints::instance().take_idle(endpoint.text)) {
    Connection connection{Socket(executor), idle->protocol, {}, true};
    boost::system::error_code ec;
    connection.socket.assign(idle->protocol, idle->fd, ec);
    if (!ec) co_return connection;
    ::close(idle->fd);
  }
  co_return co_await connect(endpoint);
}

void keep_idle(const EngineEndpoint& endpoint, Connection& connection) {
  boost::system::error_code ec;
  const int fd = connection.socket.release(ec);
  if (!ec) EngineEndpoints::instance().keep_idle(endpoint.text, {fd, connection.protocol});
}

// Container names and exec ids are [A-Za-z0-9_.-]; anything else is percent-encoded so that
// it cannot change the request's path.
std::string path_segment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '_' || c == '.' || c == '-') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0xf];
    }
  }
  return encoded;
}

Request make_request(const EngineEndpoint& endpoint, http::verb verb, std::string target,
                     std::string body = {}) {
  Request request{verb, std::move(target), 11};
  request.set(http::field::host,
              endpoint.kind == EngineEndpoint::Kind::unix_socket ? "docker" : endpoint.host);
  request.set(http::field::user_agent, "hivemind-cpp");
  if (verb == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
  }
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

// Sends `request` and reads the whole answer. A pooled connection that the daemon closed
// while it was idle fails before any answer: then once more on a new connection.
asio::awaitable<Response> round_trip(const EngineEndpoint& endpoint, const Request& request,
                                     const std::string& what) {
  for (;;) {
    Connection connection = co_await open_connection(endpoint);
    auto [write_error, written] = co_await http::async_write(connection.socket, request, use_tuple);
    Response response;
    boost::system::error_code ec = write_error;
    if (!ec) {
      std::tie(ec, std::ignore) =
          co_await http::async_read(connection.socket, connection.buffer, response, use_tuple);
    }
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec && connection.reused) continue;
    if (ec) throw cannot_reach(endpoint, what, ec);
    if (response.keep_alive() && connection.buffer.size() == 0) keep_idle(endpoint, connection);
    co_return response;
  }
}

nlohmann::json json_body(const Response& response) {
  return nlohmann::json::parse(response.body(), nullptr, false);
}

// "/v1.NN": the daemon's ApiVersion, or kNewestMinor when the daemon speaks newer.
asio::awaitable<std::string> version_prefix(const EngineEndpoint& endpoint,
                                            const ErrorContext& context) {
  auto& endpoints = EngineEndpoints::instance();
  if (auto known = endpoints.version_prefix(endpoint.text); !known.empty()) co_return known;
  const auto response = co_await round_trip(
      endpoint, make_request(endpoint, http::verb::get, "/version"), "GET /version");
  if (response.result_int() != 200) {
    throw engine_refusal(response.result_int(), response.body(), "GET /version", context);
  }
  const auto version = json_body(response);
  const std::string offered =
      version.is_object() && version.contains("ApiVersion") && version["ApiVersion"].is_string()
          ? version["ApiVersion"].get<std::string>()
          : std::string();
  int major = 0;
  int minor = 0;
  if (std::sscanf(offered.c_str(), "%d.%d", &major, &minor) != 2 || major != 1) {
    throw Error(errc::docker_exec_failed,
                "the Docker daemon at " + endpoint.text + " offers API version '" + offered +
                    "'; this SDK speaks 1.x",
                context);
  }
  auto prefix = "/v1." + std::to_string(std::min(minor, kNewestMinor));
  endpoints.set_version_prefix(endpoint.text, prefix);
  co_return prefix;
}

// Reads the hijacked connection of an attached start until the command's streams close.
asio::awaitable<EngineExecResult> read_exec_stream(Connection& connection,
                                                   const EngineExecRequest& request,
                                                   const ErrorContext& context) {
  BoundedCapture out{{}, request.max_output_bytes, "stdout"};
  BoundedCapture err{{}, request.max_output_bytes, "stderr"};
  ExecStreamDemux demux;
  const auto feed = [&](const char* data, std::size_t size) {
    return demux.feed({data, size}, [&](ExecStream stream, std::string_view piece) {
      return (stream == ExecStream::err ? err : out).append(piece);
    });
  };
  const auto buffered = connection.buffer.data();
  bool going = feed(static_cast<const char*>(buffered.data()), buffered.size());
  std::array<char, std::size_t{64} * 1024> chunk;
  while (going) {
    auto [ec, n] = co_await connection.socket.async_read_some(asio::buffer(chunk), use_tuple);
    if (n > 0) going = feed(chunk.data(), n);
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec == asio::error::eof) break;
    if (ec) {
      throw Error(
          errc::docker_exec_failed,
          "the connection to the Docker daemon broke while the command ran: " + ec.message(),
          context);
    }
  }
  for (const BoundedCapture* capture : {&out, &err}) {
    if (capture->overflowed) {
      throw Error(errc::output_too_large,
                  std::string(capture->name) + " of '" + request.command.front() + "' exceeded " +
                      std::to_string(capture->limit) + " bytes",
                  context);
    }
  }
  if (demux.malformed() || !demux.at_frame_boundary()) {
    throw Error(errc::docker_exec_failed,
                "the Docker daemon's exec stream is not multiplexed as expected (or was cut)",
                context);
  }
  co_return EngineExecResult{0, std::move(out.text), std::move(err.text)};
}

// The exit code, once the daemon has seen the command end (its streams close a moment
// before: the wait is short and bounded by the caller's deadline).
asio::awaitable<int> exit_code_of(const EngineEndpoint& endpoint, const std::string& prefix,
                                  const std::string& exec_id, const ErrorContext& context) {
  const std::string target = prefix + "/exec/" + exec_id + "/json";
  for (std::chrono::milliseconds delay = 1ms;; delay = std::min(delay * 2, 50ms)) {
    const auto response = co_await round_trip(
        endpoint, make_request(endpoint, http::verb::get, target), "GET /exec/{id}/json");
    if (response.result_int() != 200) {
      throw engine_refusal(response.result_int(), response.body(), "inspecting the exec", context);
    }
    const auto inspected = json_body(response);
    if (inspected.is_object() && !inspected.value("Running", false) &&
        inspected.contains("ExitCode") && inspected["ExitCode"].is_number_integer()) {
      co_return inspected["ExitCode"].get<int>();
    }
    co_await pause(delay);
  }
}

}  // namespace

std::vector<std::string> engine_argv(const EngineEndpoint& endpoint,
                                     const EngineExecRequest& request) {
  std::vector<std::string> argv{"engine-api", endpoint.text, "exec", request.container};
  argv.insert(argv.end(), request.command.begin(), request.command.end());
  return argv;
}

asio::awaitable<EngineExecResult> engine_exec(const EngineEndpoint& endpoint,
                                              const EngineExecRequest& request) {
  ErrorContext context;
  context.argv = engine_argv(endpoint, request);

  const std::string prefix = co_await version_prefix(endpoint, context);
  const auto created = co_await round_trip(
      endpoint,
      make_request(endpoint, http::verb::post,
                   prefix + "/containers/" + path_segment(request.container) + "/exec",
                   exec_create_body(request)),
      "POST /containers/{id}/exec");
  if (created.result_int() != 201) {
    throw engine_refusal(created.result_int(), created.body(),
                         "container '" + request.container + "' refused the exec", context);
  }
  const auto created_body = json_body(created);
  if (!created_body.is_object() || !created_body.contains("Id") ||
      !created_body["Id"].is_string()) {
    throw Error(errc::docker_exec_failed, "the Docker daemon created an exec without an Id",
                context);
  }
  const std::string exec_id = path_segment(created_body["Id"].get<std::string>());
  const std::string start_target = prefix + "/exec/" + exec_id + "/start";

  if (request.detach) {
    const auto started = co_await round_trip(
        endpoint,
        make_request(endpoint, http::verb::post, start_target, R"({"Detach":true,"Tty":false})"),
        "POST /exec/{id}/start");
    if (started.result_int() != 200) {
      throw engine_refusal(started.result_int(), started.body(),
                           "container '" + request.container + "' refused to start the exec",
                           context);
    }
    co_return EngineExecResult{};
  }

  // The daemon hijacks this connection for the output: a new one, never returned to the pool.
  Connection connection = co_await connect(endpoint);
  const auto start =
      make_request(endpoint, http::verb::post, start_target, R"({"Detach":false,"Tty":false})");
  auto [write_error, written] = co_await http::async_write(connection.socket, start, use_tuple);
  http::response_parser<http::string_body> head;
  boost::system::error_code ec = write_error;
  if (!ec) {
    std::tie(ec, std::ignore) =
        co_await http::async_read_header(connection.socket, connection.buffer, head, use_tuple);
  }
  if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
  if (ec) throw cannot_reach(endpoint, "POST /exec/{id}/start", ec);
  if (head.get().result_int() != 200) {
    std::tie(ec, std::ignore) =
        co_await http::async_read(connection.socket, connection.buffer, head, use_tuple);
    throw engine_refusal(head.get().result_int(), head.get().body(),
                         "container '" + request.container + "' refused to start the exec",
                         context);
  }
  EngineExecResult result = co_await read_exec_stream(connection, request, context);
  result.exit_code = co_await exit_code_of(endpoint, prefix, exec_id, context);
  co_return result;
}

}  // namespace hivemind::detail
