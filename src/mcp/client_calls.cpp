// The hot path of ClientCore: a call on a ready connection is written straight into the
// connection's output buffer and parked in a pooled slot; the read loop scans each
// answer's envelope, finds the slot by the id and hands the result to the caller's
// completion handler, parsing the result only when a typed API wants it. One timer serves
// the deadlines of all slots. Whatever is not ready (connecting, pacing, all slots busy,
// idempotent retries) waits on the slow path, a coroutine, before it is submitted alike.
#include <algorithm>
#include <charconv>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "common/json_reader.hpp"
#include "common/typed_cancellation.hpp"
#include "hivemind/common/logging.hpp"
#include "mcp/client_core.hpp"
#include "mcp/connection.hpp"
#include "mcp/envelope_scanner.hpp"
#include "mcp/request_writer.hpp"
#include "mcp/rpc_result.hpp"
#include "metrics/call_timer.hpp"

namespace hivemind::mcp_detail {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

[[noreturn]] void throw_failure(std::optional<RpcErrorBody> error, std::error_code failure,
                                std::string_view reason, std::string_view method) {
  RpcOutcome outcome{nullptr, std::move(error), failure, std::string(reason)};
  take_result(std::move(outcome), method);
  throw Error(errc::protocol_error, std::string(method) + ": no result");  // not reached
}

json typed_answer(CallSpec::Answer answer, std::string_view tool, std::string_view result) {
  if (answer == CallSpec::Answer::tool_payload) {
    return unwrap_tool_result_text(tool, result.empty() ? std::string_view("null") : result);
  }
  if (result.empty()) return nullptr;
  json parsed = detail::read_json(result);
  if (parsed.is_discarded()) throw Error(errc::protocol_error, "the result is not valid JSON");
  return parsed;
}

// "<slot>.<generation>" after the client's prefix.
std::optional<SlotName> parse_call_id(std::string_view id, std::string_view prefix) {
  if (!id.starts_with(prefix)) return std::nullopt;
  id.remove_prefix(prefix.size());
  SlotName name;
  const char* end = id.data() + id.size();
  auto [dot, index_error] = std::from_chars(id.data(), end, name.index);
  if (index_error != std::errc{} || dot == end || *dot != '.') return std::nullopt;
  auto [last, generation_error] = std::from_chars(dot + 1, end, name.generation);
  if (generation_error != std::errc{} || last != end) return std::nullopt;
  return name;
}

void append_call_params(std::string& out, const CallSpec& spec) {
  if (!spec.tool.empty()) {
    out.append(R"(,"params":{"name":)");
    append_json_string(out, spec.tool);
    out.append(R"(,"arguments":)");
    append_json(out, spec.params);
    out.push_back('}');
  } else if (spec.answer == CallSpec::Answer::raw) {
    if (!spec.params_text.empty()) {
      out.append(R"(,"params":)");
      append_json_text(out, spec.params_text);
    }
  } else if (!spec.params.is_null()) {
    out.append(R"(,"params":)");
    append_json(out, spec.params);
  }
}

// The handler a call puts in its caller's cancellation slot.
struct CancellationRelay {
  std::weak_ptr<ClientCore> core;
  asio::any_io_executor strand;
  std::weak_ptr<CallCancellation> cancellation;
  void operator()(asio::cancellation_type type) const;
};

}  // namespace

void ClientCore::start_raw(CallSpec spec, Completion<std::string> done) {
  PendingCall call;
  call.cancellation = watch_cancellation(asio::get_associated_cancellation_slot(done));
  move_handler(call.raw_done, done);
  begin_on_strand(std::move(spec), std::move(call));
}

void ClientCore::start_typed(CallSpec spec, Completion<json> done) {
  PendingCall call;
  call.cancellation = watch_cancellation(asio::get_associated_cancellation_slot(done));
  move_handler(call.typed_done, done);
  begin_on_strand(std::move(spec), std::move(call));
}

void ClientCore::begin_on_strand(CallSpec spec, PendingCall call) {
  call.answer = spec.answer;
  asio::dispatch(strand_, [self = shared_from_this(), spec = std::move(spec),
                           call = std::move(call)]() mutable {
    self->begin(std::move(spec), std::move(call));
  });
}

void CancellationRelay::operator()(asio::cancellation_type type) const {
  if (type == asio::cancellation_type::none) return;
  auto owner = core.lock();
  if (!owner) return;
  asio::post(strand, [owner, weak = cancellation] {
    if (auto state = weak.lock()) owner->cancel_call(state);
  });
}

