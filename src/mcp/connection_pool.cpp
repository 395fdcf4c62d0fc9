#include "hivemind/mcp/connection_pool.hpp"

#include <algorithm>

#include "common/owned_io_context.hpp"

namespace hivemind {

namespace asio = boost::asio;

McpConnectionPool::McpConnectionPool(const McpOptions& options, std::size_t connections)
    : owned_(std::make_unique<detail::OwnedIoContext>()),
      limiter_(std::make_shared<RateLimiter>(options.rate_limit)) {
  open_connections(owned_->context.get_executor(), options, connections);
}

McpConnectionPool::McpConnectionPool(asio::any_io_executor executor, const McpOptions& options,
                                     std::size_t connections)
    : limiter_(std::make_shared<RateLimiter>(options.rate_limit)) {
  open_connections(executor, options, connections);
}

void McpConnectionPool::open_connections(const asio::any_io_executor& executor,
                                         const McpOptions& options, std::size_t connections) {
  for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
    clients_.push_back(std::make_unique<McpTelemetryClient>(executor, options, limiter_));
  }
}

McpConnectionPool::~McpConnectionPool() {
  // Clients first: their shutdown runs on the owned context, which then drains.
  clients_.clear();
  owned_.reset();
}

McpTelemetryClient& McpConnectionPool::acquire() {
  // Never empty: the constructors open at least one connection.
  const std::size_t start = rotation_.fetch_add(1, std::memory_order_relaxed);
  McpTelemetryClient* best = clients_[start % clients_.size()].get();
  std::size_t best_load = best->pending_requests();
  for (std::size_t i = 1; i < clients_.size(); ++i) {
    McpTelemetryClient& candidate = *clients_[(start + i) % clients_.size()];
    const std::size_t load = candidate.pending_requests();
    if (load < best_load) {
      best = &candidate;
      best_load = load;
    }
  }
  return *best;
}

void McpConnectionPool::close() {
  for (auto& client : clients_) client->close();
}

}  // namespace hivemind
