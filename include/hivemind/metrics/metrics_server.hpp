// MetricsServer: a tiny HTTP/1.1 server (Boost.Beast) answering `GET /metrics` with the
// text a callback renders, for Prometheus to scrape. Owns one background thread.
//
//   auto metrics = std::make_shared<hivemind::LifecycleMetrics>();
//   hivemind::MetricsServer server([metrics] { return to_prometheus(metrics->snapshot()); });
//
// Other paths get 404, other methods 405. Binds 127.0.0.1 by default: expose it wider
// only on purpose (address "0.0.0.0").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hivemind {

struct MetricsServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port (see MetricsServer::port())
  std::string path = "/metrics";
};

class MetricsServer {
 public:
  // Listens at once; throws connection_failed when the address cannot be bound. `render`
  // runs on the server's thread, once per request.
  explicit MetricsServer(std::function<std::string()> render, MetricsServerOptions options = {});
  // Stops listening, closes open connections and joins the thread.
  ~MetricsServer();  // NOLINT(bugprone-exception-escape): see its definition
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  std::uint16_t port() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hivemind
