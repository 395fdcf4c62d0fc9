// The echo floor's server, run as its own process so its CPU is not the client's: answers
// every request line {"jsonrpc":"2.0","id":ID,"method":...,"params":P} with
// {"jsonrpc":"2.0","id":ID,"result":P}, by string search, no JSON parsing. Prints its
// port on stdout, then serves until killed.
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

void answer(std::string_view line, std::string& out) {
  const std::size_t id_key = line.find("\"id\":");
  const std::size_t params_key = line.find("\"params\":");
  if (id_key == std::string_view::npos) return;
  const std::size_t id_begin = id_key + 5;
  const std::size_t id_end = line.find(',', id_begin);
  out.append(R"({"jsonrpc":"2.0","id":)");
  out.append(line.substr(id_begin, id_end - id_begin));
  out.append(R"(,"result":)");
  if (params_key == std::string_view::npos) {
    out.append("null");
  } else {
    const std::size_t begin = params_key + 9;
    const std::size_t end = line.rfind('}');  // the request's own closing brace
    out.append(line.substr(begin, end - begin));
  }
  out.append("}\n");
}

asio::awaitable<void> serve(tcp::socket socket) {
  std::string in(64 * 1024, '\0');
  std::string held;
  std::string out;
  for (;;) {
    auto [error, size] =
        co_await socket.async_read_some(asio::buffer(in), asio::as_tuple(asio::use_awaitable));
    if (error) co_return;
    held.append(in.data(), size);
    std::size_t from = 0;
    for (std::size_t newline = held.find('\n'); newline != std::string::npos;
         newline = held.find('\n', from)) {
      answer(std::string_view(held).substr(from, newline - from), out);
      from = newline + 1;
    }
    held.erase(0, from);
    if (!out.empty()) {
      auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(out),
                                                               asio::as_tuple(asio::use_awaitable));
      if (write_error) co_return;
      (void)written;
      out.clear();
    }
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main() {
  asio::io_context context(1);
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::printf("%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  asio::co_spawn(context, accept_loop(acceptor), asio::detached);
  context.run();
  return 0;
}
