#include "hivemind/metrics/metrics_server.hpp"

#include <set>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

struct MetricsServer::State {
  std::function<std::string()> render;
  MetricsServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::set<std::shared_ptr<tcp::socket>> connections;  // touched on the io thread only
  std::uint16_t port = 0;
  std::thread thread;

  http::response<http::string_body> answer(const http::request<http::string_body>& request) const {
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.set(http::field::server, "hivemind-cpp");
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, "GET, HEAD");
    } else if (request.target() != options.path) {
      response.result(http::status::not_found);
      response.body() = "not found; metrics are at " + options.path + "\n";
    } else {
      response.result(http::status::ok);
      response.set(http::field::content_type, kContentType);
      try {
        response.body() = render();
      } catch (const std::exception& e) {
        response.result(http::status::internal_server_error);
        response.body() = std::string("rendering the metrics failed: ") + e.what() + "\n";
      }
      if (request.method() == http::verb::head) {
        response.content_length(response.body().size());
        response.body().clear();
        return response;
      }
    }
    response.prepare_payload();
    return response;
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket) {
    boost::beast::flat_buffer buffer;
    try {
      for (;;) {
        http::request<http::string_body> request;
        co_await http::async_read(*socket, buffer, request, asio::use_awaitable);
        auto response = answer(request);
        co_await http::async_write(*socket, response, asio::use_awaitable);
        if (!response.keep_alive()) break;
      }
    } catch (const boost::system::system_error&) {
      // The client went away or sent something that is not HTTP: drop the connection.
    }
    boost::system::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    connections.erase(socket);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io);
      const auto [ec] =
          co_await acceptor.async_accept(*socket, asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        logger()->warn("metrics server: accept failed: {}", ec.message());
        continue;
      }
      connections.insert(socket);
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }
};

MetricsServer::MetricsServer(std::function<std::string()> render, MetricsServerOptions options)
    : state_(std::make_unique<State>()) {
  state_->render = std::move(render);
  state_->options = std::move(options);
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(state_->options.address),
                                 state_->options.port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw Error(errc::connection_failed,
                "metrics server cannot listen on " + state_->options.address + ":" +
                    std::to_string(state_->options.port) + ": " + e.code().message());
  }
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
  state_->thread = std::thread([io = &state_->io] { io->run(); });
}

// Throws only if posting the shutdown cannot allocate, or if join() is called from the server's
// own thread (the server destroyed inside `render`, a misuse): terminating reports both.
// NOLINTNEXTLINE(bugprone-exception-escape)
MetricsServer::~MetricsServer() {
  asio::post(state_->io, [state = state_.get()] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    for (const auto& socket : state->connections) socket->close(ignored);
  });
  state_->thread.join();
}

std::uint16_t MetricsServer::port() const noexcept {
  return state_->port;
}

}  // namespace hivemind
