// A few McpTelemetryClient connections to one relay for applications that want
// more than one socket (e.g. isolating a slow stream of calls). All connections
// pace against ONE rate limiter: the relay counts events per client IP, not per
// connection. One pipelined connection is usually enough; see docs/mcp.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "hivemind/mcp/mcp_client.hpp"
#include "hivemind/mcp/mcp_options.hpp"
#include "hivemind/mcp/rate_limiter.hpp"

namespace hivemind {

class McpConnectionPool {
 public:
  // Owns one io_context and one background thread shared by all connections.
  McpConnectionPool(const McpOptions& options, std::size_t connections);
  // Runs the connections on the caller's executor.
  McpConnectionPool(boost::asio::any_io_executor executor, const McpOptions& options,
                    std::size_t connections);
  ~McpConnectionPool();

  McpConnectionPool(const McpConnectionPool&) = delete;
  McpConnectionPool& operator=(const McpConnectionPool&) = delete;

  // The connection with the fewest requests in flight (rotating among equals).
  // Thread-safe; the reference stays valid for the pool's lifetime.
  McpTelemetryClient& acquire();

  std::size_t size() const noexcept { return clients_.size(); }
  McpTelemetryClient& at(std::size_t index) { return *clients_.at(index); }
  const std::shared_ptr<RateLimiter>& rate_limiter() const noexcept { return limiter_; }

  // Closes every connection (see McpTelemetryClient::close()).
  void close();

 private:
  void open_connections(const boost::asio::any_io_executor& executor, const McpOptions& options,
                        std::size_t connections);

  std::unique_ptr<detail::OwnedIoContext> owned_;
  std::shared_ptr<RateLimiter> limiter_;
  std::vector<std::unique_ptr<McpTelemetryClient>> clients_;
  std::atomic<std::size_t> rotation_{0};
};

}  // namespace hivemind
