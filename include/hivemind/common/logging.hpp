// The SDK logs through one spdlog logger named "hivemind". Applications replace
// it (to route or silence the SDK's messages) with set_logger(); secrets such as
// tokens are never passed to it.
#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace hivemind {

// The logger the SDK writes to. Defaults to a stderr logger at `warn` level,
// unless the application registered one named "hivemind" with spdlog first.
std::shared_ptr<spdlog::logger> logger();

// Replaces the SDK's logger; nullptr silences the SDK entirely.
void set_logger(std::shared_ptr<spdlog::logger> replacement);

}  // namespace hivemind
