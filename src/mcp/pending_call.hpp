// What one call of McpTelemetryClient is while it travels: the request as the caller
// gave it (CallSpec), its slot while it awaits the answer (PendingCall), and the two ways
// an answer is handed over: straight to the caller's completion handler (the hot path,
// no coroutine) or to a coroutine waiting on the slow path (CallWaiter).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <boost/asio/cancellation_signal.hpp>
#include <nlohmann/json.hpp>

#include "common/async_signal.hpp"
#include "hivemind/common/async_completion.hpp"
#include "hivemind/mcp/mcp_options.hpp"
#include "mcp/jsonrpc_codec.hpp"
#include "mcp/slot_pool.hpp"

namespace hivemind::mcp_detail {

struct Connection;

struct CallSpec {
  // raw: the result's JSON text; json: `result` parsed; tool_payload: the tool's payload.
  enum class Answer : std::uint8_t { raw, json, tool_payload };
  Answer answer = Answer::json;
  std::string method;
  std::string tool;         // tools/call: params are {"name": tool, "arguments": params}
  nlohmann::json params;    // json and tool_payload calls (null: no params)
  std::string params_text;  // raw calls: pre-serialized params (empty: none)
  CallOptions options;
};

// Cancellation of one call through its completion handler's slot. The handler in the
// slot posts to the strand, where the call is found by `name` (on the fast path) or its
// coroutine cancelled through `signal` (on the slow path). Strand-only except creation.
struct CallCancellation {
  boost::asio::cancellation_slot caller_slot;
  boost::asio::cancellation_signal signal;  // the slow path's coroutine listens to it
  std::optional<SlotName> name;             // set while the call sits in a slot
  bool cancelled = false;
  bool finished = false;
};

// How a call ended, as handed to a CallWaiter (owned copies).
struct CallWaiter {
  explicit CallWaiter(const boost::asio::any_io_executor& executor) : done(executor) {}
  detail::AsyncSignal done;
  std::string result;  // raw JSON text of `result`
  std::optional<RpcErrorBody> error;
  std::error_code failure;
  std::string reason;
};

// Boost 1.81's any_completion_handler move assignment constructs from an lvalue, which
// wraps the handler in itself until the stack overflows: move by construction and swap.
template <class Handler>
void move_handler(Handler& to, Handler& from) noexcept {
  Handler taken(std::move(from));
  to.swap(taken);
}

struct PendingCall {
  PendingCall() = default;
  // Move-only, and noexcept so the pool's vector moves slots when it grows.
  PendingCall(PendingCall&&) noexcept = default;
  PendingCall& operator=(PendingCall&& other) noexcept {
    answer = other.answer;
    counts_in_flight = other.counts_in_flight;
    move_handler(raw_done, other.raw_done);
    move_handler(typed_done, other.typed_done);
    waiter = std::exchange(other.waiter, nullptr);
    cancellation = std::move(other.cancellation);
    connection = std::move(other.connection);
    method = std::move(other.method);
    tool = std::move(other.tool);
    started = other.started;
    return *this;
  }
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;
  ~PendingCall() = default;

  CallSpec::Answer answer = CallSpec::Answer::json;
  bool counts_in_flight = false;  // took one of max_in_flight itself (fast path)
  Completion<std::string> raw_done;
  Completion<nlohmann::json> typed_done;
  CallWaiter* waiter = nullptr;
  std::shared_ptr<CallCancellation> cancellation;
  std::shared_ptr<Connection> connection;
  std::string method;
  std::string tool;
  std::chrono::steady_clock::time_point started{};  // for the metrics sink
};

}  // namespace hivemind::mcp_detail
