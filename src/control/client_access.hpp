// The one door from other SDK components (watcher, logs) into HiveMindClient's
// operations, so that they reuse the client's coroutines instead of re-implementing verbs.
#pragma once

#include "hivemind/control/hivemind_client.hpp"

namespace hivemind::detail {

struct ClientAccess {
  using Config = HiveMindClient::Config;

  static const Config& config(const HiveMindClient& client) { return client.config_; }

  static boost::asio::awaitable<SessionMetadata> get(Config config, std::string session_id) {
    return HiveMindClient::get_op(std::move(config), std::move(session_id));
  }
  static boost::asio::awaitable<CleanupFinishedReport> cleanup_finished(
      const HiveMindClient& client, CleanupPolicy policy) {
    return HiveMindClient::cleanup_finished_op(client, std::move(policy));
  }
  static boost::asio::awaitable<SessionIndex> list(Config config) {
    return HiveMindClient::list_op(std::move(config));
  }
  static boost::asio::awaitable<SessionStatus> status(Config config, std::string session_id) {
    return HiveMindClient::status_op(std::move(config), std::move(session_id));
  }
  static boost::asio::awaitable<void> update_status(Config config, std::string session_id,
                                                    std::string status) {
    return HiveMindClient::update_status_op(std::move(config), std::move(session_id),
                                            std::move(status));
  }
};

}  // namespace hivemind::detail
