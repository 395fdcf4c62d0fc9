#include "hivemind/common/logging.hpp"

#include <atomic>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace hivemind {
namespace {

std::shared_ptr<spdlog::logger> make_default_logger() {
  if (auto registered = spdlog::get("hivemind")) return registered;
  auto created = std::make_shared<spdlog::logger>(
      "hivemind", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  created->set_level(spdlog::level::warn);
  return created;
}

// std::atomic<std::shared_ptr> lets set_logger() race with logging threads safely.
std::atomic<std::shared_ptr<spdlog::logger>>& current() {
  static std::atomic<std::shared_ptr<spdlog::logger>> instance{make_default_logger()};
  return instance;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger() {
  return current().load();
}

void set_logger(std::shared_ptr<spdlog::logger> replacement) {
  if (!replacement) {
    replacement = std::make_shared<spdlog::logger>("hivemind",
                                                   std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  current().store(std::move(replacement));
}

}  // namespace hivemind
