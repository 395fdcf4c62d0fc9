#include "loopback_servers.hpp"

#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hivemind::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The answer of the deployed relay to agent_list, around the request's id.
std::string canned_answer(std::string_view request) {
  constexpr std::string_view kIdKey = "\"id\":\"";
  const std::size_t start = request.find(kIdKey);
  if (start == std::string_view::npos) return {};
  const std::size_t id_begin = start + kIdKey.size();
  const std::string_view id = request.substr(id_begin, request.find('"', id_begin) - id_begin);
  return std::string(R"({"jsonrpc":"2.0","id":")") + std::string(id) +
         R"(","result":{"content":[{"type":"text","text":"{\n  \"success\": true,\n  \"swarmId\": \"\",\n  \"agents\": [],\n  \"count\": 0,\n  \"timestamp\": \"2025-10-05T19:45:00.000Z\"\n}"}]}})"
         "\n";
}

}  // namespace

class LoopbackServer::Impl {
 public:
  explicit Impl(Mode mode)
      : mode_(mode), acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(context_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~Impl() {
    context_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(context_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    std::string buffer;
    for (;;) {
      const std::tuple<boost::system::error_code, std::size_t> read =
          co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), '\n',
                                          asio::as_tuple(asio::use_awaitable));
      if (std::get<0>(read)) co_return;
      const std::size_t size = std::get<1>(read);
      if (mode_ == Mode::echo_lines) {
        co_await asio::async_write(socket, asio::buffer(buffer.data(), size),
                                   asio::as_tuple(asio::use_awaitable));
      } else if (mode_ == Mode::canned_tool_results) {
        const std::string answer = canned_answer(std::string_view(buffer.data(), size));
        co_await asio::async_write(socket, asio::buffer(answer),
                                   asio::as_tuple(asio::use_awaitable));
      }
      buffer.erase(0, size);
    }
  }

  Mode mode_;
  asio::io_context context_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

LoopbackServer::LoopbackServer(Mode mode) : impl_(std::make_unique<Impl>(mode)) {}
LoopbackServer::~LoopbackServer() = default;
std::uint16_t LoopbackServer::port() const noexcept {
  return impl_->port();
}

}  // namespace hivemind::bench
