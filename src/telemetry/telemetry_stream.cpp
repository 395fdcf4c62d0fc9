#include "hivemind/telemetry/telemetry_stream.hpp"

#include <boost/asio/use_future.hpp>

#include "common/owned_io_context.hpp"
#include "common/typed_cancellation.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "telemetry/stream_core.hpp"

namespace hivemind {

namespace asio = boost::asio;

namespace telemetry_detail {
namespace {

asio::awaitable<void> start(std::shared_ptr<StreamCore> core) {
  co_await core->start();
}

asio::awaitable<TelemetryUpdate> next(std::shared_ptr<StreamCore> core) {
  co_return co_await core->next();
}

}  // namespace
}  // namespace telemetry_detail

void TelemetryStream::launch_start(Completion<void> done) {
  detail::co_spawn_typed(get_executor(), telemetry_detail::start(core_), std::move(done));
}

void TelemetryStream::launch_next(Completion<TelemetryUpdate> done) {
  detail::co_spawn_typed(get_executor(), telemetry_detail::next(core_), std::move(done));
}

TelemetryStream::TelemetryStream(TelemetryOptions options)
    : owned_(std::make_unique<detail::OwnedIoContext>()),
      core_(std::make_shared<telemetry_detail::StreamCore>(owned_->context.get_executor(),
                                                           std::move(options))) {}

TelemetryStream::TelemetryStream(const executor_type& executor, TelemetryOptions options)
    : core_(std::make_shared<telemetry_detail::StreamCore>(executor, std::move(options))) {}

TelemetryStream::TelemetryStream(McpTelemetryClient& client, TelemetryOptions options)
    : core_(std::make_shared<telemetry_detail::StreamCore>(client.get_executor(),
                                                           std::move(options), &client)) {}

TelemetryStream::~TelemetryStream() {
  core_->shutdown();
  // The coroutines keep the core alive until they finished on the owned thread.
  core_.reset();
  owned_.reset();
}

TelemetryStream::executor_type TelemetryStream::get_executor() const noexcept {
  return core_->strand();
}

const TelemetryOptions& TelemetryStream::options() const noexcept {
  return core_->options();
}

void TelemetryStream::on_update(UpdateCallback callback) {
  core_->set_callback(std::move(callback));
}

void TelemetryStream::start() {
  async_start(asio::use_future).get();
}

void TelemetryStream::stop() {
  core_->shutdown();
}

TelemetryUpdate TelemetryStream::next() {
  return async_next(asio::use_future).get();
}

std::vector<TelemetryUpdate> TelemetryStream::drain() {
  return core_->drain();
}

TelemetryStats TelemetryStream::stats() const {
  return core_->stats();
}

}  // namespace hivemind
