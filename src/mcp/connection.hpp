// One TCP connection to the relay, as ClientCore drives it: the socket, the line framer,
// the output buffer its writer drains, the JSON-RPC engine of the handshake and of id-less
// traffic, and its state in the lifecycle (ready, draining for recycling).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/async_signal.hpp"
#include "common/line_framer.hpp"
#include "mcp/request_id_generator.hpp"
#include "mcp/rpc_engine.hpp"

namespace hivemind::mcp_detail {

struct Connection {
  Connection(const boost::asio::any_io_executor& executor, std::size_t max_line_size,
             RequestIdGenerator& ids, EventHandler on_event)
      : socket(executor),
        framer(detail::LineFramer::protocol(max_line_size)),
        engine(max_line_size, ids, std::move(on_event)),
        outbox_ready(executor) {}

  boost::asio::ip::tcp::socket socket;
  detail::LineFramer framer;
  RpcEngine engine;
  std::string outbox;  // request lines not written yet
  detail::AsyncSignal outbox_ready;
  bool writing = false;           // the writer has an async_write in flight
  bool handing_out = false;       // the read loop is handing out one read's answers
  std::size_t pending_calls = 0;  // hot-path calls awaiting their answer on this connection
  bool open = true;
  bool ready = false;     // handshake done
  bool draining = false;  // recycled: closes once its last answer arrived
  bool used = false;      // carried a call (a fresh connection is never recycled)
  std::chrono::steady_clock::time_point opened_at = std::chrono::steady_clock::now();
};

}  // namespace hivemind::mcp_detail