std::shared_ptr<CallCancellation> ClientCore::watch_cancellation(
    const asio::cancellation_slot& caller_slot) {
  if (!caller_slot.is_connected()) return nullptr;
  auto cancellation = std::make_shared<CallCancellation>();
  cancellation->caller_slot = caller_slot;
  asio::cancellation_slot slot = caller_slot;
  slot.assign(CancellationRelay{weak_from_this(), strand_, cancellation});
  return cancellation;
}

void ClientCore::cancel_call(const std::shared_ptr<CallCancellation>& cancellation) {
  if (cancellation->finished) return;
  cancellation->cancelled = true;
  if (cancellation->name) {
    if (calls_.find(*cancellation->name)) {
      finish_call(cancellation->name->index, {}, std::nullopt, make_error_code(errc::cancelled),
                  "cancelled");
    }
    return;
  }
  // Posted, so it lands after the first step of the slow path's coroutine (see
  // common/typed_cancellation.hpp for what Asio 1.81 does with an earlier one).
  asio::post(strand_,
             [cancellation] { cancellation->signal.emit(asio::cancellation_type::terminal); });
}

bool ClientCore::fast_path_open(const CallOptions& call_options) const {
  return !call_options.idempotent && !limiter_->enabled() && current_ && current_->ready &&
         current_->open && in_flight_ < options_.max_in_flight && slot_waiters_.empty() &&
         !due_for_recycling(*current_);
}

void ClientCore::begin(CallSpec spec, PendingCall call) {
  std::exception_ptr refused;
  if (closed_ || (call.cancellation && call.cancellation->cancelled)) {
    refused = std::make_exception_ptr(
        Error(errc::cancelled, spec.method + (closed_ ? ": client closed" : ": cancelled")));
  } else if (!spec.tool.empty()) {
    if (spec.params.is_null()) spec.params = json::object();
    if (!spec.params.is_object()) {
      refused = std::make_exception_ptr(Error(
          errc::invalid_argument, "tools/call " + spec.tool + ": arguments must be an object"));
    } else if (tools_ && std::none_of(tools_->begin(), tools_->end(), [&](const McpTool& tool) {
                 return tool.name == spec.tool;
               })) {
      refused = std::make_exception_ptr(Error(
          errc::tool_unavailable, "tool " + spec.tool + " is not in the server's tools/list"));
    }
  }
  if (refused) {
    if (call.cancellation) call.cancellation->finished = true;
    if (call.answer == CallSpec::Answer::raw) {
      asio::dispatch(asio::append(std::move(call.raw_done), refused, std::string()));
    } else {
      asio::dispatch(asio::append(std::move(call.typed_done), refused, json()));
    }
    return;
  }
  const auto deadline = deadline_for(spec.options);
  if (fast_path_open(spec.options)) {
    current_->used = true;
    call.counts_in_flight = true;
    ++in_flight_;
    submit(current_, spec, std::move(call), deadline);
    return;
  }
  // The slow path: a coroutine, cancelled through the call's own signal.
  std::shared_ptr<CallCancellation> cancellation = call.cancellation;
  asio::cancellation_slot slot =
      cancellation ? cancellation->signal.slot() : asio::cancellation_slot();
  // The handler keeps the signal alive as long as the coroutine may use it.
  std::shared_ptr<asio::cancellation_signal> signal =
      cancellation ? std::shared_ptr<asio::cancellation_signal>(cancellation, &cancellation->signal)
                   : nullptr;
  if (call.answer == CallSpec::Answer::raw) {
    using Handler = detail::TypedCancellationHandler<Completion<std::string>>;
    auto handler = Handler(std::move(call.raw_done), signal);
    asio::co_spawn(strand_, slow_raw(std::move(spec), deadline),
                   asio::bind_cancellation_slot(slot, std::move(handler)));
  } else {
    using Handler = detail::TypedCancellationHandler<Completion<json>>;
    auto handler = Handler(std::move(call.typed_done), signal);
    asio::co_spawn(strand_, slow_typed(std::move(spec), deadline),
                   asio::bind_cancellation_slot(slot, std::move(handler)));
  }
}

