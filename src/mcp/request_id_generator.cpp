#include "mcp/request_id_generator.hpp"

#include <cstdio>
#include <random>

namespace hivemind::mcp_detail {
namespace {

std::string random_prefix() {
  std::random_device device;
  const std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

RequestIdGenerator::RequestIdGenerator() : prefix_(random_prefix()) {}

RequestIdGenerator::RequestIdGenerator(std::string prefix) : prefix_(std::move(prefix)) {}

std::string RequestIdGenerator::next() {
  return prefix_ + '-' + std::to_string(counter_.fetch_add(1, std::memory_order_relaxed) + 1);
}

}  // namespace hivemind::mcp_detail
