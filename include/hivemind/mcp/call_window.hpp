// Keeping K tool calls in flight over a sequence of arguments: a sliding window on one
// McpTelemetryClient. The relay has no JSON-RPC batches; pipelining a bounded number of
// calls gets most of the throughput without flooding the relay (or the client's own
// max_in_flight, which still applies on top).
//
//   auto results = hivemind::call_all(mcp, "agent_spawn", arguments, 8);
//   for (const auto& r : results) if (!r.ok()) std::rethrow_exception(r.error);
//
// Results come back in input order; one item failing does not stop the others.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "hivemind/mcp/mcp_options.hpp"

namespace hivemind {

// The outcome of one item: the tool's payload (as call_tool returns it), or `error`.
struct CallResult {
  nlohmann::json result;
  std::exception_ptr error;
  bool ok() const noexcept { return !error; }
};

// Receives each item's outcome as it completes (not in input order) with the item's
// index. Runs on the client's strand: keep it short, never call synchronous forms from it.
// If it throws, no further item is started, the ones in flight finish (without the
// handler), and the operation fails with that exception.
using CallResultHandler = std::function<void(std::size_t index, CallResult result)>;

// At most `window` (> 0, else invalid_argument) calls of `tool` in flight at a time, each
// with the same CallOptions. Cancelling an async form cancels the calls in flight, waits
// for them, and fails with errc::cancelled.
class CallWindow {
 public:
  CallWindow(McpTelemetryClient& client, std::size_t window, CallOptions options = {})
      : client_(&client), window_(window), options_(options) {}

  std::vector<CallResult> call_all(const std::string& tool,
                                   std::vector<nlohmann::json> arguments) const;
  template <class Token>
  auto async_call_all(std::string tool, std::vector<nlohmann::json> arguments,
                      Token&& token) const {
    return async_complete<std::vector<CallResult>>(
        std::forward<Token>(token),
        [self = *this, tool = std::move(tool),
         arguments = std::move(arguments)](Completion<std::vector<CallResult>> done) mutable {
          self.launch_call_all(std::move(tool), std::move(arguments), std::move(done));
        });
  }

  void call_each(const std::string& tool, std::vector<nlohmann::json> arguments,
                 CallResultHandler on_result) const;
  template <class Token>
  auto async_call_each(std::string tool, std::vector<nlohmann::json> arguments,
                       CallResultHandler on_result, Token&& token) const {
    return async_complete<void>(
        std::forward<Token>(token),
        [self = *this, tool = std::move(tool), arguments = std::move(arguments),
         on_result = std::move(on_result)](Completion<void> done) mutable {
          self.launch_call_each(std::move(tool), std::move(arguments), std::move(on_result),
                                std::move(done));
        });
  }

 private:
  void launch_call_all(std::string tool, std::vector<nlohmann::json> arguments,
                       Completion<std::vector<CallResult>> done) const;
  void launch_call_each(std::string tool, std::vector<nlohmann::json> arguments,
                        CallResultHandler on_result, Completion<void> done) const;

  McpTelemetryClient* client_;
  std::size_t window_;
  CallOptions options_;
};

// One-call forms of CallWindow.
inline std::vector<CallResult> call_all(McpTelemetryClient& client, const std::string& tool,
                                        std::vector<nlohmann::json> arguments, std::size_t window,
                                        const CallOptions& options = {}) {
  return CallWindow(client, window, options).call_all(tool, std::move(arguments));
}
inline void call_each(McpTelemetryClient& client, const std::string& tool,
                      std::vector<nlohmann::json> arguments, std::size_t window,
                      CallResultHandler on_result, const CallOptions& options = {}) {
  CallWindow(client, window, options).call_each(tool, std::move(arguments), std::move(on_result));
}
template <class Token>
auto async_call_all(McpTelemetryClient& client, std::string tool,
                    std::vector<nlohmann::json> arguments, std::size_t window, Token&& token) {
  return CallWindow(client, window)
      .async_call_all(std::move(tool), std::move(arguments), std::forward<Token>(token));
}
template <class Token>
auto async_call_each(McpTelemetryClient& client, std::string tool,
                     std::vector<nlohmann::json> arguments, std::size_t window,
                     CallResultHandler on_result, Token&& token) {
  return CallWindow(client, window)
      .async_call_each(std::move(tool), std::move(arguments), std::move(on_result),
                       std::forward<Token>(token));
}

}  // namespace hivemind