SlotName ClientCore::submit(const std::shared_ptr<Connection>& connection, const CallSpec& spec,
                            PendingCall call, clock::time_point deadline) {
  call.method = spec.method;
  call.tool = spec.tool;
  call.connection = connection;
  if (options_.metrics && call.counts_in_flight) call.started = clock::now();
  std::shared_ptr<CallCancellation> cancellation = call.cancellation;
  const SlotName name = calls_.acquire(std::move(call));
  if (cancellation) cancellation->name = name;

  std::string& out = connection->outbox;
  out.append(R"({"jsonrpc":"2.0","id":")");
  out.append(call_id_prefix_);
  append_decimal(out, name.index);
  out.push_back('.');
  append_decimal(out, name.generation);
  out.append(R"(","method":)");
  append_json_string(out, spec.method);
  append_call_params(out, spec);
  out.append("}\n");
  wake_writer(*connection);

  ++connection->pending_calls;
  ++pending_total_;
  deadlines_.insert(name.index, deadline);
  arm_deadline_timer(deadline);
  return name;
}

void ClientCore::arm_deadline_timer(clock::time_point at) {
  if (deadline_timer_armed_ && at >= deadline_timer_at_) return;
  deadline_timer_armed_ = true;
  deadline_timer_at_ = at;
  deadline_timer_.expires_at(at);  // aborts the wait for a later deadline
  deadline_timer_.async_wait([weak = weak_from_this(), at](boost::system::error_code error) {
    if (error) return;
    if (auto self = weak.lock()) self->on_deadline_timer(at);
  });
}

void ClientCore::on_deadline_timer(clock::time_point at) {
  if (!deadline_timer_armed_ || deadline_timer_at_ != at) return;  // re-armed since
  deadline_timer_armed_ = false;
  deadlines_.expire(clock::now(), [this](std::uint32_t index) {
    finish_call(index, {}, std::nullopt, make_error_code(errc::timeout), "deadline expired");
  });
  if (!deadlines_.empty()) arm_deadline_timer(deadlines_.next_deadline());
}

void ClientCore::on_line(const std::shared_ptr<Connection>& connection, std::string_view line) {
  const Envelope envelope = scan_envelope(line);
  if (envelope.ok && envelope.has_jsonrpc && !envelope.has_method && envelope.id_is_string &&
      (!envelope.result.empty() || !envelope.error.empty())) {
    if (const auto name = parse_call_id(envelope.id, call_id_prefix_)) {
      if (!calls_.find(*name)) {
        logger()->debug("mcp: dropping response for unknown id {}", envelope.id);
        return;
      }
      if (!envelope.error.empty() && envelope.error != "null") {
        IncomingMessage message = decode_message(line);
        if (message.error) {
          finish_call(name->index, {}, std::move(message.error), {}, {});
        } else {
          finish_call(name->index, {}, std::nullopt, make_error_code(errc::protocol_error),
                      "malformed error response");
        }
      } else {
        finish_call(name->index, envelope.result, std::nullopt, {}, {});
      }
      return;
    }
  }
  connection->engine.receive_line(line);
}

void ClientCore::finish_call(std::uint32_t index, std::string_view result,
                             std::optional<RpcErrorBody> error, std::error_code failure,
                             std::string_view reason) {
  PendingCall call = calls_.release(index);
  deadlines_.erase(index);
  --pending_total_;
  std::shared_ptr<Connection> connection = std::move(call.connection);
  --connection->pending_calls;
  if (call.counts_in_flight) release_slot();
  if (call.cancellation) {
    call.cancellation->finished = true;
    call.cancellation->name.reset();
    if (call.cancellation->caller_slot.is_connected()) call.cancellation->caller_slot.clear();
  }
  deliver(call, result, std::move(error), failure, reason);
  close_if_drained(connection);
}

void ClientCore::deliver(PendingCall& call, std::string_view result,
                         std::optional<RpcErrorBody> error, std::error_code failure,
                         std::string_view reason) {
  if (call.waiter) {
    call.waiter->result.assign(result);
    call.waiter->error = std::move(error);
    call.waiter->failure = failure;
    call.waiter->reason.assign(reason);
    call.waiter->done.set();
    return;
  }
  const bool answered = !failure && !error;
  if (options_.metrics && call.counts_in_flight) {
    options_.metrics->on_mcp_request(clock::now() - call.started, !answered);
  }
  std::exception_ptr failed;
  if (call.answer == CallSpec::Answer::raw) {
    std::string text;
    if (answered) {
      text.assign(result.empty() ? std::string_view("null") : result);
    } else {
      try {
        throw_failure(std::move(error), failure, reason, call.method);
      } catch (...) {
        failed = std::current_exception();
      }
    }
    asio::dispatch(asio::append(std::move(call.raw_done), failed, std::move(text)));
    return;
  }
  json value;
  try {
    if (!answered) throw_failure(std::move(error), failure, reason, call.method);
    value = typed_answer(call.answer, call.tool, result);
  } catch (...) {
    failed = std::current_exception();
  }
  asio::dispatch(asio::append(std::move(call.typed_done), failed, std::move(value)));
}

void ClientCore::fail_calls(const Connection* connection, errc failure, const std::string& reason) {
  for (std::uint32_t index = 0; index < calls_.capacity(); ++index) {
    const PendingCall* call = calls_.at(index);
    if (call && (!connection || call->connection.get() == connection)) {
      finish_call(index, {}, std::nullopt, make_error_code(failure), reason);
    }
  }
}

asio::awaitable<void> ClientCore::call_slow(const CallSpec& spec, clock::time_point deadline,
                                            CallWaiter& answer) {
  detail::CallTimer timer(options_.metrics, &MetricsSink::on_mcp_request);
  InFlightSlot slot = co_await acquire_slot(deadline);
  for (int attempt = 1;; ++attempt) {
    // Connected before taking a rate-limit slot, so sends follow the limiter's
    // schedule instead of bunching up when a connection comes up.
    co_await ensure_ready(deadline);
    co_await pace(deadline);
    // The connection current now (the pause may have outlived the previous one);
    // nothing suspends from here until the request is queued on it.
    std::shared_ptr<Connection> connection = co_await ensure_ready(deadline);
    connection->used = true;
    CallWaiter waiter(strand_);
    PendingCall call;
    call.answer = spec.answer;
    call.waiter = &waiter;
    const SlotName name = submit(connection, spec, std::move(call), deadline);
    const SignalResult result = co_await wait(waiter.done, clock::time_point::max());
    if (result != SignalResult::signalled) {
      // Cancelled or the client closed: the slot goes, a late answer finds nothing.
      if (calls_.find(name)) {
        deadlines_.erase(name.index);
        calls_.release(name.index);
        --pending_total_;
        --connection->pending_calls;
        close_if_drained(connection);
      }
      throw_wait_failure(result, spec.method);
    }
    // Only a caller-declared idempotent call may be sent twice.
    if (spec.options.idempotent && attempt == 1 &&
        waiter.failure == make_error_code(errc::connection_lost)) {
      logger()->info("mcp: retrying idempotent {} after: {}", spec.method, waiter.reason);
      continue;
    }
    if (!waiter.failure && !waiter.error) timer.finish(false);
    answer.result = std::move(waiter.result);
    answer.error = std::move(waiter.error);
    answer.failure = waiter.failure;
    answer.reason = std::move(waiter.reason);
    co_return;
  }
}

asio::awaitable<std::string> ClientCore::slow_raw(CallSpec spec, clock::time_point deadline) {
  CallWaiter answer(strand_);
  co_await call_slow(spec, deadline, answer);
  if (answer.failure || answer.error) {
    throw_failure(std::move(answer.error), answer.failure, answer.reason, spec.method);
  }
  if (answer.result.empty()) answer.result = "null";
  co_return std::move(answer.result);
}

asio::awaitable<json> ClientCore::slow_typed(CallSpec spec, clock::time_point deadline) {
  CallWaiter answer(strand_);
  co_await call_slow(spec, deadline, answer);
  if (answer.failure || answer.error) {
    throw_failure(std::move(answer.error), answer.failure, answer.reason, spec.method);
  }
  co_return typed_answer(spec.answer, spec.tool, answer.result);
}

asio::awaitable<json> ClientCore::call(std::string method, json params, CallOptions call_options) {
  CallSpec spec;
  spec.answer = CallSpec::Answer::json;
  spec.method = std::move(method);
  spec.params = std::move(params);
  spec.options = call_options;
  co_return co_await slow_typed(std::move(spec), deadline_for(call_options));
}

asio::awaitable<json> ClientCore::call_tool(std::string name, json arguments,
                                            CallOptions call_options) {
  if (arguments.is_null()) arguments = json::object();
  if (!arguments.is_object()) {
    throw Error(errc::invalid_argument, "tools/call " + name + ": arguments must be an object");
  }
  if (tools_ && std::none_of(tools_->begin(), tools_->end(),
                             [&](const McpTool& tool) { return tool.name == name; })) {
    throw Error(errc::tool_unavailable, "tool " + name + " is not in the server's tools/list");
  }
  CallSpec spec;
  spec.answer = CallSpec::Answer::tool_payload;
  spec.method = "tools/call";
  spec.tool = std::move(name);
  spec.params = std::move(arguments);
  spec.options = call_options;
  co_return co_await slow_typed(std::move(spec), deadline_for(call_options));
}

}  // namespace hivemind::mcp_detail
